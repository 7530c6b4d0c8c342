/// The parse tree of a prompt and a recursive-descent parser for the WebUI's prompt-editing
/// grammar (a1111-compat §1.3): inside brackets a construct must parse; at the top level a
/// bracket or colon that starts no construct is literal text.
struct PromptEditingParser {
    indirect enum Node: Equatable {
        case text(String)
        case group([Node])
        case scheduled(before: [Node]?, after: [Node], number: String)
        case alternate([[Node]])
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    /// `start: (prompt | /[][():]/+)*`: stray brackets and colons are literal text at the top
    /// level only. nil when the prompt does not parse.
    mutating func parseStart() -> [Node]? {
        var nodes: [Node] = []
        while position < scalars.count {
            let c = scalars[position]
            if c == "[" || c == "(" {
                let start = position
                if let node = parseBracket() {
                    nodes.append(node)
                    continue
                }
                position = start + 1
                nodes.append(.text(String(c)))
            } else if c == "]" || c == ")" || c == ":" {
                position += 1
                nodes.append(.text(String(c)))
            } else if c == "|" {
                return nil
            } else {
                guard let text = parsePlain() else { return nil }
                nodes.append(.text(text))
            }
        }
        return nodes
    }

    /// `prompt`: plain text and bracket constructs up to one of `] ) : |` or the end.
    private mutating func parsePrompt() -> [Node]? {
        var nodes: [Node] = []
        while position < scalars.count {
            let c = scalars[position]
            if c == "]" || c == ")" || c == ":" || c == "|" { break }
            if c == "[" || c == "(" {
                guard let node = parseBracket() else { return nil }
                nodes.append(node)
            } else {
                guard let text = parsePlain() else { return nil }
                nodes.append(.text(text))
            }
        }
        return nodes
    }

    /// `([^\\\[\]():|]|\\.)+` — a backslash takes the next character (not a newline) with it.
    private mutating func parsePlain() -> String? {
        var text = String.UnicodeScalarView()
        while position < scalars.count {
            let c = scalars[position]
            if c == "\\" {
                guard position + 1 < scalars.count, scalars[position + 1] != "\n" else { return nil }
                text.append(c)
                text.append(scalars[position + 1])
                position += 2
            } else if "[]():|".unicodeScalars.contains(c) {
                break
            } else {
                text.append(c)
                position += 1
            }
        }
        return text.isEmpty ? nil : String(text)
    }

    /// A construct starting at `(` or `[`; nil (position undefined) when none matches.
    private mutating func parseBracket() -> Node? {
        let open = scalars[position]
        position += 1
        guard let first = parsePrompt(), position < scalars.count else { return nil }
        let next = scalars[position]
        if open == "(" {
            if next == ")" {
                position += 1
                return .group([.text("(")] + first + [.text(")")])
            }
            guard next == ":" else { return nil }
            position += 1
            guard let second = parsePrompt(), position < scalars.count, scalars[position] == ")" else { return nil }
            position += 1
            return .group([.text("(")] + first + [.text(":")] + second + [.text(")")])
        }
        switch next {
        case "]":
            position += 1
            return .group([.text("[")] + first + [.text("]")])
        case "|":
            var options = [first]
            while position < scalars.count, scalars[position] == "|" {
                position += 1
                guard let option = parsePrompt() else { return nil }
                options.append(option)
            }
            guard position < scalars.count, scalars[position] == "]" else { return nil }
            position += 1
            return .alternate(options)
        case ":":
            position += 1
            let afterColon = position
            if let number = parseNumberTail() {
                return .scheduled(before: nil, after: first, number: number)
            }
            position = afterColon
            guard let second = parsePrompt(), position < scalars.count, scalars[position] == ":" else { return nil }
            position += 1
            guard let number = parseNumberTail() else { return nil }
            return .scheduled(before: first, after: second, number: number)
        default:
            return nil
        }
    }

    /// `[WHITESPACE] NUMBER [WHITESPACE] "]"`, returning the number's text.
    private mutating func parseNumberTail() -> String? {
        skipWhitespace()
        let start = position
        if position < scalars.count, scalars[position] == "+" || scalars[position] == "-" { position += 1 }
        let integerDigits = countDigits()
        var fractionDigits = 0
        if position < scalars.count, scalars[position] == "." {
            position += 1
            fractionDigits = countDigits()
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return nil }
        if position < scalars.count, scalars[position] == "e" || scalars[position] == "E" {
            let mark = position
            position += 1
            if position < scalars.count, scalars[position] == "+" || scalars[position] == "-" { position += 1 }
            if countDigits() == 0 { position = mark }
        }
        let number = String(String.UnicodeScalarView(scalars[start..<position]))
        skipWhitespace()
        guard position < scalars.count, scalars[position] == "]" else { return nil }
        position += 1
        return number
    }

    private mutating func countDigits() -> Int {
        var count = 0
        while position < scalars.count, scalars[position].isASCII, ("0"..."9").contains(scalars[position]) {
            position += 1
            count += 1
        }
        return count
    }

    private mutating func skipWhitespace() {
        while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
    }

    /// The switch point of a scheduled node: `min(steps, trunc(v))` with v from the number as
    /// the WebUI reads it.
    static func when(_ number: String, steps: Int, oldTimelines: Bool) -> Int {
        let value = Double(number) ?? 0
        let scaled: Double
        if oldTimelines {
            scaled = value < 1 ? value * Double(steps) : value
        } else {
            scaled = number.contains(".") ? value * Double(steps) : value
        }
        guard scaled < Double(steps) else { return steps }
        // Anything at or below zero never becomes a switch point and never selects `before`.
        return scaled > 0 ? Int(scaled.rounded(.towardZero)) : min(0, Int(max(scaled, -1e9).rounded(.towardZero)))
    }

    static func collectSwitches(_ nodes: [Node], steps: Int, oldTimelines: Bool, into switches: inout Set<Int>) {
        for node in nodes {
            switch node {
            case .text:
                break
            case .group(let children):
                collectSwitches(children, steps: steps, oldTimelines: oldTimelines, into: &switches)
            case .scheduled(let before, let after, let number):
                let point = when(number, steps: steps, oldTimelines: oldTimelines)
                if point >= 1 { switches.insert(point) }
                collectSwitches(before ?? [], steps: steps, oldTimelines: oldTimelines, into: &switches)
                collectSwitches(after, steps: steps, oldTimelines: oldTimelines, into: &switches)
            case .alternate(let options):
                if steps >= 1 { switches.formUnion(1...steps) }
                for option in options {
                    collectSwitches(option, steps: steps, oldTimelines: oldTimelines, into: &switches)
                }
            }
        }
    }

    static func render(_ nodes: [Node], atStep step: Int, steps: Int, oldTimelines: Bool) -> String {
        var out = ""
        for node in nodes {
            switch node {
            case .text(let text):
                out += text
            case .group(let children):
                out += render(children, atStep: step, steps: steps, oldTimelines: oldTimelines)
            case .scheduled(let before, let after, let number):
                let chosen = step <= when(number, steps: steps, oldTimelines: oldTimelines) ? before ?? [] : after
                out += render(chosen, atStep: step, steps: steps, oldTimelines: oldTimelines)
            case .alternate(let options):
                out += render(
                    options[pythonModulo(step - 1, options.count)], atStep: step, steps: steps,
                    oldTimelines: oldTimelines)
            }
        }
        return out
    }

    /// Python's modulo (the result has the divisor's sign).
    private static func pythonModulo(_ lhs: Int, _ rhs: Int) -> Int {
        let remainder = lhs % rhs
        return remainder < 0 ? remainder + rhs : remainder
    }
}

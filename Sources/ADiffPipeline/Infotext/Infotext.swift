/// The WebUI's "parameters" text: prompt, negative prompt and one line of `Key: value` pairs
/// (a1111-compat §7). Written into PNG chunks, GIF comments and TXT files; parsed back to
/// replay a generation.
public struct Infotext: Sendable, Equatable {
    /// The positive prompt, possibly several lines (prompt travel keeps its original lines).
    public var prompt: String
    /// The negative prompt; empty means the line is omitted.
    public var negativePrompt: String
    /// The parameter line's pairs in order. A pair whose value equals its key is written as
    /// the key alone, as the WebUI does.
    public var parameters: [(key: String, value: String)]

    /// Creates an infotext.
    public init(prompt: String, negativePrompt: String = "", parameters: [(key: String, value: String)] = []) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.parameters = parameters
    }

    /// Same prompt, negative prompt and parameters in the same order.
    public static func == (lhs: Infotext, rhs: Infotext) -> Bool {
        lhs.prompt == rhs.prompt && lhs.negativePrompt == rhs.negativePrompt
            && lhs.parameters.map(\.key) == rhs.parameters.map(\.key)
            && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
    }

    /// The value of `key`, if present.
    public subscript(key: String) -> String? {
        parameters.first { $0.key == key }?.value
    }

    /// The text exactly as the WebUI writes it (trimmed of outer whitespace).
    public var text: String {
        let negative = negativePrompt.isEmpty ? "" : "\nNegative prompt: \(negativePrompt)"
        let line = parameters
            .map { $0.key == $0.value ? $0.key : "\($0.key): \(Self.quote($0.value))" }
            .joined(separator: ", ")
        return "\(prompt)\(negative)\n\(line)".trimmingWhitespace()
    }

    /// Parses an infotext the way the WebUI's paste does: the last line is the parameter line
    /// only if it holds at least three `Key: value` pairs; a line starting with
    /// `Negative prompt:` begins the negative prompt; quoted values are JSON-decoded.
    public init(parsing text: String) {
        var lines = text.trimmingWhitespace().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var parameterLine = lines.popLast() ?? ""
        var pairs = InfotextParameterScanner.pairs(in: parameterLine)
        if pairs.count < 3 {
            lines.append(parameterLine)
            parameterLine = ""
            pairs = []
        }
        var prompt = ""
        var negative = ""
        var inNegative = false
        for rawLine in lines {
            var line = rawLine.trimmingWhitespace()
            if line.hasPrefix("Negative prompt:") {
                inNegative = true
                line = String(line.dropFirst(16)).trimmingWhitespace()
            }
            if inNegative {
                negative += (negative.isEmpty ? "" : "\n") + line
            } else {
                prompt += (prompt.isEmpty ? "" : "\n") + line
            }
        }
        self.init(prompt: prompt, negativePrompt: negative, parameters: pairs)
    }

    /// A value is written raw unless it contains `,`, `:` or a newline; then it becomes a JSON
    /// string literal with non-ASCII characters kept.
    static func quote(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == ":" || $0 == "\n" }) else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    /// The string without leading and trailing white space (Python's `str.strip()`).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}

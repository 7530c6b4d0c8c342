/// The WebUI's emphasis syntax (compatibility spec §1.4, §1.5): `(a)` ×1.1, `[a]` ÷1.1, `(a:1.3)`,
/// escapes `\(` `\)` `\[` `\]` `\\`, and `BREAK`.
///
/// It runs on text that prompt scheduling has already resolved (`[a:b:0.5]` and `[a|b]` are gone by
/// then, only emphasis brackets remain). Unbalanced brackets are legal: an unmatched closer is text,
/// an unclosed opener still applies to the rest of the prompt.
public enum PromptEmphasisParser {
    private static let roundMultiplier = 1.1
    private static let squareMultiplier = 1 / 1.1

    private enum Token {
        case escaped([Unicode.Scalar])
        case openRound, openSquare, closeRound, closeSquare
        case weightClose(number: [Unicode.Scalar], source: [Unicode.Scalar])
        case text([Unicode.Scalar])
    }

    /// Splits `text` into weighted fragments and `BREAK` markers, merging neighbours of equal weight.
    /// - Throws: `TextError.promptSyntax` when a `(text:weight)` weight is not a number (`1.2.3`,
    ///   `.`); the WebUI fails the whole job there.
    public static func parse(_ text: String) throws(TextError) -> [PromptFragment] {
        var result: [(text: [Unicode.Scalar], weight: Double)] = []
        var roundOpen: [Int] = []
        var squareOpen: [Int] = []
        func multiply(from start: Int, by factor: Double) {
            for index in start..<result.count { result[index].weight *= factor }
        }
        for token in tokens(Array(text.unicodeScalars)) {
            switch token {
            case .escaped(let literal):
                result.append((literal, 1.0))
            case .openRound:
                roundOpen.append(result.count)
            case .openSquare:
                squareOpen.append(result.count)
            case .weightClose(let number, _) where !roundOpen.isEmpty:
                let numberText = String(String.UnicodeScalarView(number))
                guard let weight = PythonFloat.parse(numberText) else {
                    throw TextError(.promptSyntax, "emphasis weight '\(numberText)' in '\(text)' is not a number")
                }
                multiply(from: roundOpen.removeLast(), by: weight)
            case .closeRound where !roundOpen.isEmpty:
                multiply(from: roundOpen.removeLast(), by: roundMultiplier)
            case .closeSquare where !squareOpen.isEmpty:
                multiply(from: squareOpen.removeLast(), by: squareMultiplier)
            case .closeRound:
                appendSplittingBreaks([")"], to: &result)
            case .closeSquare:
                appendSplittingBreaks(["]"], to: &result)
            case .weightClose(_, let source), .text(let source):
                appendSplittingBreaks(source, to: &result)
            }
        }
        for start in roundOpen { multiply(from: start, by: roundMultiplier) }
        for start in squareOpen { multiply(from: start, by: squareMultiplier) }
        if result.isEmpty { result = [([], 1.0)] }
        // Neighbours of exactly equal weight are concatenated, left to right.
        var merged: [(text: [Unicode.Scalar], weight: Double)] = []
        for entry in result {
            if let last = merged.last, last.weight == entry.weight {
                merged[merged.count - 1].text += entry.text
            } else {
                merged.append(entry)
            }
        }
        return merged.map { PromptFragment(String(String.UnicodeScalarView($0.text)), weight: $0.weight) }
    }

    /// The attention regex's alternatives, in order, at each position.
    private static func tokens(_ text: [Unicode.Scalar]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < text.count {
            let scalar = text[index]
            switch scalar {
            case "\\":
                if index + 1 < text.count, "()[]\\".unicodeScalars.contains(text[index + 1]) {
                    tokens.append(.escaped([text[index + 1]]))
                    index += 2
                } else {
                    tokens.append(.escaped([]))  // a lone backslash is dropped
                    index += 1
                }
            case "(": tokens.append(.openRound); index += 1
            case "[": tokens.append(.openSquare); index += 1
            case ":":
                if let (number, end) = weightClose(text, at: index) {
                    tokens.append(.weightClose(number: number, source: Array(text[index..<end])))
                    index = end
                } else {
                    tokens.append(.text([":"]))
                    index += 1
                }
            case ")": tokens.append(.closeRound); index += 1
            case "]": tokens.append(.closeSquare); index += 1
            default:
                var end = index + 1
                while end < text.count, !"\\()[]:".unicodeScalars.contains(text[end]) { end += 1 }
                tokens.append(.text(Array(text[index..<end])))
                index = end
            }
        }
        return tokens
    }

    /// `:\s*([+-]?[.\d]+)\s*\)` at `start`: the number text and the index after `)`.
    private static func weightClose(_ text: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int)? {
        var index = start + 1
        while index < text.count, UnicodeClasses.isPythonSpace(text[index]) { index += 1 }
        let numberStart = index
        if index < text.count, text[index] == "+" || text[index] == "-" { index += 1 }
        let digitsStart = index
        while index < text.count, text[index] == "." || UnicodeClasses.pythonDecimalDigit(text[index]) != nil {
            index += 1
        }
        guard index > digitsStart else { return nil }
        let number = Array(text[numberStart..<index])
        while index < text.count, UnicodeClasses.isPythonSpace(text[index]) { index += 1 }
        guard index < text.count, text[index] == ")" else { return nil }
        return (number, index + 1)
    }

    /// Appends plain text split on `\s*\bBREAK\b\s*`, with a break marker between the parts.
    private static func appendSplittingBreaks(
        _ text: [Unicode.Scalar], to result: inout [(text: [Unicode.Scalar], weight: Double)]
    ) {
        let keyword = Array("BREAK".unicodeScalars)
        var partStart = 0
        var search = 0
        var index = 0
        while index + keyword.count <= text.count {
            let end = index + keyword.count
            let isWord = UnicodeClasses.isPythonWordCharacter
            guard text[index..<end].elementsEqual(keyword),
                  index == 0 || !isWord(text[index - 1]),
                  end == text.count || !isWord(text[end]) else {
                index += 1
                continue
            }
            var matchStart = index
            while matchStart > search, UnicodeClasses.isPythonSpace(text[matchStart - 1]) { matchStart -= 1 }
            var matchEnd = end
            while matchEnd < text.count, UnicodeClasses.isPythonSpace(text[matchEnd]) { matchEnd += 1 }
            result.append((Array(text[partStart..<matchStart]), 1.0))
            result.append((Array(PromptFragment.breakMarker.text.unicodeScalars), PromptFragment.breakMarker.weight))
            partStart = matchEnd
            search = matchEnd
            index = matchEnd
        }
        result.append((Array(text[partStart...]), 1.0))
    }
}

/// The WebUI's composable-prompt pass over a positive prompt (a1111-compat §1.2): `AND` splits
/// it into sub-prompts and a trailing `:number` weights one in CFG
/// (`U + (C − U)·(weight·scale)`), the text without it being what is encoded.
///
/// Only the single-sub-prompt case is supported: the extension's windowed forward assumes one
/// cond row per frame, so `AND` under AnimateDiff mixes up frames there; we reject it instead.
enum ComposablePrompt {
    /// The text to encode and its CFG weight. As the WebUI's regex cannot span lines, a prompt
    /// with a line break keeps its text and weight 1.
    ///
    /// - Throws: ``PipelineError`` `.unsupported` (field `prompt`) when `AND` splits the prompt.
    static func parse(_ prompt: String) throws -> (text: String, weight: Float) {
        if containsAND(prompt) {
            throw PipelineError(
                .unsupported, "composable prompts (AND) are not supported for videos", field: "prompt")
        }
        guard !prompt.contains("\n") else { return (prompt, 1) }
        let trimmed = String(
            prompt.unicodeScalars.reversed().drop { $0.properties.isWhitespace }.reversed()
                .map(Character.init))
        guard let colon = trimmed.lastIndex(of: ":") else { return (trimmed, 1) }
        let number = trimmed[trimmed.index(after: colon)...].drop { $0.isWhitespace }
        guard let weight = parseNumber(number) else { return (trimmed, 1) }
        let text = String(
            trimmed[..<colon].unicodeScalars.reversed().drop { $0.properties.isWhitespace }.reversed()
                .map(Character.init))
        return (text, weight)
    }

    /// `[-+]?(\d+\.?|\d*\.\d+)` filling all of `text`.
    private static func parseNumber(_ text: Substring) -> Float? {
        var body = text
        var sign: Float = 1
        if body.first == "-" {
            sign = -1
            body = body.dropFirst()
        } else if body.first == "+" {
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty || !fraction.isEmpty else { return nil }
        return Float("\(whole.isEmpty ? "0" : whole).\(fraction.isEmpty ? "0" : fraction)").map { sign * $0 }
    }

    /// Whether `AND` appears as a whole word (Python's `\bAND\b`).
    private static func containsAND(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        func isWord(_ index: Int) -> Bool {
            guard scalars.indices.contains(index) else { return false }
            let s = scalars[index]
            return s == "_" || s.properties.isAlphabetic || s.properties.numericType != nil
        }
        var index = 0
        while index + 3 <= scalars.count {
            if scalars[index] == "A", scalars[index + 1] == "N", scalars[index + 2] == "D", !isWord(index - 1),
                !isWord(index + 3)
            {
                return true
            }
            index += 1
        }
        return false
    }
}

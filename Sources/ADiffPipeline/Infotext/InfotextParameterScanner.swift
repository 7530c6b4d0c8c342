import Foundation

/// Finds `Key: value` pairs in a parameter line the way the WebUI's regex
/// `\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)` does with `findall`: try a match at
/// each position, skip one character on failure, continue after each match.
enum InfotextParameterScanner {
    static func pairs(in line: String) -> [(key: String, value: String)] {
        let characters = Array(line)
        var pairs: [(key: String, value: String)] = []
        var position = 0
        while position < characters.count {
            if let (pair, end) = match(characters, at: position) {
                pairs.append(pair)
                position = end
            } else {
                position += 1
            }
        }
        return pairs
    }

    private static func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
    private static func isKeyCharacter(_ c: Character) -> Bool { isWord(c) || c == " " || c == "-" || c == "/" }

    private static func match(_ c: [Character], at start: Int) -> ((key: String, value: String), Int)? {
        var i = start
        while i < c.count, c[i].isWhitespace { i += 1 }
        guard i < c.count, isWord(c[i]) else { return nil }
        let keyStart = i
        i += 1
        while i < c.count, isKeyCharacter(c[i]) { i += 1 }
        guard i - keyStart >= 2, i < c.count, c[i] == ":" else { return nil }
        let key = String(c[keyStart..<i])
        i += 1
        while i < c.count, c[i].isWhitespace { i += 1 }
        if let (quoted, end) = quotedValue(c, at: i), end == c.count || c[end] == "," {
            return ((key, unquote(quoted)), end == c.count ? end : end + 1)
        }
        var end = i
        while end < c.count, c[end] != "," { end += 1 }
        return ((key, String(c[i..<end])), end == c.count ? end : end + 1)
    }

    /// `"(?:\\.|[^\\"])+"` at `start`: the literal including its quotes and the index after it.
    private static func quotedValue(_ c: [Character], at start: Int) -> (String, Int)? {
        guard start < c.count, c[start] == "\"" else { return nil }
        var i = start + 1
        var length = 0
        while i < c.count {
            if c[i] == "\\" {
                guard i + 1 < c.count, c[i + 1] != "\n" else { return nil }
                i += 2
            } else if c[i] == "\"" {
                return length > 0 ? (String(c[start...i]), i + 1) : nil
            } else {
                i += 1
            }
            length += 1
        }
        return nil
    }

    /// JSON-decodes a quoted value; keeps it as written if it is not valid JSON (the WebUI does
    /// the same).
    private static func unquote(_ literal: String) -> String {
        guard let data = literal.data(using: .utf8),
              let decoded = try? JSONDecoder().decode(String.self, from: data) else { return literal }
        return decoded
    }
}

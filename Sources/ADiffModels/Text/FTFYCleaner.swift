import Foundation

/// The parts of `ftfy.fix_text` (ftfy 6, default options) that change ordinary prompts, applied
/// in ftfy's order and repeated until nothing changes, as ftfy does.
///
/// Implemented: HTML unescape (skipped from the first line containing `<` onwards), C1 controls read
/// as Windows-1252, Latin ligatures, full/half-width forms, curly quotes, line breaks, terminal
/// escapes, control characters, NFC. Not implemented: ftfy's mojibake detection and repair
/// (`fix_encoding`, e.g. "cafÃ©" → "café"), a heuristic over encodings; such text is tokenized as is.
enum FTFYCleaner {
    /// Cleans `text` like `ftfy.fix_text(text)`.
    static func fixText(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        var unescape = true
        var start = 0
        while start < text.count {
            var end = start
            while end < text.count, text[end] != "\n" { end += 1 }
            if end < text.count { end += 1 }
            let segment = Array(text[start..<end])
            if segment.contains("<") { unescape = false }
            output += fixSegment(segment, unescapeHTML: unescape)
            start = end
        }
        return output
    }

    private static func fixSegment(_ segment: [Unicode.Scalar], unescapeHTML: Bool) -> [Unicode.Scalar] {
        var text = segment
        // ftfy loops without a bound; every step here is idempotent or shrinks the text, so a
        // fixed point comes within a few rounds. The cap only guards against a logic error.
        for _ in 0..<64 {
            let before = text
            if unescapeHTML { text = HTMLUnescape.ftfyUnescape(text) }
            text = text.map(fixC1Control)
            text = text.flatMap(fixLigature)
            text = text.flatMap(fixWidth)
            text = text.map(uncurlQuote)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            text = text.filter { !isRemovedControl($0) }
            text = CLIPTextNormalization.nfc(text)
            if text == before { break }
        }
        return text
    }

    /// Windows-1252 meaning of the C1 code points (ftfy's "sloppy" codec keeps the five undefined ones).
    private static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    private static func fixC1Control(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        windows1252[scalar.value].flatMap(Unicode.Scalar.init) ?? scalar
    }

    private static let ligatures: [Unicode.Scalar: String] = [
        "Ĳ": "IJ", "ĳ": "ij", "ŉ": "ʼn", "Ǳ": "DZ", "ǲ": "Dz", "ǳ": "dz", "Ǆ": "DŽ", "ǅ": "Dž", "ǆ": "dž",
        "Ǉ": "LJ", "ǈ": "Lj", "ǉ": "lj", "Ǌ": "NJ", "ǋ": "Nj", "ǌ": "nj", "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl",
        "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "ſt", "ﬆ": "st",
    ]

    private static func fixLigature(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        ligatures[scalar].map { Array($0.unicodeScalars) } ?? [scalar]
    }

    /// U+3000 → space; U+FF01…U+FFEF → their NFKC form where it differs.
    private static let widthMap: [UInt32: [Unicode.Scalar]] = {
        var map: [UInt32: [Unicode.Scalar]] = [0x3000: [" "]]
        for value in UInt32(0xFF01)..<0xFFF0 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let folded = Array(String(Character(scalar)).precomposedStringWithCompatibilityMapping.unicodeScalars)
            if folded != [scalar] { map[value] = folded }
        }
        return map
    }()

    private static func fixWidth(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        widthMap[scalar.value] ?? [scalar]
    }

    private static func uncurlQuote(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x02BC, 0x2018...0x201B: "'"
        case 0x201C...0x201F: "\""
        default: scalar
        }
    }

    private static func fixLineBreaks(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            switch text[index] {
            case "\r":
                result.append("\n")
                if index + 1 < text.count, text[index + 1] == "\n" { index += 1 }
            case "\u{2028}", "\u{2029}", "\u{85}": result.append("\n")
            default: result.append(text[index])
            }
            index += 1
        }
        return result
    }

    /// Removes ANSI sequences `ESC [ (digits|;)* letter` (digits of any script, as Python's `\d`).
    private static func removeTerminalEscapes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == "\u{1B}", index + 1 < text.count, text[index + 1] == "[" {
                var end = index + 2
                while end < text.count, text[end] == ";" || UnicodeClasses.pythonDecimalDigit(text[end]) != nil {
                    end += 1
                }
                if end < text.count, text[end].isASCII, text[end].properties.isAlphabetic {
                    index = end + 1
                    continue
                }
            }
            result.append(text[index])
            index += 1
        }
        return result
    }

    private static func isRemovedControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: true
        default: false
        }
    }
}

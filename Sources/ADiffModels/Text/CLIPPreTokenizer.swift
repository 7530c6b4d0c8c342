/// Hand-written scanner for CLIP's pre-tokenizer regex (spec §2.3), tried in this order at each
/// position, whitespace skipped:
/// `<|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`.
/// Works on Unicode scalars (as the regex engines do), not on grapheme clusters. The special
/// alternatives are used only where the reference maps them to ids (see `CLIPTextNormalization`).
struct CLIPPreTokenizer: Sendable {
    /// One match: a word to byte-pair encode, or a special token already resolved to its id.
    enum Piece: Equatable, Sendable {
        case word(String)
        case special(Int32)
    }

    let normalization: CLIPTextNormalization

    private static let contractions: [[Unicode.Scalar]] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map {
        Array($0.unicodeScalars)
    }

    /// Splits cleaned text into pieces.
    func pieces(_ text: [Unicode.Scalar]) -> [Piece] {
        var pieces: [Piece] = []
        var index = 0
        let specials = normalization.pretokenizerMapsSpecials ? normalization.specialTokens : []
        func word(_ range: Range<Int>) -> Piece { .word(String(String.UnicodeScalarView(text[range]))) }
        scanning: while index < text.count {
            let scalar = text[index]
            if normalization.isPretokenizerSpace(scalar) {
                index += 1
                continue
            }
            for special in specials where hasPrefix(text, at: index, special.text) {
                let end = index + special.text.count
                pieces.append(.special(special.id))
                index = end
                continue scanning
            }
            if scalar == "'" {
                for contraction in Self.contractions where hasPrefix(text, at: index, contraction) {
                    pieces.append(word(index..<(index + contraction.count)))
                    index += contraction.count
                    continue scanning
                }
            }
            if UnicodeClasses.isLetter(scalar) {
                var end = index + 1
                while end < text.count, UnicodeClasses.isLetter(text[end]) { end += 1 }
                pieces.append(word(index..<end))
                index = end
            } else if UnicodeClasses.isNumber(scalar) {
                pieces.append(word(index..<(index + 1)))
                index += 1
            } else {
                var end = index + 1
                while end < text.count, !normalization.isPretokenizerSpace(text[end]),
                      !UnicodeClasses.isLetter(text[end]), !UnicodeClasses.isNumber(text[end]) {
                    end += 1
                }
                pieces.append(word(index..<end))
                index = end
            }
        }
        return pieces
    }

    /// Exact prefix match; under Python's case-insensitive `regex` a long s (ſ) also matches `s`.
    private func hasPrefix(_ text: [Unicode.Scalar], at index: Int, _ prefix: [Unicode.Scalar]) -> Bool {
        guard index + prefix.count <= text.count else { return false }
        for (offset, expected) in prefix.enumerated() {
            let actual = text[index + offset]
            if actual == expected { continue }
            if normalization.pretokenizerIgnoresCase, expected == "s", actual == "\u{17F}" { continue }
            return false
        }
        return true
    }
}

/// The character classes and case mapping of the reference implementations, spelled out so the
/// Swift scanner matches them exactly: Python's `re`/`str` (the WebUI and open_clip paths) and the
/// Rust `tokenizers` normalizers (the HuggingFace path).
enum UnicodeClasses {
    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// `\p{N}`: general category Nd, Nl or No.
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    /// Python's `str.isspace()` and `re`'s `\s`: bidirectional class WS, B or S, or category Zs.
    /// Unlike the Unicode White_Space property this includes U+001C…U+001F.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default: false
        }
    }

    /// The Unicode White_Space property: `\s` of the `tokenizers` (Oniguruma) regexes.
    static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    /// Python `re`'s `\w` for str patterns: letters, anything with a numeric value, underscore.
    static func isPythonWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || isLetter(scalar) || scalar.properties.numericType != nil
    }

    /// Python `re`'s `\d`: the value of a decimal digit (category Nd) of any script, else nil.
    static func pythonDecimalDigit(_ scalar: Unicode.Scalar) -> Int? {
        guard scalar.properties.generalCategory == .decimalNumber, let value = scalar.properties.numericValue
        else { return nil }
        return Int(value)
    }

    /// Lower-cases scalar by scalar with the full (multi-scalar) mapping and no context: what the
    /// `tokenizers` Lowercase normalizer does (a final capital sigma becomes σ, not ς).
    static func lowercasedPerScalar(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for scalar in scalars { result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars) }
        return result
    }

    /// Python's `str.lower()`: the full mapping plus the Final_Sigma rule (Σ → ς when preceded by a
    /// cased letter and not followed by one, skipping case-ignorable characters both ways).
    static func pythonLowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            if scalar.value == 0x3A3, isFinalSigma(scalars, at: index) {
                result.append("\u{3C2}")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0, scalars[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, scalars[before].properties.isCased else { return false }
        var after = index + 1
        while after < scalars.count, scalars[after].properties.isCaseIgnorable { after += 1 }
        return !(after < scalars.count && scalars[after].properties.isCased)
    }
}

/// HTML character-reference decoding as Python's `html.unescape` and ftfy's `unescape_html` do it.
enum HTMLUnescape {
    /// Entity name (without `&`, with or without `;`) → replacement.
    private static let html5: [String: [Unicode.Scalar]] = parse(HTMLEntityTable.html5)
    /// ftfy's all-caps additions, name with `;`, without `&`.
    private static let upperCase: [String: [Unicode.Scalar]] = parse(HTMLEntityTable.upperCase)
    private static let invalidCharacterReferences: [UInt32: [Unicode.Scalar]] = Dictionary(
        uniqueKeysWithValues: parse(HTMLEntityTable.invalidCharacterReferences).map { (UInt32($0.key, radix: 16)!, $0.value) }
    )
    private static let invalidCodePoints: Set<UInt32> = Set(
        HTMLEntityTable.invalidCodePoints.split(separator: " ").compactMap { UInt32($0, radix: 16) }
    )
    private static let longestName = 32

    private static func parse(_ table: String) -> [String: [Unicode.Scalar]] {
        var result: [String: [Unicode.Scalar]] = [:]
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else { continue }
            let value = fields[1].split(separator: " ").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            result[String(fields[0])] = value
        }
        return result
    }

    private static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private static func isASCIIHexDigit(_ scalar: Unicode.Scalar) -> Bool {
        isASCIIDigit(scalar) || ("a"..."f").contains(scalar) || ("A"..."F").contains(scalar)
    }
    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        isASCIIDigit(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// Python's `html.unescape`: numeric references (with the HTML5 replacement rules) and named
    /// references, including the legacy names that need no `;` and their longest-prefix matching.
    static func pythonUnescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard text[index] == "&", let (replacement, end) = characterReference(text, at: index + 1) else {
                result.append(text[index])
                index += 1
                continue
            }
            result += replacement
            index = end
        }
        return result
    }

    /// One reference after an `&`: its replacement and the index after it, or nil if none starts here.
    private static func characterReference(_ text: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int)? {
        guard start < text.count else { return nil }
        if text[start] == "#" {
            var index = start + 1
            var radix: UInt32 = 10
            if index < text.count, text[index] == "x" || text[index] == "X",
               index + 1 < text.count, isASCIIHexDigit(text[index + 1]) {
                radix = 16
                index += 1
            }
            let digitsStart = index
            var value: UInt32 = 0
            var overflow = false
            while index < text.count, radix == 16 ? isASCIIHexDigit(text[index]) : isASCIIDigit(text[index]) {
                let digit = UInt32(String(text[index]), radix: 16)!
                let (times, o1) = value.multipliedReportingOverflow(by: radix)
                let (sum, o2) = times.addingReportingOverflow(digit)
                overflow = overflow || o1 || o2
                value = sum
                index += 1
            }
            guard index > digitsStart else { return nil }
            if index < text.count, text[index] == ";" { index += 1 }
            return (numericReplacement(overflow ? UInt32.max : value), index)
        }
        var end = start
        while end < text.count, end - start < longestName, !"\t\n\u{0C} <&#;".unicodeScalars.contains(text[end]) {
            end += 1
        }
        guard end > start else { return nil }
        if end < text.count, text[end] == ";" { end += 1 }
        let name = String(String.UnicodeScalarView(text[start..<end]))
        if let value = html5[name] { return (value, end) }
        let nameScalars = Array(text[start..<end])
        var length = nameScalars.count - 1
        while length > 1 {
            if let value = html5[String(String.UnicodeScalarView(nameScalars[0..<length]))] {
                return (value + nameScalars[length...], end)
            }
            length -= 1
        }
        return (["&"] + nameScalars, end)
    }

    private static func numericReplacement(_ value: UInt32) -> [Unicode.Scalar] {
        if let replacement = invalidCharacterReferences[value] { return replacement }
        if (0xD800...0xDFFF).contains(value) || value > 0x10FFFF { return ["\u{FFFD}"] }
        if invalidCodePoints.contains(value) { return [] }
        return [Unicode.Scalar(value)!]
    }

    /// ftfy's `unescape_html`: only `&name;` / `&#…;` of at most 24 ASCII alphanumerics with the
    /// semicolon; names from the HTML5 table (plus ftfy's all-caps forms), numeric ones only if
    /// `html.unescape` consumes the whole reference.
    static func ftfyUnescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard text[index] == "&" else {
                result.append(text[index])
                index += 1
                continue
            }
            var runStart = index + 1
            let numeric = runStart < text.count && text[runStart] == "#"
            if numeric { runStart += 1 }
            var runEnd = runStart
            while runEnd < text.count, isASCIIAlphanumeric(text[runEnd]) { runEnd += 1 }
            let runLength = runEnd - runStart
            guard (1...24).contains(runLength), runEnd < text.count, text[runEnd] == ";" else {
                result.append(text[index])
                index += 1
                continue
            }
            let reference = Array(text[index...runEnd])
            let name = String(String.UnicodeScalarView(text[(index + 1)...runEnd]))
            if let value = html5[name], name.hasSuffix(";") {
                result += value
            } else if let value = upperCase[name] {
                result += value
            } else if numeric {
                let decoded = pythonUnescape(reference)
                result += decoded.contains(";") ? reference : decoded
            } else {
                result += reference
            }
            index = runEnd + 1
        }
        return result
    }
}

/// Python's `float(str)` for the number texts prompts contain, so weights parse exactly as in the
/// WebUI: surrounding whitespace allowed, digits of any script, `inf`/`nan`, underscores between digits.
enum PythonFloat {
    /// The value, or nil where Python raises `ValueError`.
    static func parse<S: StringProtocol>(_ text: S) -> Double? {
        var scalars = Array(text.unicodeScalars)
        while let first = scalars.first, UnicodeClasses.isPythonSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, UnicodeClasses.isPythonSpace(last) { scalars.removeLast() }
        var ascii = ""
        for (index, scalar) in scalars.enumerated() {
            if let digit = UnicodeClasses.pythonDecimalDigit(scalar) {
                ascii.append(String(digit))
            } else if scalar == "_" {
                // Python accepts one underscore only between two digits.
                guard index > 0, index + 1 < scalars.count,
                      UnicodeClasses.pythonDecimalDigit(scalars[index - 1]) != nil,
                      UnicodeClasses.pythonDecimalDigit(scalars[index + 1]) != nil else { return nil }
            } else if scalar.isASCII {
                ascii.unicodeScalars.append(scalar)
            } else {
                return nil
            }
        }
        var body = Substring(ascii.lowercased())
        var sign = 1.0
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        switch body {
        case "inf", "infinity": return sign * .infinity
        case "nan": return .nan
        default: break
        }
        guard isDecimalLiteral(body), let value = Double(String(body)) else { return nil }
        return sign * value
    }

    /// `digits [. digits?] | . digits`, then an optional exponent `e [sign] digits`.
    private static func isDecimalLiteral(_ text: Substring) -> Bool {
        let chars = Array(text.utf8)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < chars.count, chars[index] >= 0x30, chars[index] <= 0x39 { index += 1 }
            return index - start
        }
        var mantissaDigits = digits()
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if index < chars.count, chars[index] == UInt8(ascii: "e") {
            index += 1
            if index < chars.count, chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == chars.count
    }
}

/// How long a model stays resident once idle: a number of seconds or a duration string
/// (`"300"`, `"90s"`, `"5m"`, `"1h"`, `"-1"`); negative means forever, 0 unload when idle.
public struct KeepAlive: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Seconds; `nil` = forever.
    public var seconds: Double?

    /// Creates a keep-alive of `seconds` (`nil` or negative = forever).
    public init(seconds: Double?) {
        self.seconds = seconds.flatMap { $0 < 0 ? nil : $0 }
    }

    /// Keep forever.
    public static let forever = KeepAlive(seconds: nil)

    /// Parses `"300"`, `"90s"`, `"5m"`, `"1h"`, `"-1"`.
    public init?(parsing text: String) {
        var body = Substring(text.trimmingCharacters(in: " "))
        var unit = 1.0
        switch body.last {
        case "s": unit = 1; body = body.dropLast()
        case "m": unit = 60; body = body.dropLast()
        case "h": unit = 3600; body = body.dropLast()
        default: break
        }
        guard let value = Double(body), value.isFinite else { return nil }
        self.init(seconds: value * unit)
    }

    /// Decodes a number of seconds or a duration string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            guard number.isFinite else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be finite")
            }
            self.init(seconds: number)
        } else {
            let text = try container.decode(String.self)
            guard let parsed = KeepAlive(parsing: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\"\(text)\" is not a duration like 300, \"90s\", \"5m\", \"1h\" or -1")
            }
            self = parsed
        }
    }

    /// Encodes seconds, or -1 for forever.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds ?? -1)
    }

    /// `5m`, `90s`, `forever`.
    public var description: String {
        guard let seconds else { return "forever" }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}

extension String {
    /// The string without leading and trailing `character`s.
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}

/// A configuration that cannot be used: unreadable file, unknown key, bad value.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending key (dotted, `limits.max_frames`), when one is to blame.
    public let key: String?
    /// What is wrong, for people.
    public let message: String

    /// Creates an error.
    public init(key: String? = nil, _ message: String) {
        self.key = key
        self.message = message
    }

    /// `key: message`.
    public var description: String { key.map { "\($0): \(message)" } ?? message }
}

/// Errors of the weights module: unreadable, malformed or unsafe model files.
///
/// `kind` is a stable identifier that clients and the protocol switch on; `message` names the
/// file and the rule that failed. Kinds are an open set (new ones are added as static
/// constants in extensions), following swift-nio's `FileSystemError` pattern.
public struct WeightsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifier of a failure class.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier as it appears in logs and protocol errors.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The identifier.
        public var description: String { rawValue }

        /// The file could not be opened, read or written.
        public static let io = Kind(rawValue: "io")
        /// A tensor that the caller asked for is not in the file.
        public static let tensorNotFound = Kind(rawValue: "tensorNotFound")
        /// A caller-supplied argument (shape, dtype, configuration) is invalid.
        public static let invalidArgument = Kind(rawValue: "invalidArgument")
    }

    /// Which rule failed.
    public let kind: Kind
    /// What failed, naming the file and the rule.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Errors of the daemon's own machinery (registry, configuration, sockets, jobs).
///
/// `kind` is stable; ``rpcKind`` says which protocol error a client sees for it.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifier of a failure class; an open set, extended with static constants.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier as it appears in logs.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The identifier.
        public var description: String { rawValue }

        /// The registry database could not be opened, read or written.
        public static let registry = Kind(rawValue: "registry")
        /// The registry was written by a newer adiffd (its schema version is unknown here).
        public static let registryTooNew = Kind(rawValue: "registryTooNew")
        /// A file or directory could not be read or written.
        public static let io = Kind(rawValue: "io")
    }

    /// Which rule failed.
    public let kind: Kind
    /// What failed, for people.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Why a client could not talk to the daemon (as opposed to an error the daemon answered).
public struct RPCClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: String, Sendable, Equatable {
        /// No daemon listens on the socket (ENOENT, ECONNREFUSED).
        case unavailable
        /// The socket exists but this user may not connect (EACCES, EPERM).
        case permissionDenied
        /// The connection broke or the daemon sent something that is not the protocol.
        case io
        /// No answer within the timeout.
        case timedOut
    }

    /// The failure class.
    public let kind: Kind
    /// What failed, for people.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `message`.
    public var description: String { message }
}

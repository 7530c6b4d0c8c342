/// A JSON-RPC error object: `{code, message, data: {kind, …}}`.
///
/// `data.kind` is the stable ``RPCErrorKind``; `data.jobId` and `data.field` say which job or
/// which request field the error is about, when that applies.
public struct RPCError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// Structured detail that clients can switch on.
    public struct Detail: Sendable, Equatable, Codable {
        /// The stable error kind.
        public var kind: RPCErrorKind
        /// The job the error concerns.
        public var jobId: String?
        /// The request field that was wrong (dotted path, e.g. `animatediff.video_length`).
        public var field: String?

        /// Creates the detail object.
        public init(kind: RPCErrorKind, jobId: String? = nil, field: String? = nil) {
            self.kind = kind
            self.jobId = jobId
            self.field = field
        }
    }

    /// The JSON-RPC code (fixed per kind).
    public var code: Int
    /// What went wrong, for people.
    public var message: String
    /// Kind and context, for programs.
    public var data: Detail

    /// The stable kind (shorthand for `data.kind`).
    public var kind: RPCErrorKind { data.kind }

    /// Creates an error of `kind`; the code follows from the kind.
    public init(_ kind: RPCErrorKind, _ message: String, jobId: String? = nil, field: String? = nil) {
        code = kind.code
        self.message = message
        data = Detail(kind: kind, jobId: jobId, field: field)
    }

    /// `Kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

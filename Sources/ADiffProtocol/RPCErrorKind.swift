/// Stable error kinds of the protocol; clients switch on `rawValue` (sent as `error.data.kind`),
/// never on messages. Each kind has a fixed JSON-RPC code.
public struct RPCErrorKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The identifier sent as `error.data.kind`.
    public let rawValue: String
    /// The JSON-RPC `error.code` that goes with it.
    public let code: Int

    /// Creates a kind with its code.
    public init(_ rawValue: String, code: Int) {
        self.rawValue = rawValue
        self.code = code
    }

    /// Looks a kind up by identifier; unknown identifiers map to ``internal``.
    public init(rawValue: String) {
        self = RPCErrorKind.all.first { $0.rawValue == rawValue } ?? RPCErrorKind(rawValue, code: RPCErrorKind.internal.code)
    }

    /// Decodes the identifier.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the identifier.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The identifier.
    public var description: String { rawValue }

    // JSON-RPC 2.0's own set.
    /// The line is not valid JSON.
    public static let parseError = RPCErrorKind("ParseError", code: -32700)
    /// Valid JSON that is not a JSON-RPC 2.0 request.
    public static let invalidRequest = RPCErrorKind("InvalidRequest", code: -32600)
    /// A line longer than the 1 MiB cap; the connection is closed after this error.
    public static let lineTooLong = RPCErrorKind("LineTooLong", code: -32600)
    /// No such method.
    public static let methodNotFound = RPCErrorKind("MethodNotFound", code: -32601)
    /// The params do not fit the method (names the field).
    public static let invalidParams = RPCErrorKind("InvalidParams", code: -32602)
    /// A bug or an unexpected failure in the daemon.
    public static let `internal` = RPCErrorKind("Internal", code: -32603)

    // adiff's own, in the server range.
    /// A model name that resolves to no file under the configured roots.
    public static let modelNotFound = RPCErrorKind("ModelNotFound", code: -32001)
    /// The job queue is full; retry later.
    public static let queueFull = RPCErrorKind("QueueFull", code: -32002)
    /// The request would exceed the memory budget.
    public static let outOfMemory = RPCErrorKind("OutOfMemory", code: -32003)
    /// Width, height or frame count outside what the model or the limits allow.
    public static let invalidDimensions = RPCErrorKind("InvalidDimensions", code: -32004)
    /// The requested output format has no encoder on this machine.
    public static let encoderUnavailable = RPCErrorKind("EncoderUnavailable", code: -32005)
    /// The peer's uid may not do this (cancel someone else's job, …).
    public static let notPermitted = RPCErrorKind("NotPermitted", code: -32006)
    /// A client-named file outside the configured roots.
    public static let pathOutsideRoot = RPCErrorKind("PathOutsideRoot", code: -32007)
    /// A model file that is malformed, unsafe or does not fit the checkpoint.
    public static let invalidModel = RPCErrorKind("InvalidModel", code: -32008)
    /// A configured limit (steps, frames, batch, request size) was exceeded.
    public static let limitExceeded = RPCErrorKind("LimitExceeded", code: -32009)
    /// `hello` named a protocol major version the daemon does not speak.
    public static let protocolMismatch = RPCErrorKind("ProtocolMismatch", code: -32010)
    /// No job with that id (or not visible to this uid).
    public static let jobNotFound = RPCErrorKind("JobNotFound", code: -32011)
    /// An input image or video could not be decoded.
    public static let decodeFailed = RPCErrorKind("DecodeFailed", code: -32012)
    /// The output could not be written: disk full or I/O error.
    public static let outputFailed = RPCErrorKind("OutputFailed", code: -32013)
    /// The daemon stopped while the job ran.
    public static let interrupted = RPCErrorKind("Interrupted", code: -32014)
    /// This daemon has no generation engine linked in; `generate` jobs fail with this kind.
    public static let engineUnavailable = RPCErrorKind("EngineUnavailable", code: -32015)
    /// The job was cancelled (by request, disconnect or shutdown).
    public static let cancelled = RPCErrorKind("Cancelled", code: -32800)

    /// Every kind the protocol defines.
    public static let all: [RPCErrorKind] = [
        .parseError, .invalidRequest, .lineTooLong, .methodNotFound, .invalidParams, .internal,
        .modelNotFound, .queueFull, .outOfMemory, .invalidDimensions, .encoderUnavailable,
        .notPermitted, .pathOutsideRoot, .invalidModel, .limitExceeded, .protocolMismatch,
        .jobNotFound, .decodeFailed, .outputFailed, .interrupted, .engineUnavailable, .cancelled,
    ]
}

/// Errors of the media module: unreadable or hostile inputs, limits, encoders and file I/O.
///
/// `kind` is a stable identifier that the service maps to protocol error codes
/// (`decodeFailed`, `unrecognizedFormat` and `noFrames` → `decode_failed`; `limitExceeded` and
/// `timedOut` → `limit_exceeded`; `io` → `io_error`; `diskFull` → `disk_full`). `message` names
/// the input and the rule that failed. Kinds are an open set, as in `WeightsError`.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifier of a failure class.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier as it appears in logs and protocol errors.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The identifier.
        public var description: String { rawValue }

        /// The input is recognised but its data is corrupt or truncated.
        public static let decodeFailed = Kind(rawValue: "decodeFailed")
        /// The input is not an image or video this module reads (or is a refused container).
        public static let unrecognizedFormat = Kind(rawValue: "unrecognizedFormat")
        /// The input is well-formed but holds no video frame.
        public static let noFrames = Kind(rawValue: "noFrames")
        /// Dimensions, pixel count, frame count, duration or size exceed a configured cap.
        public static let limitExceeded = Kind(rawValue: "limitExceeded")
        /// Decoding took longer than the wall-clock budget.
        public static let timedOut = Kind(rawValue: "timedOut")
        /// The FFmpeg build lacks a required encoder or muxer.
        public static let encoderUnavailable = Kind(rawValue: "encoderUnavailable")
        /// An encoder or muxer reported an error while writing.
        public static let encodeFailed = Kind(rawValue: "encodeFailed")
        /// A caller-supplied argument (frame size, fps, option, name) is invalid.
        public static let invalidArgument = Kind(rawValue: "invalidArgument")
        /// A file or directory could not be opened, written, synced or renamed.
        public static let io = Kind(rawValue: "io")
        /// The file system ran out of space (ENOSPC, EDQUOT, EFBIG).
        public static let diskFull = Kind(rawValue: "diskFull")
        /// The output name is already taken and was left untouched.
        public static let nameTaken = Kind(rawValue: "nameTaken")
    }

    /// Which rule failed.
    public let kind: Kind
    /// What failed, naming the input and the rule.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Errors of the pipeline: a request that cannot be rendered as asked.
///
/// `kind` is stable; `field` names the request parameter at fault (WebUI / extension API
/// names), so a client can point at it.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifier of a failure class; an open set, extended with static constants.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier as it appears in logs and protocol errors.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The identifier.
        public var description: String { rawValue }

        /// A parameter outside its valid range or inconsistent with another.
        public static let invalidParameter = Kind(rawValue: "invalidParameter")
        /// A prompt-travel prompt that does not follow the grammar's rules.
        public static let invalidPromptTravel = Kind(rawValue: "invalidPromptTravel")
        /// The caller asked to stop; raised at the next context window.
        public static let cancelled = Kind(rawValue: "cancelled")
        /// A LoRA (or motion LoRA, adapter) file whose tensors do not form valid low-rank pairs.
        public static let invalidNetwork = Kind(rawValue: "invalidNetwork")
        /// A LoRA made for another architecture than the loaded models (SDXL on SD1.5, a motion
        /// LoRA without a motion module, layers of the wrong shape).
        public static let incompatibleNetwork = Kind(rawValue: "incompatibleNetwork")
        /// A model (text encoder, UNet, VAE) failed while running; the message carries its error.
        public static let modelFailure = Kind(rawValue: "modelFailure")
        /// A requested feature this build does not implement (FILM, FreeInit, ControlNet sources).
        public static let unsupported = Kind(rawValue: "unsupported")
    }

    /// Which rule failed.
    public let kind: Kind
    /// What failed, for people.
    public let message: String
    /// The request parameter at fault.
    public let field: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }

    /// The cancellation error.
    public static let cancelledByCaller = PipelineError(.cancelled, "generation cancelled")
}

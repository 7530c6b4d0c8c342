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
}

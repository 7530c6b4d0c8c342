/// Errors of the text front end: the tokenizer vocabulary, prompt syntax and textual-inversion tables.
///
/// `kind` is a stable identifier that clients and the protocol switch on; `message` names what was
/// wrong (the file, the prompt rule, the embedding). Kinds are an open set, as in `WeightsError`.
public struct TextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifier of a failure class.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier as it appears in logs and protocol errors.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The identifier.
        public var description: String { rawValue }

        /// The BPE vocabulary resource is missing, not gzip, or not a CLIP merges file.
        public static let vocabulary = Kind(rawValue: "vocabulary")
        /// The prompt breaks a syntax rule that the WebUI would also reject (e.g. `(a:1.2.3)`).
        public static let promptSyntax = Kind(rawValue: "promptSyntax")
        /// A textual-inversion entry is unusable (empty name, bad vector count).
        public static let textualInversion = Kind(rawValue: "textualInversion")
        /// The prompt is longer than the processor accepts (`PromptTextProcessor.maximumLength`).
        public static let promptTooLong = Kind(rawValue: "promptTooLong")
        /// A caller-supplied argument (array shape, option value) is invalid.
        public static let invalidArgument = Kind(rawValue: "invalidArgument")
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

/// Errors of the model layer: weights that do not describe a supported architecture, a motion
/// module that does not fit a checkpoint, inputs of the wrong shape.
///
/// `kind` is a stable identifier that clients and the protocol switch on; `message` names the
/// file, tensor or value that was wrong. Kinds are an open set, as in `WeightsError`.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifier of a failure class.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier as it appears in logs and protocol errors.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The identifier.
        public var description: String { rawValue }

        /// A tensor the architecture needs is not in the weights.
        public static let missingWeight = Kind(rawValue: "missingWeight")
        /// A tensor has a shape the inferred architecture cannot use.
        public static let weightShape = Kind(rawValue: "weightShape")
        /// The weights do not describe an architecture this build supports.
        public static let unsupportedArchitecture = Kind(rawValue: "unsupportedArchitecture")
        /// A motion module (or LoRA, adapter) does not fit the checkpoint it is combined with.
        public static let incompatibleModel = Kind(rawValue: "incompatibleModel")
        /// An input tensor or argument (frame count, size, timestep) is invalid.
        public static let invalidInput = Kind(rawValue: "invalidInput")
    }

    /// Which rule failed.
    public let kind: Kind
    /// What failed, naming the tensor, file or value.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

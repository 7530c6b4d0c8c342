/// Errors of the tensor module. `kind` is stable; clients and the protocol switch on it.
public struct TensorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifier of the failure class.
    public let kind: Kind
    /// Human-readable detail.
    public let message: String

    /// The failure classes of tensor operations.
    public enum Kind: String, Sendable {
        /// Operand shapes do not fit the operation.
        case shapeMismatch
        /// A dtype this module cannot widen to Float32.
        case unsupportedDType
        /// A byte buffer whose length does not match its dtype and element count.
        case byteCountMismatch
    }

    /// Creates an error of `kind` with a message.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

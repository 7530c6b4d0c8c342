import ADiffTensor

/// Dimensions of a generated textual-inversion embedding.
public struct TextualInversionConfig: Sendable, Equatable {
    /// Vectors the embedding expands to in a prompt.
    public var vectors: Int
    /// Width of each vector; must equal the text encoder's width for A1111 to accept it.
    public var width: Int
    /// Storage type.
    public var dtype: DType

    /// Creates a configuration.
    public init(vectors: Int, width: Int, dtype: DType) {
        self.vectors = vectors
        self.width = width
        self.dtype = dtype
    }

    /// Checks positivity.
    public func validate() throws {
        guard vectors > 0, width > 0 else {
            throw WeightsError(
                .invalidArgument, "embedding config: vectors \(vectors) and width \(width) must be positive")
        }
    }
}

import ADiffTensor

/// A resident textual-inversion embedding.
public struct ResidentEmbedding: ResidentModel {
    /// `[n, width]` vectors.
    public let vectors: Tensor
    /// Bytes of the vectors.
    public var residentBytes: Int64 { Int64(vectors.count * MemoryLayout<Float>.size) }
}

import ADiffProtocol
import ADiffWeights

/// The loader used until the generation pipeline provides its own: it opens and fully
/// validates the weight file (`WeightFiles.open`: safetensors header and offsets, or the
/// restricted checkpoint unpickler) and keeps the validated reader, whose tensors are read on
/// demand. It reports the bytes the tensors occupy once read, so the memory budget and `ps`
/// already behave as they will with real models.
public struct WeightFileLoader: ResidentModelLoader {
    /// A validated, open weight file.
    public struct Model: ResidentModel {
        /// The validated reader.
        public let weights: any WeightFile
        /// Total tensor bytes.
        public let residentBytes: Int64
    }

    /// Creates the loader.
    public init() {}

    /// Opens the file's header to count its tensor bytes.
    public func estimatedBytes(of file: ResolvedModelFile, kind: ModelKind) async throws -> Int64? {
        let source = file.byteSource
        return try await Blocking.run { Int64(try WeightFiles.open(source).tensorByteCount) }
    }

    /// Opens and validates the file.
    public func load(_ file: ResolvedModelFile, kind: ModelKind) async throws -> any ResidentModel {
        let source = file.byteSource
        return try await Blocking.run {
            let weights = try WeightFiles.open(source)
            return Model(weights: weights, residentBytes: Int64(weights.tensorByteCount))
        }
    }
}

import ADiffProtocol

/// Builds resident models from resolved files: the seam between the cache and the model layer.
///
/// The default, ``WeightFileLoader``, validates the file and keeps it open; the generation
/// pipeline's loader (which builds the networks) replaces it when the engine is wired in.
public protocol ResidentModelLoader: Sendable {
    /// Bytes `file` would hold once loaded, so the cache can make room first; `nil` when
    /// unknown until loaded.
    func estimatedBytes(of file: ResolvedModelFile, kind: ModelKind) async throws -> Int64?
    /// Loads `file` as a model of `kind`.
    ///
    /// - Throws: any error; ``WeightsError`` (malformed or unsafe file) maps to `InvalidModel`.
    func load(_ file: ResolvedModelFile, kind: ModelKind) async throws -> any ResidentModel
}

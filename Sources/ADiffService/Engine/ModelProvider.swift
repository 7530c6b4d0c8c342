import ADiffProtocol

/// Gives the engine further models a job names inside its prompt (`<lora:name:1>`,
/// embeddings), resolved and loaded through the same catalog and cache as the checkpoint;
/// they stay in use until the job ends.
public protocol ModelProvider: Sendable {
    /// Resolves and loads `name` of `kind`.
    ///
    /// - Throws: ``RPCError`` `.modelNotFound`, `.pathOutsideRoot`, `.invalidModel`, `.outOfMemory`.
    func model(named name: String, kind: ModelKind) async throws(RPCError) -> LoadedModel
    /// Every file of `kind` (e.g. to match embedding names in a prompt).
    func files(of kind: ModelKind) async -> [ModelFile]
}

import ADiffProtocol

/// The ``ModelProvider`` a job's engine call gets: loads through the shared catalog and
/// cache and releases everything it handed out when the job ends.
actor JobModelProvider: ModelProvider {
    private let catalog: ModelCatalog
    private let cache: ModelCache
    private var held: [String] = []

    init(catalog: ModelCatalog, cache: ModelCache) {
        self.catalog = catalog
        self.cache = cache
    }

    func model(named name: String, kind: ModelKind) async throws(RPCError) -> LoadedModel {
        let file = try await catalog.resolve(name, kind: kind)
        let model = try await cache.acquire(file, kind: kind)
        held.append(file.sha256)
        return LoadedModel(file: file, model: model)
    }

    func files(of kind: ModelKind) async -> [ModelFile] {
        await catalog.list(kind: kind)
    }

    /// Ends the job's use of every model it loaded.
    func releaseAll() async {
        for sha in held { await cache.release(sha) }
        held.removeAll()
    }
}

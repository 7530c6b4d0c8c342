import ADiffProtocol
@testable import ADiffService

/// A loader whose models hold a fixed number of bytes each, so eviction is easy to steer.
struct SizedLoader: ResidentModelLoader {
    struct Model: ResidentModel {
        let residentBytes: Int64
    }

    let bytes: Int64

    func estimatedBytes(of file: ResolvedModelFile, kind: ModelKind) async throws -> Int64? { bytes }

    func load(_ file: ResolvedModelFile, kind: ModelKind) async throws -> any ResidentModel { Model(residentBytes: bytes) }
}

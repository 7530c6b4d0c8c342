import ADiffProtocol
import Foundation
import Testing
@testable import ADiffService

@Suite struct ModelCacheTests {
    private func files(_ dir: TemporaryDirectory, count: Int) async throws -> [ResolvedModelFile] {
        for index in 0..<count {
            try dir.write("models/Stable-diffusion/m\(index).safetensors", TestModelFiles.safetensors(seed: Float(index)))
        }
        let catalog = ModelCatalog(roots: [dir.path + "/models"], registry: try Registry(path: dir.path + "/s.db"))
        var resolved: [ResolvedModelFile] = []
        for index in 0..<count { resolved.append(try await catalog.resolve("m\(index)", kind: .checkpoint)) }
        return resolved
    }

    @Test func leastRecentlyUsedIdleModelsAreEvictedToFitTheBudget() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let models = try await files(dir, count: 3)
        let clock = TestClock()
        let cache = ModelCache(loader: SizedLoader(bytes: 40), budgetBytes: 100, defaultKeepAlive: .forever, now: { clock.now })
        _ = try await cache.load(models[0], kind: .checkpoint, keepAlive: nil)
        clock.advance(1)
        _ = try await cache.load(models[1], kind: .checkpoint, keepAlive: nil)
        clock.advance(1)
        _ = try await cache.load(models[0], kind: .checkpoint, keepAlive: nil)  // m0 is now the most recent
        clock.advance(1)
        _ = try await cache.load(models[2], kind: .checkpoint, keepAlive: nil)
        #expect(await cache.isResident(models[0].sha256))
        #expect(await !cache.isResident(models[1].sha256))
        #expect(await cache.isResident(models[2].sha256))
        #expect(await cache.snapshot().residentBytes == 80)
    }

    @Test func modelsInUseAreNeverEvicted() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let models = try await files(dir, count: 2)
        let cache = ModelCache(loader: SizedLoader(bytes: 60), budgetBytes: 100, defaultKeepAlive: .forever)
        _ = try await cache.acquire(models[0], kind: .checkpoint)
        do {
            _ = try await cache.load(models[1], kind: .checkpoint, keepAlive: nil)
            Issue.record("loaded past the budget")
        } catch {
            #expect(error.kind == .outOfMemory)
        }
        #expect(await cache.snapshot().models.first?.inUse == 1)
        await cache.release(models[0].sha256)
        _ = try await cache.load(models[1], kind: .checkpoint, keepAlive: nil)
        #expect(await !cache.isResident(models[0].sha256))
    }

    @Test func keepAliveExpiresIdleModels() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let models = try await files(dir, count: 3)
        let clock = TestClock()
        let cache = ModelCache(loader: SizedLoader(bytes: 1), budgetBytes: 100, defaultKeepAlive: KeepAlive(seconds: 300), now: { clock.now })
        let info = try await cache.load(models[0], kind: .checkpoint, keepAlive: KeepAlive(seconds: 10))
        #expect(info.expiresAt == clock.now.timeIntervalSince1970 + 10 && info.keepAlive == "10s")
        _ = try await cache.load(models[1], kind: .checkpoint, keepAlive: .forever)
        _ = try await cache.load(models[2], kind: .checkpoint, keepAlive: KeepAlive(seconds: 0))
        #expect(await !cache.isResident(models[2].sha256))
        clock.advance(9)
        #expect(await cache.expire().isEmpty)
        clock.advance(2)
        #expect(await cache.expire() == ["m0.safetensors"])
        clock.advance(1e6)
        #expect(await cache.expire().isEmpty)
        #expect(await cache.isResident(models[1].sha256))
        #expect(await cache.unload(models[1].sha256) == ModelsUnloadResult(unloaded: true, inUse: false))
        #expect(await cache.unload(models[1].sha256) == ModelsUnloadResult(unloaded: false, inUse: false))
    }

    @Test func aCorruptFileIsAnInvalidModelAndLeavesNoEntry() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("models/Stable-diffusion/bad.safetensors", TestModelFiles.corrupt)
        let catalog = ModelCatalog(roots: [dir.path + "/models"], registry: try Registry(path: dir.path + "/s.db"))
        let file = try await catalog.resolve("bad", kind: .checkpoint)
        let cache = ModelCache(loader: WeightFileLoader(), budgetBytes: 1 << 30, defaultKeepAlive: .forever)
        for _ in 0..<2 {
            do {
                _ = try await cache.load(file, kind: .checkpoint, keepAlive: nil)
                Issue.record("a corrupt file loaded")
            } catch {
                #expect(error.kind == .invalidModel)
            }
        }
        #expect(await cache.snapshot().models.isEmpty)
    }

    @Test func theWeightFileLoaderCountsTensorBytes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("models/Stable-diffusion/ok.safetensors", TestModelFiles.safetensors(count: 16))
        let catalog = ModelCatalog(roots: [dir.path + "/models"], registry: try Registry(path: dir.path + "/s.db"))
        let cache = ModelCache(loader: WeightFileLoader(), budgetBytes: 1 << 30, defaultKeepAlive: .forever)
        let info = try await cache.load(try await catalog.resolve("ok", kind: .checkpoint), kind: .checkpoint, keepAlive: nil)
        #expect(info.sizeBytes == 64)
    }
}

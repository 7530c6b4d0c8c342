import ADiffProtocol
import ADiffWeights
import Foundation
import Testing
@testable import ADiffService

@Suite struct ModelCatalogTests {
    private func catalog(_ dir: TemporaryDirectory) throws -> (ModelCatalog, Registry) {
        let registry = try Registry(path: dir.path + "/state.db")
        return (ModelCatalog(roots: [dir.path + "/models"], registry: registry), registry)
    }

    @Test func namesResolveLikeTheWebUI() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("models/Stable-diffusion/sub/alpha.safetensors", TestModelFiles.safetensors(seed: 1))
        try dir.write("models/Stable-diffusion/beta.ckpt", TestModelFiles.safetensors(seed: 2))
        try dir.write("models/AnimateDiff/mm.safetensors", TestModelFiles.safetensors(seed: 3))
        try dir.write("models/Stable-diffusion/notes.txt", Array("x".utf8))
        let (catalog, _) = try catalog(dir)
        #expect(await catalog.list(kind: .checkpoint).map(\.name) == ["beta.ckpt", "sub/alpha.safetensors"])
        let full = try await catalog.resolve("sub/alpha.safetensors", kind: .checkpoint)
        #expect(full.sha256.count == 64)
        for name in ["sub/alpha", "alpha", "alpha.safetensors", "sub/alpha.safetensors [\(full.sha256.prefix(10))]",
                     String(full.sha256.prefix(10)), full.sha256] {
            let resolved = try await catalog.resolve(name, kind: .checkpoint)
            #expect(resolved.file.name == "sub/alpha.safetensors", "\(name)")
        }
        #expect(try await catalog.resolve("mm", kind: .motion).file.kind == .motion)
        await #expect(throws: RPCError.self) { try await catalog.resolve("alpha [0000000000]", kind: .checkpoint) }
        do {
            _ = try await catalog.resolve("gamma", kind: .checkpoint)
        } catch {
            #expect(error.kind == .modelNotFound)
        }
    }

    @Test func pathsThatLeaveTheRootsAreRejected() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("outside.safetensors", TestModelFiles.safetensors())
        try dir.write("models/Stable-diffusion/ok.safetensors", TestModelFiles.safetensors())
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/models/Stable-diffusion/escape.safetensors", withDestinationPath: dir.path + "/outside.safetensors")
        let (catalog, _) = try catalog(dir)
        for name in ["../outside.safetensors", "../../etc/passwd", "/etc/passwd", "escape.safetensors"] {
            do {
                _ = try await catalog.resolve(name, kind: .checkpoint)
                Issue.record("\(name) resolved")
            } catch {
                #expect(error.kind == .pathOutsideRoot, "\(name): \(error)")
            }
        }
    }

    @Test func aReplacedFileIsHashedAgain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (catalog, registry) = try catalog(dir)
        try dir.write("models/Stable-diffusion/m.safetensors", TestModelFiles.safetensors(seed: 1))
        await catalog.rescan()
        let first = try await catalog.resolve("m", kind: .checkpoint)
        let file = first.file
        #expect(try registry.cachedHash(path: file.path, identity: first.handle.identity) == first.sha256)
        #expect(try await catalog.resolve("m", kind: .checkpoint).sha256 == first.sha256)
        try dir.write("models/Stable-diffusion/m.safetensors", TestModelFiles.safetensors(seed: 9))
        let second = try await catalog.resolve("m", kind: .checkpoint)
        #expect(second.sha256 != first.sha256)
        #expect(second.sha256 == (try ModelHashes.sha256(path: file.path)))
    }

    @Test func specialFilesAreNotOpened() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/models/Stable-diffusion", withIntermediateDirectories: true)
        #expect(mkfifo(dir.path + "/models/Stable-diffusion/pipe.safetensors", 0o600) == 0)
        do {
            _ = try ConfinedFile(root: dir.path + "/models/Stable-diffusion", relativePath: "pipe.safetensors")
            Issue.record("a FIFO was opened")
        } catch {
            #expect(error.kind == .invalidParams)
        }
    }
}

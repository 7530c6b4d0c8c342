import Foundation
import GRDB
import Testing
@testable import ADiffService

@Suite struct RegistryTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adiff-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func jobLifecycleIsRecordedAndListedPerUID() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Registry(path: dir.appendingPathComponent("registry.sqlite").path)
        try registry.insert(JobRecord(id: "j1", uid: 1000, request: #"{"prompt":"a"}"#, createdAt: 1))
        try registry.insert(JobRecord(id: "j2", uid: 1001, request: #"{"prompt":"b"}"#, createdAt: 2))
        try registry.markRunning("j1", at: 3)
        try registry.finish("j1", state: .done, result: #"{"outputs":[]}"#, at: 4)

        let job = try #require(try registry.job("j1"))
        #expect(job.state == .done)
        #expect(job.startedAt == 3 && job.finishedAt == 4)
        #expect(job.result == #"{"outputs":[]}"#)
        #expect(try registry.jobs(uid: 1000).map(\.id) == ["j1"])
        #expect(try registry.jobs().map(\.id) == ["j2", "j1"])
        #expect(try registry.job("missing") == nil)
    }

    @Test func jobsLeftUnfinishedByADeadDaemonAreReportedFailedOnReopen() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("registry.sqlite").path
        do {
            let registry = try Registry(path: path)
            try registry.insert(JobRecord(id: "running", uid: 0, request: "{}", createdAt: 1))
            try registry.insert(JobRecord(id: "queued", uid: 0, request: "{}", createdAt: 2))
            try registry.insert(JobRecord(id: "finished", uid: 0, request: "{}", createdAt: 0))
            try registry.markRunning("running")
            try registry.finish("finished", state: .cancelled, errorKind: "Cancelled", errorMessage: "by request")
        }
        let reopened = try Registry(path: path)
        #expect(reopened.recoveredJobIDs == ["running", "queued"])
        let running = try #require(try reopened.job("running"))
        #expect(running.state == .failed)
        #expect(running.errorKind == "Interrupted")
        #expect(running.errorMessage == "adiffd stopped while this job was running")
        #expect(try reopened.job("queued")?.errorMessage == "adiffd stopped before this job started")
        #expect(try reopened.job("finished")?.state == .cancelled)
        #expect(try reopened.integrityCheck())
    }

    @Test func hashCacheMissesWhenTheFileChanges() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Registry(path: dir.appendingPathComponent("registry.sqlite").path)
        let model = dir.appendingPathComponent("model.safetensors")
        try Data("first".utf8).write(to: model)
        let first = try #require(FileIdentity(path: model.path))
        try registry.storeHash(path: model.path, identity: first, sha256: "aa")
        #expect(try registry.cachedHash(path: model.path, identity: first) == "aa")

        // Replaced by a new file (new inode, new size): the cache must not answer.
        try FileManager.default.removeItem(at: model)
        try Data("second!".utf8).write(to: model)
        let second = try #require(FileIdentity(path: model.path))
        #expect(second != first)
        #expect(try registry.cachedHash(path: model.path, identity: second) == nil)
        try registry.storeHash(path: model.path, identity: second, sha256: "bb")
        #expect(try registry.cachedHash(path: model.path, identity: second) == "bb")
        #expect(FileIdentity(path: dir.path) == nil)
    }

    @Test func aRegistryFromANewerSchemaIsRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("registry.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "PRAGMA user_version = 99") }
        try queue.close()
        #expect(throws: ServiceError.self) { try Registry(path: path) }
        do {
            _ = try Registry(path: path)
        } catch let error as ServiceError {
            #expect(error.kind == .registryTooNew)
        }
    }

    @Test func aFileThatIsNotSQLiteIsRefusedWithARegistryError() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("registry.sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        do {
            _ = try Registry(path: path)
            Issue.record("a garbage file opened as a registry")
        } catch let error as ServiceError {
            #expect(error.kind == .registry)
        }
    }
}

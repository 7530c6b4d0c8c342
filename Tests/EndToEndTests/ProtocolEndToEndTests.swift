import ADiffService
import ADiffProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built adiffd driven over its socket by raw clients.
@Suite(.serialized) struct ProtocolEndToEndTests {
    @Test func helloStatusModelsPsAndJobsAnswer() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let connection = try RPCConnection(socketPath: daemon.socket)
        #expect(try connection.errorKind("status") == .invalidRequest)  // hello first
        #expect(try connection.errorKind("hello", .object(["protocol": .int(2)])) == .protocolMismatch)
        let hello = try connection.result("hello", .object(["protocol": .int(1), "client": .string("e2e")]), as: Hello.Result.self)
        #expect(hello.protocol == 1 && hello.server.hasPrefix("adiffd/"))
        let status = try connection.result("status", as: StatusResult.self)
        #expect(status.queued == 0 && status.running == 0 && status.engine == true && status.peerUid == Int(getuid()))
        let models = try connection.result("models.list", as: ModelsListResult.self)
        #expect(models.models.contains { $0.kind == .checkpoint && $0.name == "tiny-sd15.safetensors" })
        #expect(models.models.filter { $0.kind == .motion }.count >= 2)
        #expect(try connection.result("ps", as: PSResult.self).models.isEmpty)
        #expect(try connection.result("jobs.list", as: JobsListResult.self).jobs.isEmpty)
        #expect(try daemon.stop() == 0)
    }

    @Test func badInputGetsItsErrorKindAndTheDaemonKeepsServing() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        try Data(TestFiles.corruptSafetensors).write(to: URL(fileURLWithPath: daemon.models + "/Stable-diffusion/broken.safetensors"))
        try Data(TestFiles.corruptSafetensors).write(to: URL(fileURLWithPath: daemon.root + "/outside.safetensors"))
        try FileManager.default.createSymbolicLink(
            atPath: daemon.models + "/Stable-diffusion/escape.safetensors", withDestinationPath: daemon.root + "/outside.safetensors")
        let connection = try daemon.connect()

        // Malformed JSON: ParseError with a null id; the connection stays usable.
        try connection.sendRaw(Array("{not json\n".utf8))
        guard case .response(nil, .failure(let parse))? = try connection.receive(timeout: 10) else {
            throw TestFailure("no parse error")
        }
        #expect(parse.kind == .parseError)
        #expect(try connection.errorKind("no.such.method") == .methodNotFound)
        #expect(try connection.errorKind("models.load", .object([:])) == .invalidParams)
        #expect(try connection.errorKind("models.load", .object(["name": .string("missing")])) == .modelNotFound)
        #expect(try connection.errorKind("models.load", .object(["name": .string("../../outside.safetensors")])) == .pathOutsideRoot)
        #expect(try connection.errorKind("models.load", .object(["name": .string("escape")])) == .pathOutsideRoot)
        #expect(try connection.errorKind("models.load", .object(["name": .string("broken")])) == .invalidModel)
        #expect(try connection.errorKind("generate", .object(["stepz": .int(3)])) == .invalidParams)
        #expect(try connection.errorKind("job.get", .object(["jobId": .string("j-nope")])) == .jobNotFound)
        #expect(try connection.result("status", as: StatusResult.self).queued == 0)

        // A line over 1 MiB: LineTooLong, then the daemon closes this connection only.
        // The daemon may close before it has read the last bytes; only its answer matters.
        try? connection.sendRaw([UInt8](repeating: 0x61, count: (1 << 20) + 10) + [0x0A])
        guard case .response(nil, .failure(let long))? = try connection.receive(timeout: 10) else {
            throw TestFailure("no LineTooLong")
        }
        #expect(long.kind == .lineTooLong)
        #expect(try connection.receive(timeout: 10) == nil)
        let again = try daemon.connect()
        #expect(try again.result("status", as: StatusResult.self).running == 0)
        #expect(try daemon.stop() == 0)
    }

    @Test func modelsLoadUnloadKeepAliveAndRehash() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let connection = try daemon.connect()
        let loaded = try connection.result(
            "models.load", .object(["name": .string("tiny-sd15"), "keepAlive": .string("1s")]), as: ResidentModelInfo.self)
        #expect(loaded.sizeBytes > 0 && loaded.sha256.count == 64 && loaded.keepAlive == "1s")
        var ps = try connection.result("ps", as: PSResult.self)
        #expect(ps.models.map(\.name) == ["tiny-sd15.safetensors"] && ps.residentBytes == loaded.sizeBytes)
        // Names: title with short hash, short hash, full hash.
        for name in ["tiny-sd15.safetensors [\(loaded.sha256.prefix(10))]", String(loaded.sha256.prefix(10)), loaded.sha256] {
            #expect(try connection.result("models.load", .object(["name": .string(name), "keepAlive": .int(1)]), as: ResidentModelInfo.self).sha256 == loaded.sha256)
        }
        // Keep-alive expiry unloads it.
        let deadline = Date().addingTimeInterval(5)
        repeat {
            usleep(100_000)
            ps = try connection.result("ps", as: PSResult.self)
        } while !ps.models.isEmpty && Date() < deadline
        #expect(ps.models.isEmpty)
        #expect(daemon.log.contains("keep-alive expired"))

        // Load again, unload explicitly.
        _ = try connection.result("models.load", .object(["name": .string("tiny-sd15"), "keepAlive": .int(-1)]), as: ResidentModelInfo.self)
        let listed = try connection.result("models.list", .object(["kind": .string("checkpoint")]), as: ModelsListResult.self)
        #expect(listed.models.first?.resident == true && listed.models.first?.sha256 == loaded.sha256)
        let unloaded = try connection.result("models.unload", .object(["name": .string("tiny-sd15")]), as: ModelsUnloadResult.self)
        #expect(unloaded.unloaded)
        #expect(try connection.result("ps", as: PSResult.self).models.isEmpty)

        // Replacing the file on disk gives a new hash.
        let path = daemon.models + "/Stable-diffusion/tiny-sd15.safetensors"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 1] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path + ".new"))
        rename(path + ".new", path)
        let reloaded = try connection.result("models.load", .object(["name": .string("tiny-sd15")]), as: ResidentModelInfo.self)
        #expect(reloaded.sha256 != loaded.sha256)
        let rescanned = try connection.result("models.rescan", .object(["hash": .bool(true)]), as: ModelsListResult.self)
        #expect(rescanned.models.allSatisfy { $0.sha256 != nil })
        #expect(try daemon.stop() == 0)
    }

    @Test func generateIsRecordedBeforeItIsAnswered() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let connection = try daemon.connect()
        let params: JSONValue = .object([
            "prompt": .string("fox"), "steps": .int(2), "width": .int(64), "height": .int(64),
            "override_settings": .object(["sd_model_checkpoint": .string("tiny-sd15")]),
            "alwayson_scripts": .object(["AnimateDiff": .object(["args": .array([.object(["model": .string("tiny-mm-v2"), "video_length": .int(4), "format": .array([.string("PNG")])])])])]),
        ])
        guard case .success(let value) = try connection.call("generate", params: params, timeout: 60) else {
            throw TestFailure("generate failed with the tiny models")
        }
        let result = try value.decode(GenerateResult.self)
        let job = try connection.result("job.get", .object(["jobId": .string(result.jobId)]), as: JobInfo.self)
        #expect(job.state == .done)
        #expect(try connection.result("jobs.list", as: JobsListResult.self).jobs.map(\.jobId) == [result.jobId])
        #expect(try daemon.stop() == 0)
    }

    @Test func sigtermExitsCleanlyAndKillNineRecoversInterruptedJobs() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let connection = try daemon.connect()
        _ = try connection.result("status", as: StatusResult.self)
        #expect(try daemon.stop(SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
        #expect(daemon.log.contains("stopped"))
        let registry = try Registry(path: daemon.stateDir + "/adiffd.db")
        #expect(try registry.integrityCheck())

        // A job recorded as running when the daemon is killed is reported failed after restart.
        try daemon.start()
        try registry.insert(JobRecord(id: "j-crashed", uid: 0, request: "{}"))
        try registry.markRunning("j-crashed")
        _ = try daemon.stop(SIGKILL)
        try daemon.start()
        let after = try daemon.connect()
        let job = try after.result("job.get", .object(["jobId": .string("j-crashed")]), as: JobInfo.self)
        #expect(job.state == .failed && job.error?.kind == "Interrupted")
        #expect(job.error?.message.contains("running") == true)
        #expect(daemon.log.contains("j-crashed"))
        #expect(try daemon.stop() == 0)
        #expect(try Registry(path: daemon.stateDir + "/adiffd.db").integrityCheck())
    }

    @Test func anUnknownConfigurationKeyStopsStartupNamingTheKey() throws {
        let daemon = try DaemonProcess()
        let file = daemon.root + "/bad.toml"
        try Data("queue_size = 2\n[limits]\nmax_framez = 3\n".utf8).write(to: URL(fileURLWithPath: file))
        let outcome = try Command.run(Binaries.adiffd, daemon.arguments + ["--config", file])
        #expect(outcome.status == 78)
        #expect(outcome.stderr.contains("limits.max_framez"))
    }
}

import ADiffProtocol
import Foundation
import Testing
@testable import ADiffService

/// The daemon in process, over its real socket, with the test engine.
@Suite(.serialized) struct DaemonServiceTests {
    private func generate(_ extra: [String: JSONValue] = [:], steps: Int = 3) -> JSONValue {
        var params: [String: JSONValue] = [
            "prompt": .string("fox"), "steps": .int(Int64(steps)), "width": .int(64), "height": .int(64), "seed": .int(7),
            "animatediff": .object(["video_length": .int(4), "batch_size": .int(4), "format": .array([.string("GIF"), .string("TXT")])]),
        ]
        params.merge(extra) { $1 }
        return .object(params)
    }

    @Test func anAttachedJobStreamsProgressAndAnswersWithItsOutputs() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine())
        defer { daemon.directory.remove() }
        let connection = try daemon.connect()
        var phases: [String] = []
        let outcome = try connection.call(
            "generate", params: generate(), timeout: 30,
            onNotification: { method, params in
                if method == "job.progress", let phase = params?["phase"]?.stringValue { phases.append(phase) }
            })
        let result = try outcome.get().decode(GenerateResult.self)
        #expect(result.outputs.map(\.format) == ["GIF", "TXT"])
        #expect(result.seeds == [7, 8, 9, 10])
        for output in result.outputs {
            #expect(output.path.hasPrefix(daemon.config.effectiveOutputDir + "/AnimateDiff/"))
            #expect(FileManager.default.fileExists(atPath: output.path))
        }
        #expect(phases.first == "queued" && phases.contains("denoise") && phases.contains("loading"))
        let job = try connection.call("job.get", params: .object(["jobId": .string(result.jobId)]), timeout: 10).get().decode(JobInfo.self)
        #expect(job.state == .done && job.result == result)
        try await daemon.stop()
    }

    @Test func aFullQueueAnswersQueueFullAtOnce() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(100))) { $0.queueSize = 1 }
        defer { daemon.directory.remove() }
        let connection = try daemon.connect()
        let detached = generate(["detach": .bool(true)], steps: 20)
        let first = try connection.call("generate", params: detached, timeout: 10).get().decode(GenerateAccepted.self)
        let second = try connection.call("generate", params: detached, timeout: 10).get().decode(GenerateAccepted.self)
        #expect(first.queuePosition == 0 && second.queuePosition == 1)
        let started = Date()
        let third = try connection.call("generate", params: detached, timeout: 10)
        #expect(Date().timeIntervalSince(started) < 2)
        guard case .failure(let error) = third else { Issue.record("the third job was accepted"); return }
        #expect(error.kind == .queueFull)
        // Cancelling the queued job frees its place.
        let cancelled = try connection.call("job.cancel", params: .object(["jobId": .string(second.jobId)]), timeout: 10).get().decode(JobInfo.self)
        #expect(cancelled.state == .cancelled)
        _ = try connection.call("generate", params: detached, timeout: 10).get()
        try await daemon.stop()
    }

    @Test func cancellingARunningJobStopsItWithinAStep() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(50))) { $0.limits.maxSteps = 1000 }
        defer { daemon.directory.remove() }
        let connection = try daemon.connect()
        let job = try connection.call("generate", params: generate(["detach": .bool(true)], steps: 200), timeout: 10).get()
            .decode(GenerateAccepted.self)
        try await Task.sleep(for: .milliseconds(300))
        let running = try connection.call("job.get", params: .object(["jobId": .string(job.jobId)]), timeout: 10).get().decode(JobInfo.self)
        #expect(running.state == .running && running.progress?.phase == .denoise)
        _ = try connection.call("job.cancel", params: .object(["jobId": .string(job.jobId)]), timeout: 10).get()
        let ended = try connection.call("job.wait", params: .object(["jobId": .string(job.jobId), "timeoutMs": .int(5000)]), timeout: 10)
            .get().decode(JobInfo.self)
        #expect(ended.state == .cancelled && ended.error?.kind == "Cancelled")
        try await daemon.stop()
    }

    @Test func closingTheConnectionCancelsAttachedJobsButNotDetachedOnes() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(30))) { $0.limits.maxSteps = 1000 }
        defer { daemon.directory.remove() }
        let watcher = try daemon.connect()
        let submitter = try daemon.connect()
        let detached = try submitter.call("generate", params: generate(["detach": .bool(true)], steps: 5), timeout: 10).get()
            .decode(GenerateAccepted.self)
        try submitter.sendRequest("generate", params: generate(steps: 500))
        // Wait until the attached job exists, then hang up.
        var attachedID: String?
        while attachedID == nil {
            if case .notification(_, let params)? = try submitter.receive(timeout: 10), let id = params?["jobId"]?.stringValue,
                id != detached.jobId
            {
                attachedID = id
            }
        }
        submitter.close()
        let attached = try watcher.call("job.wait", params: .object(["jobId": .string(attachedID!), "timeoutMs": .int(10000)]), timeout: 15)
            .get().decode(JobInfo.self)
        #expect(attached.state == .cancelled)
        let survivor = try watcher.call("job.wait", params: .object(["jobId": .string(detached.jobId), "timeoutMs": .int(10000)]), timeout: 15)
            .get().decode(JobInfo.self)
        #expect(survivor.state == .done)
        try await daemon.stop()
    }

    @Test func shutdownInterruptsTheRunningJobAndRecordsQueuedOnes() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(50))) { $0.limits.maxSteps = 1000 }
        defer { daemon.directory.remove() }
        let connection = try daemon.connect()
        let running = try connection.call("generate", params: generate(["detach": .bool(true)], steps: 500), timeout: 10).get()
            .decode(GenerateAccepted.self)
        let queued = try connection.call("generate", params: generate(["detach": .bool(true)], steps: 500), timeout: 10).get()
            .decode(GenerateAccepted.self)
        try await Task.sleep(for: .milliseconds(200))
        try await daemon.stop()
        let registry = try Registry(path: daemon.config.stateDir + "/adiffd.db")
        #expect(registry.recoveredJobIDs.isEmpty)
        let first = try #require(try registry.job(running.jobId))
        let second = try #require(try registry.job(queued.jobId))
        #expect(first.state == .failed && first.errorKind == "Interrupted" && first.errorMessage?.contains("running") == true)
        #expect(second.state == .failed && second.errorKind == "Interrupted" && second.errorMessage?.contains("before") == true)
    }

    @Test func validationErrorsNameTheirField() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine()) { $0.limits.maxFrames = 16 }
        defer { daemon.directory.remove() }
        let connection = try daemon.connect()
        let cases: [([String: JSONValue], RPCErrorKind, String)] = [
            (["width": .int(100)], .invalidDimensions, "width"),
            (["steps": .int(10_000)], .limitExceeded, "steps"),
            (["animatediff": .object(["video_length": .int(64)])], .limitExceeded, "animatediff.video_length"),
            (["animatediff": .object(["format": .array([.string("AVI")])])], .invalidParams, "animatediff.format"),
            (["animatediff": .object(["closed_loop": .string("Z")])], .invalidParams, "animatediff.closed_loop"),
            (["init_images": .array([.string("x.png")])], .pathOutsideRoot, "init_images"),
            (["override_settings": .object(["sd_model_checkpoint": .string("nope")])], .modelNotFound, ""),
            (["animatediff": .object(["model": .string("../mm.safetensors")])], .pathOutsideRoot, ""),
        ]
        for (extra, kind, field) in cases {
            let outcome = try connection.call("generate", params: generate(extra), timeout: 10)
            guard case .failure(let error) = outcome else { Issue.record("\(extra) was accepted"); continue }
            #expect(error.kind == kind, "\(extra): \(error)")
            if !field.isEmpty { #expect(error.data.field == field, "\(extra)") }
        }
        try await daemon.stop()
    }
}

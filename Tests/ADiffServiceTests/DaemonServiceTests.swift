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
        let connection = try await daemon.connect()
        let seen = LockedBox<[String]>([])
        let outcome = try await connection.request(
            "generate", params: generate(),
            onNotification: { method, params in
                if method == "job.progress", let phase = params?["phase"]?.stringValue { seen.mutate { $0.append(phase) } }
            })
        let phases = seen.value
        let result = try outcome.get().decode(GenerateResult.self)
        #expect(result.outputs.map(\.format) == ["GIF", "TXT"])
        #expect(result.seeds == [7, 8, 9, 10])
        for output in result.outputs {
            #expect(output.path.hasPrefix(daemon.config.effectiveOutputDir + "/AnimateDiff/"))
            #expect(FileManager.default.fileExists(atPath: output.path))
        }
        #expect(phases.first == "queued" && phases.contains("denoise") && phases.contains("loading"))
        let job = try await connection.request("job.get", params: .object(["jobId": .string(result.jobId)])).get().decode(JobInfo.self)
        #expect(job.state == .done && job.result == result)
        try await daemon.stop()
    }

    @Test func aFullQueueAnswersQueueFullAtOnce() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(100))) {
            $0.queueSize = 1
            $0.limits.maxSteps = 1000
        }
        defer { daemon.directory.remove() }
        let connection = try await daemon.connect()
        let detached = generate(["detach": .bool(true)], steps: 300)
        let first = try await connection.request("generate", params: detached).get().decode(GenerateAccepted.self)
        let second = try await connection.request("generate", params: detached).get().decode(GenerateAccepted.self)
        #expect(first.queuePosition == 0 && second.queuePosition == 1)
        let third = try await connection.request("generate", params: detached)
        guard case .failure(let error) = third else { Issue.record("the third job was accepted"); return }
        #expect(error.kind == .queueFull)
        // Answered at once: the first job (30 s of steps) has not ended.
        let firstJob = try await connection.request("job.get", params: .object(["jobId": .string(first.jobId)]))
            .get().decode(JobInfo.self)
        #expect(!firstJob.state.isFinal)
        // Cancelling the queued job frees its place.
        let cancelled = try await connection.request("job.cancel", params: .object(["jobId": .string(second.jobId)])).get().decode(JobInfo.self)
        #expect(cancelled.state == .cancelled)
        _ = try await connection.request("generate", params: detached).get()
        try await daemon.stop()
    }

    @Test func cancellingARunningJobStopsItWithinAStep() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(50))) { $0.limits.maxSteps = 1000 }
        defer { daemon.directory.remove() }
        let connection = try await daemon.connect()
        let job = try await connection.request("generate", params: generate(["detach": .bool(true)], steps: 200)).get()
            .decode(GenerateAccepted.self)
        var running: JobInfo
        repeat {
            try await Task.sleep(for: .milliseconds(50))
            running = try await connection.request("job.get", params: .object(["jobId": .string(job.jobId)]))
                .get().decode(JobInfo.self)
        } while running.progress?.phase != .denoise && !running.state.isFinal
        #expect(running.state == .running && running.progress?.phase == .denoise)
        _ = try await connection.request("job.cancel", params: .object(["jobId": .string(job.jobId)])).get()
        let ended = try await connection.request("job.wait", params: .object(["jobId": .string(job.jobId), "timeoutMs": .int(100_000)]))
            .get().decode(JobInfo.self)
        #expect(ended.state == .cancelled && ended.error?.kind == "Cancelled")
        try await daemon.stop()
    }

    @Test func closingTheConnectionCancelsAttachedJobsButNotDetachedOnes() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(30))) { $0.limits.maxSteps = 1000 }
        defer { daemon.directory.remove() }
        let watcher = try await daemon.connect()
        let submitter = try await daemon.connect()
        let detached = try await submitter.request("generate", params: generate(["detach": .bool(true)], steps: 5)).get()
            .decode(GenerateAccepted.self)
        try submitter.sendRequest("generate", params: generate(steps: 500))
        // Wait until the attached job exists, then hang up.
        var attachedID: String?
        while attachedID == nil {
            if case .notification(_, let params)? = try await submitter.next(), let id = params?["jobId"]?.stringValue,
                id != detached.jobId
            {
                attachedID = id
            }
        }
        submitter.close()
        let attached = try await watcher.request("job.wait", params: .object(["jobId": .string(attachedID!), "timeoutMs": .int(100_000)]))
            .get().decode(JobInfo.self)
        #expect(attached.state == .cancelled)
        let survivor = try await watcher.request("job.wait", params: .object(["jobId": .string(detached.jobId), "timeoutMs": .int(100_000)]))
            .get().decode(JobInfo.self)
        #expect(survivor.state == .done)
        try await daemon.stop()
    }

    @Test func shutdownInterruptsTheRunningJobAndRecordsQueuedOnes() async throws {
        let daemon = try await RunningDaemon(engine: StepEngine(stepDelay: .milliseconds(50))) { $0.limits.maxSteps = 1000 }
        defer { daemon.directory.remove() }
        let connection = try await daemon.connect()
        let running = try await connection.request("generate", params: generate(["detach": .bool(true)], steps: 500)).get()
            .decode(GenerateAccepted.self)
        let queued = try await connection.request("generate", params: generate(["detach": .bool(true)], steps: 500)).get()
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
        let connection = try await daemon.connect()
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
            let outcome = try await connection.request("generate", params: generate(extra))
            guard case .failure(let error) = outcome else { Issue.record("\(extra) was accepted"); continue }
            #expect(error.kind == kind, "\(extra): \(error)")
            if !field.isEmpty { #expect(error.data.field == field, "\(extra)") }
        }
        try await daemon.stop()
    }
}

import ADiffProtocol
import ADiffWeights
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Real generations: the built adiffctl against the built adiffd with its engine and the tiny models.
@Suite(.serialized) struct GenerationEndToEndTests {
    private let tiny = ["--steps", "2", "--size", "64x64", "--frames", "8", "-m", "tiny-sd15", "--motion-module", "tiny-mm-v2"]

    /// A started daemon writing its outputs under `<root>/out`.
    private func startDaemon(lora: Bool = false, extra: [String] = []) throws -> (DaemonProcess, String) {
        let daemon = try DaemonProcess()
        if lora { try ModelFolderMaker.make(in: daemon.models, .init(preset: .tiny, components: [.lora])) }
        let out = daemon.root + "/out"
        try daemon.start(extra: ["--output-dir", out] + extra)
        return (daemon, out)
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func bytes(_ path: String, _ count: Int = 16) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return Array(data.prefix(count))
    }

    private func jobs(_ daemon: DaemonProcess) throws -> [JobInfo] {
        let listed = try daemon.ctl(["jobs", "--json"])
        return try JSONValue(parsing: listed.stdout).decode(JobsListResult.self).jobs
    }

    /// Every file (not folder) under `root`.
    private func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let name = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDir), !isDir.boolValue { found.append(name) }
        }
        return found
    }

    @Test func generateWritesEveryFormat() throws {
        let (daemon, out) = try startDaemon()
        let run = try daemon.ctl(
            ["generate", "a fox", "--seed", "42", "-q"] + tiny + ["-f", "GIF", "-f", "MP4", "-f", "WEBP", "-f", "WEBM", "-f", "PNG", "-f", "TXT"])
        #expect(run.status == 0, "\(run.stderr)\n\(daemon.log)")
        let paths = lines(run.stdout)
        #expect(paths.count == 6, "\(run.stdout)")
        for path in paths {
            #expect(path.hasPrefix(out + "/") && FileManager.default.fileExists(atPath: path), "\(path)")
        }
        func path(_ ext: String) -> String { paths.first { $0.hasSuffix("." + ext) } ?? "" }
        #expect(bytes(path("gif"), 6) == Array("GIF89a".utf8))
        #expect(Array(bytes(path("mp4"), 8).suffix(4)) == Array("ftyp".utf8))
        let webp = bytes(path("webp"), 12)
        #expect(webp.prefix(4) == Array("RIFF".utf8)[...] && webp.suffix(4) == Array("WEBP".utf8)[...])
        #expect(bytes(path("webm"), 4) == [0x1A, 0x45, 0xDF, 0xA3])
        // PNG: a folder of frames.
        let frames = paths.first { !($0 as NSString).lastPathComponent.contains(".") } ?? ""
        let pngs = (try? FileManager.default.contentsOfDirectory(atPath: frames))?.filter { $0.hasSuffix(".png") }.sorted() ?? []
        #expect(pngs.count == 8, "\(frames): \(pngs)")
        if let first = pngs.first { #expect(bytes(frames + "/" + first, 8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) }
        let txt = (try? String(contentsOfFile: path("txt"), encoding: .utf8)) ?? ""
        #expect(txt.contains("AnimateDiff:") && txt.contains("Seed: 42") && txt.contains("Size: 64x64") && txt.hasPrefix("a fox"), "\(txt)")
        let job = try jobs(daemon).first
        #expect(job?.state == .done)
        #expect(try daemon.stop() == 0)
    }

    @Test func promptTravelWithALoRA() throws {
        let (daemon, _) = try startDaemon(lora: true)
        let run = try daemon.ctl(["generate", "0: a fox <lora:tiny-lora:0.8>\n4: a cat", "--seed", "7", "-q", "-f", "PNG", "-f", "TXT"] + tiny)
        #expect(run.status == 0, "\(run.stderr)\n\(daemon.log)")
        let txtPath = lines(run.stdout).first { $0.hasSuffix(".txt") } ?? ""
        let txt = (try? String(contentsOfFile: txtPath, encoding: .utf8)) ?? ""
        #expect(txt.contains("<lora:tiny-lora:0.8>") && txt.contains("4: a cat"), "\(txt)")
        #expect(txt.contains("Lora hashes: \"tiny-lora: ") && txt.contains("Seed: 7") && txt.contains("AnimateDiff:"), "\(txt)")
        let ps = try daemon.ctl(["ps"])
        #expect(ps.status == 0 && ps.stdout.contains("tiny-lora.safetensors") && ps.stdout.contains("lora"), "\(ps.stdout)")
        #expect(try daemon.stop() == 0)
    }

    @Test func cancelARunningJobPublishesNothing() throws {
        let (daemon, out) = try startDaemon()
        let submit = try daemon.ctl(
            ["generate", "a fox", "--detach", "--steps", "150", "--size", "64x64", "--frames", "16", "-m", "tiny-sd15", "--motion-module", "tiny-mm-v2", "-f", "GIF", "-f", "TXT"])
        #expect(submit.status == 0, "\(submit.stderr)")
        let jobId = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Wait until it runs.
        let deadline = Date().addingTimeInterval(20)
        while try jobs(daemon).first(where: { $0.jobId == jobId })?.state != .running, Date() < deadline { usleep(50_000) }
        #expect(try jobs(daemon).first { $0.jobId == jobId }?.state == .running)
        usleep(500_000)
        let cancel = try daemon.ctl(["cancel", jobId])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let settled = Date().addingTimeInterval(20)
        while try jobs(daemon).first(where: { $0.jobId == jobId })?.state == .running, Date() < settled { usleep(50_000) }
        #expect(try jobs(daemon).first { $0.jobId == jobId }?.state == .cancelled)
        #expect(files(under: out).isEmpty, "\(files(under: out))")
        #expect(try daemon.stop() == 0)
    }

    @Test func aFullQueueRejectsWithExit75() throws {
        let (daemon, _) = try startDaemon(extra: ["--queue-size", "1"])
        let long = ["generate", "a fox", "--detach", "--steps", "150", "--size", "64x64", "--frames", "16", "-m", "tiny-sd15", "--motion-module", "tiny-mm-v2"]
        var ids: [String] = []
        for _ in 0..<2 {
            let submit = try daemon.ctl(long)
            #expect(submit.status == 0, "\(submit.stderr)")
            ids.append(submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            // Let the first one leave the queue for the engine.
            let deadline = Date().addingTimeInterval(20)
            while try jobs(daemon).first(where: { $0.jobId == ids[0] })?.state == .queued, Date() < deadline { usleep(50_000) }
        }
        let third = try daemon.ctl(long)
        #expect(third.status == 75 && third.stderr.contains("QueueFull"), "\(third.status) \(third.stderr)")
        #expect(try daemon.ctl(["cancel"] + ids).status == 0)
        #expect(try daemon.stop() == 0)
    }

    @Test func fromInfotextReplaysTheSameBytes() throws {
        let (daemon, _) = try startDaemon()
        let first = try daemon.ctl(["generate", "a fox", "--seed", "1234", "-q", "-f", "GIF", "-f", "TXT"] + tiny)
        #expect(first.status == 0, "\(first.stderr)\n\(daemon.log)")
        let firstPaths = lines(first.stdout)
        let txt = firstPaths.first { $0.hasSuffix(".txt") } ?? ""
        let gif = firstPaths.first { $0.hasSuffix(".gif") } ?? ""
        let replay = try daemon.ctl(["generate", "--from-infotext", txt, "-q", "-f", "GIF", "-f", "TXT"])
        #expect(replay.status == 0, "\(replay.stderr)\n\(daemon.log)")
        let replayPaths = lines(replay.stdout)
        let gif2 = replayPaths.first { $0.hasSuffix(".gif") } ?? ""
        let txt2 = replayPaths.first { $0.hasSuffix(".txt") } ?? ""
        #expect(gif2 != gif && !gif2.isEmpty)
        let a = FileManager.default.contents(atPath: gif)
        let b = FileManager.default.contents(atPath: gif2)
        #expect(a != nil && a == b)
        let t1 = (try? String(contentsOfFile: txt, encoding: .utf8)) ?? "1"
        let t2 = (try? String(contentsOfFile: txt2, encoding: .utf8)) ?? "2"
        #expect(t1 == t2, "\(t1)\n---\n\(t2)")
        #expect(try daemon.stop() == 0)
    }
}

/// Jobs over raw connections and daemon shutdown with a real engine.
@Suite(.serialized) struct GenerationLifecycleEndToEndTests {
    private func params(steps: Int, frames: Int, detach: Bool) throws -> JSONValue {
        try JSONValue(
            parsing: """
                {"prompt": "a fox", "steps": \(steps), "width": 64, "height": 64, "seed": 5,
                 "override_settings": {"sd_model_checkpoint": "tiny-sd15"},
                 "animatediff": {"model": "tiny-mm-v2", "video_length": \(frames), "format": ["GIF"]},
                 "detach": \(detach)}
                """)
    }

    private func job(_ connection: RPCConnection, _ id: String) throws -> JobInfo {
        try connection.result("job.get", .object(["jobId": .string(id)]), as: JobInfo.self)
    }

    /// Polls until the job leaves `states` (or 30 s pass).
    private func waitWhile(_ connection: RPCConnection, _ id: String, _ states: [JobState]) throws -> JobInfo {
        let deadline = Date().addingTimeInterval(30)
        var info = try job(connection, id)
        while states.contains(info.state), Date() < deadline {
            usleep(50_000)
            info = try job(connection, id)
        }
        return info
    }

    @Test func disconnectCancelsAnAttachedJobButNotADetachedOne() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let watcher = try daemon.connect()
        // Attached: closing the connection mid-job cancels it.
        let attached = try daemon.connect()
        _ = try attached.sendRequest("generate", params: try params(steps: 150, frames: 16, detach: false))
        var id = ""
        let deadline = Date().addingTimeInterval(20)
        while id.isEmpty, Date() < deadline {
            id = try watcher.result("jobs.list", as: JobsListResult.self).jobs.first?.jobId ?? ""
            if id.isEmpty { usleep(50_000) }
        }
        #expect(try waitWhile(watcher, id, [.queued]).state == .running)
        usleep(300_000)
        attached.close()
        let ended = try waitWhile(watcher, id, [.queued, .running])
        #expect(ended.state == .cancelled, "\(ended)")
        // Detached: the submitter leaves, the job finishes, job.wait returns its result.
        let submitter = try daemon.connect()
        let accepted = try submitter.result("generate", try params(steps: 2, frames: 8, detach: true), as: GenerateAccepted.self)
        submitter.close()
        let waited = try watcher.call(
            "job.wait", params: .object(["jobId": .string(accepted.jobId), "timeoutMs": .int(40_000)]), timeout: 60
        ).get().decode(JobInfo.self)
        #expect(waited.state == .done, "\(waited)")
        let output = waited.result?.outputs.first?.path ?? ""
        #expect(FileManager.default.fileExists(atPath: output), "\(output)")
        #expect(try daemon.stop() == 0)
    }

    @Test func sigtermMidJobExitsZeroAndRecordsInterrupted() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let connection = try daemon.connect()
        let accepted = try connection.result("generate", try params(steps: 150, frames: 16, detach: true), as: GenerateAccepted.self)
        #expect(try waitWhile(connection, accepted.jobId, [.queued]).state == .running)
        usleep(300_000)
        #expect(try daemon.stop(SIGTERM, timeout: 30) == 0, "\(daemon.log)")
        try daemon.start()
        let after = try daemon.connect()
        let info = try job(after, accepted.jobId)
        #expect(info.state == .failed && info.error?.kind == "Interrupted", "\(info)")
        #expect(try daemon.stop() == 0)
    }
}

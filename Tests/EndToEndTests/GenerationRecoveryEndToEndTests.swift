import ADiffProtocol
import Foundation
import Testing

/// Concurrency, interruption and img2vid with the real binaries: two clients at once, Ctrl-C on
/// adiffctl, kill -9 of the daemon mid-job, and init images confined to the input roots.
@Suite(.serialized) struct GenerationRecoveryEndToEndTests {
    private let tiny = ["--steps", "2", "--size", "64x64", "--frames", "8", "-m", "tiny-sd15", "--motion-module", "tiny-mm-v2"]

    private func startDaemon() throws -> (DaemonProcess, String) {
        let daemon = try DaemonProcess()
        let out = daemon.root + "/out"
        try daemon.start(extra: ["--output-dir", out])
        return (daemon, out)
    }

    private func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let name = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(name)
            }
        }
        return found
    }

    /// Polls `jobs.list` until a job is running (or 20 s pass) and returns its id.
    private func runningJob(_ connection: RPCConnection) throws -> String? {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let jobs = try connection.result("jobs.list", as: JobsListResult.self).jobs
            if let job = jobs.first(where: { $0.state == .running }) { return job.jobId }
            usleep(50_000)
        }
        return nil
    }

    @Test func twoClientsAtOnceAreQueuedAndBothFinish() throws {
        let (daemon, out) = try startDaemon()
        let group = DispatchGroup()
        nonisolated(unsafe) var outcomes: [Int: Command.Outcome] = [:]
        let lock = NSLock()
        let socket = daemon.socket
        let tiny = self.tiny
        for seed in [11, 12] {
            DispatchQueue.global().async(group: group) {
                let outcome = try? Command.run(
                    Binaries.adiffctl, ["generate", "a fox", "--seed", "\(seed)", "-q", "-f", "GIF", "--socket", socket] + tiny,
                    timeout: 90)
                lock.lock()
                outcomes[seed] = outcome
                lock.unlock()
            }
        }
        #expect(group.wait(timeout: .now() + 90) == .success)
        for seed in [11, 12] {
            #expect(outcomes[seed]?.status == 0, "\(outcomes[seed]?.stderr ?? "no outcome")")
        }
        let written = files(under: out).filter { $0.hasSuffix(".gif") }
        #expect(written.count == 2, "\(written)")
        #expect(written.contains { $0.hasSuffix("-11.gif") } && written.contains { $0.hasSuffix("-12.gif") })
        #expect(try daemon.stop() == 0)
    }

    @Test func ctrlCOnAdiffctlCancelsTheJobAndExits130() throws {
        let (daemon, out) = try startDaemon()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: Binaries.adiffctl)
        client.arguments = ["generate", "a fox", "--socket", daemon.socket, "--no-progress", "-f", "GIF", "--steps", "150",
            "--size", "64x64", "--frames", "16", "-m", "tiny-sd15", "--motion-module", "tiny-mm-v2"]
        client.standardOutput = FileHandle.nullDevice
        client.standardError = FileHandle.nullDevice
        try client.run()
        let watcher = try daemon.connect()
        let id = try #require(try runningJob(watcher))
        kill(client.processIdentifier, SIGINT)
        client.waitUntilExit()
        #expect(client.terminationStatus == 130)
        let deadline = Date().addingTimeInterval(20)
        var state = try watcher.result("job.get", .object(["jobId": .string(id)]), as: JobInfo.self).state
        while state == .running, Date() < deadline {
            usleep(50_000)
            state = try watcher.result("job.get", .object(["jobId": .string(id)]), as: JobInfo.self).state
        }
        #expect(state == .cancelled)
        #expect(files(under: out).isEmpty)
        #expect(try daemon.stop() == 0)
    }

    @Test func killNineMidJobLeavesNoOutputAndIsReportedInterrupted() throws {
        let (daemon, out) = try startDaemon()
        let connection = try daemon.connect()
        let params = try JSONValue(
            parsing: """
                {"prompt": "a fox", "steps": 150, "width": 64, "height": 64,
                 "override_settings": {"sd_model_checkpoint": "tiny-sd15"},
                 "animatediff": {"model": "tiny-mm-v2", "video_length": 16, "format": ["GIF", "PNG"]}, "detach": true}
                """)
        let accepted = try connection.result("generate", params, as: GenerateAccepted.self)
        #expect(try runningJob(connection) == accepted.jobId)
        usleep(300_000)
        _ = try daemon.stop(SIGKILL)
        #expect(files(under: out).isEmpty, "\(files(under: out))")
        try daemon.start(extra: ["--output-dir", out])
        let info = try daemon.connect().result("job.get", .object(["jobId": .string(accepted.jobId)]), as: JobInfo.self)
        #expect(info.state == .failed && info.error?.kind == "Interrupted", "\(info)")
        #expect(try daemon.stop() == 0)
    }

    @Test func initImagesComeOnlyFromTheInputRoots() throws {
        let (daemon, out) = try startDaemon()
        // A PNG frame of a first generation becomes the init image of an img2vid.
        let first = try daemon.ctl(["generate", "a fox", "--seed", "3", "-q", "-f", "PNG"] + tiny)
        #expect(first.status == 0, "\(first.stderr)")
        let frame = try #require(files(under: out).first { $0.hasSuffix(".png") })
        try FileManager.default.copyItem(atPath: out + "/" + frame, toPath: daemon.inputs + "/start.png")
        let img2vid = try daemon.ctl(
            ["generate", "a fox", "--seed", "4", "-q", "-f", "GIF", "--init-image", "start.png", "--denoising-strength", "0.6"]
                + tiny)
        #expect(img2vid.status == 0, "\(img2vid.stderr)")
        #expect(files(under: out).contains { $0.hasSuffix("-4.gif") })
        // A path that climbs out of the input root is refused before anything runs.
        try FileManager.default.copyItem(atPath: out + "/" + frame, toPath: daemon.root + "/outside.png")
        let escape = try daemon.ctl(["generate", "a fox", "-q", "-f", "GIF", "--init-image", "../outside.png"] + tiny)
        #expect(escape.status == 65 && escape.stderr.contains("PathOutsideRoot"), "\(escape.stderr)")
        #expect(try daemon.stop() == 0)
    }
}

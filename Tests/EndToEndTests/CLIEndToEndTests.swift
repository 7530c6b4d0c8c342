import ADiffProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built adiffctl against the built adiffd.
@Suite(.serialized) struct CLIEndToEndTests {
    private let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    private let stranger = ["/usr/bin/setpriv", "--reuid=65533", "--regid=65533", "--clear-groups"]

    @Test func commandsPrintTablesAndJSON() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let status = try daemon.ctl(["status"])
        #expect(status.status == 0 && status.stdout.contains("adiffd/"), "\(status.stderr)")
        let models = try daemon.ctl(["models", "--kind", "checkpoint"])
        #expect(models.status == 0 && models.stdout.contains("tiny-sd15.safetensors"))
        let load = try daemon.ctl(["models", "load", "tiny-sd15", "--keep-alive", "10m"])
        #expect(load.status == 0 && load.stdout.contains("resident"), "\(load.stderr)")
        let ps = try daemon.ctl(["ps"])
        #expect(ps.status == 0 && ps.stdout.contains("tiny-sd15.safetensors") && ps.stdout.contains("in 10 minutes"))
        let json = try daemon.ctl(["ps", "--json"])
        let decoded = try JSONValue(parsing: json.stdout).decode(PSResult.self)
        #expect(decoded.models.count == 1)
        #expect(try daemon.ctl(["models", "unload", "tiny-sd15"]).status == 0)
        #expect(try daemon.ctl(["jobs"]).status == 0)
        #expect(try daemon.stop() == 0)
    }

    @Test func exitCodesFollowSysexits() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        // Daemon not running at that path.
        let down = try Command.run(Binaries.adiffctl, ["status", "--socket", daemon.root + "/none.sock"])
        #expect(down.status == 69 && down.stderr.contains("not running"))
        // Bad parameters (daemon-side) and bad arguments (client-side).
        #expect(try daemon.ctl(["models", "load", "missing"]).status == 65)
        #expect(try daemon.ctl(["generate", "fox", "--size", "big"]).status == 64)
        let invalid = try daemon.ctl(["generate", "fox", "--steps", "100000", "-m", "tiny-sd15", "--motion-module", "tiny-mm-v2"])
        #expect(invalid.status == 65 && invalid.stderr.contains("LimitExceeded"), "\(invalid.stderr)")
        // A model the daemon cannot find: EX_DATAERR naming the kind.
        let missing = try daemon.ctl(["generate", "fox", "--steps", "2", "--size", "64x64", "--frames", "4", "-m", "no-such-model", "--motion-module", "tiny-mm-v2"])
        #expect(missing.status == 65 && missing.stderr.contains("ModelNotFound"), "\(missing.stderr)")
        // Permission denied on the socket.
        chmod(daemon.socket, 0o600)
        let denied = try daemon.ctl(["status"], prefix: nobody)
        #expect(denied.status == 77, "\(denied.stderr)")
        chmod(daemon.socket, 0o666)
        #expect(try daemon.stop() == 0)
    }

    @Test func usersSeeAndCancelOnlyTheirOwnJobs() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let submit = try daemon.ctl(
            ["generate", "fox", "--detach", "--steps", "2", "--size", "64x64", "--frames", "4", "-m", "tiny-sd15", "--motion-module", "tiny-mm-v2"],
            prefix: nobody)
        #expect(submit.status == 0, "\(submit.stderr)")
        let jobId = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(jobId.hasPrefix("j-"))
        // The owner and root see it; another user does not.
        #expect(try daemon.ctl(["jobs", "--json"], prefix: nobody).stdout.contains(jobId))
        let rootView = try daemon.ctl(["jobs", "--json"])
        #expect(rootView.stdout.contains(jobId) && rootView.stdout.contains("65534"))
        #expect(!(try daemon.ctl(["jobs", "--json"], prefix: stranger).stdout.contains(jobId)))
        // Another user cannot cancel it (and learns nothing: JobNotFound); the owner can.
        let foreign = try daemon.ctl(["cancel", jobId], prefix: stranger)
        #expect(foreign.status == 65 && foreign.stderr.contains("JobNotFound"), "\(foreign.stderr)")
        let own = try daemon.ctl(["cancel", jobId], prefix: nobody)
        #expect(own.status == 0, "\(own.stderr)")
        let status = try daemon.ctl(["status", "--json"], prefix: nobody)
        #expect(try JSONValue(parsing: status.stdout).decode(StatusResult.self).peerUid == 65534)
        #expect(daemon.log.contains("uid=65534"))
        #expect(try daemon.stop() == 0)
    }

    @Test func socketActivationAndReadinessNotificationsWork() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(path: daemon.root + "/notify.sock")
        let socket = daemon.socket
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        process.arguments = ["-l", socket, "--fdname=adiffd", "-E", "NOTIFY_SOCKET=\(notify.path)", "-E", "PATH", Binaries.adiffd]
            + ["--state-dir", daemon.stateDir, "--models", daemon.models, "--socket", daemon.root + "/unused.sock"]
        let log = Pipe()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // systemd-socket-activate listens first and starts adiffd on the first connection.
        usleep(300_000)
        let connection = try daemon.connect()
        #expect(try connection.result("status", as: StatusResult.self).running == 0)
        let ready = try notify.receive(until: "READY=1", timeout: 20)
        #expect(ready.contains("READY=1"))
        #expect(!FileManager.default.fileExists(atPath: daemon.root + "/unused.sock"))
        kill(process.processIdentifier, SIGTERM)
        let stopping = try notify.receive(until: "STOPPING=1", timeout: 20)
        #expect(stopping.contains("STOPPING=1"))
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

import ADiffProtocol
import ADiffWeights
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary installation: model roots with the tiny test models, a state directory, and
/// an `adiffd` child process started in the foreground.
final class DaemonProcess {
    let root: String
    var socket: String { root + "/run/adiffd.sock" }
    var stateDir: String { root + "/state" }
    var models: String { root + "/models" }
    var inputs: String { root + "/inputs" }
    var logPath: String { root + "/adiffd.log" }
    private(set) var process: Process?

    /// Makes the directories and the tiny models (checkpoint + motion modules).
    init() throws {
        try Binaries.check()
        root = "/tmp/adiff-e2e-\(UUID().uuidString.prefix(8))"
        for dir in [root, root + "/run", stateDir, inputs] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        chmod(root, 0o755)
        try ModelFolderMaker.make(
            in: models, .init(preset: .tiny, components: [.checkpoint, .motion]))
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The foreground command line.
    var arguments: [String] {
        ["--socket", socket, "--state-dir", stateDir, "--models", models, "--input-dir", inputs]
    }

    /// Starts adiffd and waits until its socket answers.
    func start(extra: [String] = [], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.adiffd)
        process.arguments = arguments + extra
        var env = ProcessInfo.processInfo.environment
        env["ADIFFD_SOCKET_MODE"] = "0666"
        env.merge(environment) { $1 }
        process.environment = env
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
        try waitForSocket()
    }

    func waitForSocket() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let connection = try? RPCConnection(socketPath: socket) {
                connection.close()
                return
            }
            if let process, !process.isRunning {
                throw TestFailure("adiffd exited with \(process.terminationStatus): \(log)")
            }
            usleep(20_000)
        }
        throw TestFailure("adiffd did not start: \(log)")
    }

    /// The daemon's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: Double = 20) throws -> Int32 {
        guard let process else { return 0 }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { throw TestFailure("adiffd did not exit after signal \(signal): \(log)") }
            usleep(20_000)
        }
        self.process = nil
        return process.terminationStatus
    }

    /// A connection that has said hello.
    func connect() throws -> RPCConnection {
        let connection = try RPCConnection(socketPath: socket)
        _ = try connection.call("hello", params: .object(["protocol": .int(1)]), timeout: 10).get()
        return connection
    }

    /// Runs adiffctl against this daemon.
    func ctl(_ arguments: [String], prefix: [String] = []) throws -> Command.Outcome {
        try Command.run(Binaries.adiffctl, arguments, environment: ["ADIFF_SOCKET": socket], prefix: prefix)
    }
}

extension RPCConnection {
    /// Calls and decodes, failing the test on a daemon error.
    func result<T: Decodable>(_ method: String, _ params: JSONValue? = nil, as type: T.Type) throws -> T {
        try call(method, params: params, timeout: 20).get().decode(type)
    }

    /// Calls and returns the daemon's error kind (nil on success).
    func errorKind(_ method: String, _ params: JSONValue? = nil) throws -> RPCErrorKind? {
        if case .failure(let error) = try call(method, params: params, timeout: 20) { return error.kind }
        return nil
    }
}

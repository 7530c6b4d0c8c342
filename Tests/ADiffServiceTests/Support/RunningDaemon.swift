import ADiffProtocol
import Foundation
import Logging
import ServiceLifecycle
@testable import ADiffService

/// An in-process daemon on a socket in a temporary directory, for tests that need the real
/// server, scheduler and registry with a test engine.
final class RunningDaemon: @unchecked Sendable {
    let directory: TemporaryDirectory
    let config: DaemonConfig
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var socket: String { config.socket }

    /// Seconds a test waits for any one answer (large: the machine may be busy).
    static let timeout: Double = 120

    init(engine: (any GenerationEngine)?, configure: (inout DaemonConfig) -> Void = { _ in }) async throws {
        directory = try TemporaryDirectory("adiffd-test")
        try directory.write("models/Stable-diffusion/ck.safetensors", TestModelFiles.safetensors(seed: 1))
        try directory.write("models/AnimateDiff/mm.safetensors", TestModelFiles.safetensors(seed: 2))
        var config = DaemonConfig()
        config.socket = directory.path + "/adiffd.sock"
        config.stateDir = directory.path + "/state"
        config.modelRoots = [directory.path + "/models"]
        config.memoryBudget = "64M"
        config.defaultFormats = ["GIF"]
        configure(&config)
        self.config = config
        var logger = Logger(label: "adiffd-test")
        logger.logLevel = .warning
        let daemon = Daemon(config: config, engine: engine, logger: logger)
        group = ServiceGroup(configuration: .init(services: [.init(service: daemon)], logger: logger))
        let group = self.group
        task = Task { try await group.run() }
        // Generous: under a full parallel test run other suites can starve the cooperative pool.
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            if let connection = try? RPCConnection(socketPath: config.socket) {
                connection.close()
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RPCClientError(.unavailable, "the test daemon did not start")
    }

    /// A connection that has said hello.
    func connect() async throws -> RPCConnection {
        let connection = try RPCConnection(socketPath: socket)
        _ = try await connection.request("hello", params: .object(["protocol": .int(1)])).get()
        return connection
    }

    /// Graceful shutdown; waits for the daemon to return.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

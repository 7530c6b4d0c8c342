import ADiffService
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `adiffd`: the AnimateDiff daemon. Under systemd it adopts the socket from `adiffd.socket`
/// and notifies readiness; by hand it runs in the foreground:
/// `adiffd --socket PATH --state-dir DIR --models DIR [--output-dir DIR] [--config FILE]`.
@main
struct ADiffDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adiffd",
        abstract: "AnimateDiff generation daemon: keeps models resident and serves jobs on a Unix socket.",
        discussion: """
            Settings come from the configuration file, then ADIFFD_* environment variables \
            (ADIFFD_STATE_DIR, ADIFFD_LIMITS_MAX_FRAMES, …), then these flags.
            """,
        version: DaemonVersion.current
    )

    @Option(name: .long, help: "Configuration file (TOML). Default: $ADIFFD_CONFIG, else $CONFIGURATION_DIRECTORY/adiffd.toml if present.")
    var config: String?

    @Option(name: .long, help: "Socket path to bind (ignored under socket activation).")
    var socket: String?

    @Option(name: .customLong("state-dir"), help: "Directory for the registry (and outputs by default).")
    var stateDir: String?

    @Option(name: .customLong("models"), help: "A model root with WebUI folders (repeatable).")
    var models: [String] = []

    @Option(name: .customLong("output-dir"), help: "Output root.")
    var outputDir: String?

    @Option(name: .customLong("input-dir"), help: "A root for client-named input files (repeatable).")
    var inputDirs: [String] = []

    @Option(name: .customLong("queue-size"), help: "Most jobs waiting behind the running one.")
    var queueSize: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .long, help: "Compute precision: fp32, or bf16 (needs AVX512-BF16).")
    var precision: String?

    @Flag(name: .customLong("check-config"), help: "Load and validate the configuration, print it, and exit.")
    var checkConfig = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var file = config ?? environment["ADIFFD_CONFIG"]
        if file == nil, let directory = environment["CONFIGURATION_DIRECTORY"]?.split(separator: ":").first {
            let candidate = String(directory) + "/adiffd.toml"
            if FileManager.default.fileExists(atPath: candidate) { file = candidate }
        }
        var overrides: [(key: String, value: String)] = []
        if let socket { overrides.append(("socket", socket)) }
        if let stateDir { overrides.append(("state_dir", stateDir)) }
        if !models.isEmpty { overrides.append(("model_roots", models.joined(separator: ":"))) }
        if let outputDir { overrides.append(("output_dir", outputDir)) }
        if !inputDirs.isEmpty { overrides.append(("input_roots", inputDirs.joined(separator: ":"))) }
        if let queueSize { overrides.append(("queue_size", String(queueSize))) }
        if let logLevel { overrides.append(("log_level", logLevel)) }
        if let precision { overrides.append(("precision", precision)) }

        let settings: DaemonConfig
        do {
            settings = try ConfigLoader.load(file: file, environment: environment, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("adiffd: configuration error: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        if checkConfig {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(settings), as: UTF8.self))
            return
        }
        // A client that disappears mid-write must not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level) }
        let logger = Logger(label: "adiffd")
        let daemon = Daemon(
            config: settings, engine: PipelineEngine(threads: settings.threads, precision: settings.computePrecision), loader: PipelineModelLoader(),
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: daemon)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("adiffd failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

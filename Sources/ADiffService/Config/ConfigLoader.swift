import ADiffProtocol
import ADiffTensor
import Foundation
import TOMLKit

/// Builds a ``DaemonConfig`` from defaults, the TOML file, `ADIFFD_*` environment variables
/// and flags, in that order of increasing precedence, and validates the result.
public enum ConfigLoader {
    /// Environment variables that are not configuration keys.
    static let nonKeyVariables: Set<String> = ["ADIFFD_CONFIG"]

    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - file: TOML file path; `nil` = none (defaults only).
    ///   - environment: the process environment (`ADIFFD_STATE_DIR=…` etc.).
    ///   - overrides: flag values by TOML key (`state_dir`, `limits.max_frames`, …).
    /// - Throws: ``ConfigError`` naming the key for unknown keys and bad values.
    public static func load(
        file: String?, environment: [String: String], overrides: [(key: String, value: String)] = []
    ) throws(ConfigError) -> DaemonConfig {
        var config = DaemonConfig()
        // systemd's directories give the defaults when the unit sets them.
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first {
            config.stateDir = String(state)
            config.modelRoots = [String(state) + "/models"]
        }
        if let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first {
            config.socket = String(runtime) + "/adiffd.sock"
        }
        if let file {
            config = try apply(file: file, to: config)
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("ADIFFD_") {
            guard !nonKeyVariables.contains(name) else { continue }
            let key = environmentKey(name)
            do {
                try set(key, value, in: &config)
            } catch {
                throw ConfigError(key: name, error.message)
            }
        }
        for (key, value) in overrides {
            try set(key, value, in: &config)
        }
        try validate(config)
        return config
    }

    /// `ADIFFD_LIMITS_MAX_FRAMES` → `limits.max_frames`.
    static func environmentKey(_ name: String) -> String {
        let body = name.dropFirst("ADIFFD_".count).lowercased()
        if body.hasPrefix("limits_") { return "limits." + body.dropFirst("limits_".count) }
        return body
    }

    /// Reads `file` over `config`.
    static func apply(file: String, to config: DaemonConfig) throws(ConfigError) -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigError("cannot read \(file): \(error.localizedDescription)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError("\(file):\(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError("\(file): \(error)")
        }
        let known = Set(DaemonConfig.CodingKeys.allCases.map(\.rawValue))
        for key in table.keys.sorted() where !known.contains(key) {
            throw ConfigError(key: key, "unknown key in \(file)")
        }
        if let limits = table["limits"] {
            guard let limitsTable = limits.table else { throw ConfigError(key: "limits", "must be a table") }
            let knownLimits = Set(DaemonConfig.Limits.CodingKeys.allCases.map(\.rawValue))
            for key in limitsTable.keys.sorted() where !knownLimits.contains(key) {
                throw ConfigError(key: "limits.\(key)", "unknown key in \(file)")
            }
        }
        do {
            var merged = try TOMLDecoder().decode(DaemonConfig.self, from: table)
            // Keys the file leaves out keep the values set before it (systemd directories).
            for key in DaemonConfig.CodingKeys.allCases where table[key.rawValue] == nil {
                merged.copy(key, from: config)
            }
            return merged
        } catch let error as DecodingError {
            let path = error.keyPath
            throw ConfigError(key: path, "wrong type in \(file)")
        } catch {
            throw ConfigError("\(file): \(error)")
        }
    }

    /// Sets one key from text (flags and environment).
    static func set(_ key: String, _ value: String, in config: inout DaemonConfig) throws(ConfigError) {
        func int() throws(ConfigError) -> Int {
            guard let number = Int(value) else { throw ConfigError(key: key, "\"\(value)\" is not an integer") }
            return number
        }
        func list(_ separator: Character) -> [String] {
            value.split(separator: separator).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        switch key {
        case "socket": config.socket = value
        case "socket_mode": config.socketMode = value
        case "socket_group": config.socketGroup = value
        case "state_dir": config.stateDir = value
        case "output_dir": config.outputDir = value
        case "model_roots": config.modelRoots = list(":")
        case "input_roots": config.inputRoots = list(":")
        case "log_level": config.logLevel = value
        case "threads": config.threads = try int()
        case "precision": config.precision = value
        case "default_formats": config.defaultFormats = list(",")
        case "on_sigterm":
            guard let policy = DaemonConfig.ShutdownPolicy(rawValue: value) else {
                throw ConfigError(key: key, "must be \"cancel\" or \"finish\"")
            }
            config.onSigterm = policy
        case "queue_size": config.queueSize = try int()
        case "memory_budget": config.memoryBudget = value
        case "keep_alive": config.keepAlive = value
        case "preload": config.preload = list(",")
        case "limits.max_frames": config.limits.maxFrames = try int()
        case "limits.max_width": config.limits.maxWidth = try int()
        case "limits.max_height": config.limits.maxHeight = try int()
        case "limits.max_steps": config.limits.maxSteps = try int()
        case "limits.max_batch_count": config.limits.maxBatchCount = try int()
        case "limits.max_request_bytes": config.limits.maxRequestBytes = try int()
        case "limits.max_connections": config.limits.maxConnections = try int()
        default: throw ConfigError(key: key, "unknown configuration key")
        }
    }

    /// Checks every value's range and syntax.
    public static func validate(_ config: DaemonConfig) throws(ConfigError) {
        guard !config.socket.isEmpty else { throw ConfigError(key: "socket", "must not be empty") }
        guard let mode = Int(config.socketMode, radix: 8), (0...0o777).contains(mode) else {
            throw ConfigError(key: "socket_mode", "\"\(config.socketMode)\" is not an octal mode like 0660")
        }
        guard !config.stateDir.isEmpty else { throw ConfigError(key: "state_dir", "must not be empty") }
        guard !config.modelRoots.isEmpty else { throw ConfigError(key: "model_roots", "needs at least one root") }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(config.logLevel) else {
            throw ConfigError(key: "log_level", "\"\(config.logLevel)\" is not a log level")
        }
        guard config.threads >= 0 else { throw ConfigError(key: "threads", "must be 0 (auto) or positive") }
        guard let precision = ComputePrecision(rawValue: config.precision) else {
            throw ConfigError(key: "precision", "\"\(config.precision)\" is not fp32 or bf16")
        }
        guard precision.isSupported else {
            throw ConfigError(key: "precision", "bf16 needs a CPU with AVX512-BF16, which this one lacks; use fp32")
        }
        let formats: Set<String> = ["GIF", "MP4", "WEBP", "WEBM", "PNG", "TXT"]
        for format in config.defaultFormats where !formats.contains(format) {
            throw ConfigError(key: "default_formats", "\"\(format)\" is not one of GIF, MP4, WEBP, WEBM, PNG, TXT")
        }
        guard config.queueSize >= 0 else { throw ConfigError(key: "queue_size", "must not be negative") }
        guard MemorySize.parse(config.memoryBudget) != nil else {
            throw ConfigError(key: "memory_budget", "\"\(config.memoryBudget)\" is not a size like 12G or auto")
        }
        guard KeepAlive(parsing: config.keepAlive) != nil else {
            throw ConfigError(key: "keep_alive", "\"\(config.keepAlive)\" is not a duration like 5m or -1")
        }
        for entry in config.preload {
            guard ModelReference(parsing: entry) != nil else {
                throw ConfigError(key: "preload", "\"\(entry)\" is not kind:name (e.g. checkpoint:sd15.safetensors)")
            }
        }
        let limits = config.limits
        for (key, value) in [
            ("max_frames", limits.maxFrames), ("max_width", limits.maxWidth), ("max_height", limits.maxHeight),
            ("max_steps", limits.maxSteps), ("max_batch_count", limits.maxBatchCount),
            ("max_request_bytes", limits.maxRequestBytes), ("max_connections", limits.maxConnections),
        ] where value <= 0 {
            throw ConfigError(key: "limits.\(key)", "must be positive")
        }
        guard limits.maxRequestBytes <= LineFramer.protocolLineLimit else {
            throw ConfigError(key: "limits.max_request_bytes", "must be at most \(LineFramer.protocolLineLimit) (the protocol's line cap)")
        }
    }
}

extension DaemonConfig {
    /// Copies one top-level value from `other`.
    mutating func copy(_ key: CodingKeys, from other: DaemonConfig) {
        switch key {
        case .socket: socket = other.socket
        case .socketMode: socketMode = other.socketMode
        case .socketGroup: socketGroup = other.socketGroup
        case .stateDir: stateDir = other.stateDir
        case .outputDir: outputDir = other.outputDir
        case .modelRoots: modelRoots = other.modelRoots
        case .inputRoots: inputRoots = other.inputRoots
        case .logLevel: logLevel = other.logLevel
        case .threads: threads = other.threads
        case .precision: precision = other.precision
        case .defaultFormats: defaultFormats = other.defaultFormats
        case .onSigterm: onSigterm = other.onSigterm
        case .queueSize: queueSize = other.queueSize
        case .memoryBudget: memoryBudget = other.memoryBudget
        case .keepAlive: keepAlive = other.keepAlive
        case .preload: preload = other.preload
        case .limits: limits = other.limits
        }
    }
}

extension DecodingError {
    /// Dotted key path of the failure.
    var keyPath: String? {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        @unknown default: return nil
        }
        // TOMLKit repeats the failing key at the end of the path; drop repeats.
        var parts: [String] = []
        for key in path.map(\.stringValue) where key != parts.last { parts.append(key) }
        let text = parts.joined(separator: ".")
        return text.isEmpty ? nil : text
    }
}

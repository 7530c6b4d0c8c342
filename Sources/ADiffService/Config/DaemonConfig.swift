import ADiffProtocol
import ADiffTensor

/// Everything adiffd can be told, from `adiffd.toml`, `ADIFFD_*` environment variables and
/// flags (in increasing precedence). Key names are those of the TOML file; see
/// `etc/adiffd.toml` for each key's meaning.
public struct DaemonConfig: Sendable, Equatable, Codable {
    /// Per-request caps.
    public struct Limits: Sendable, Equatable, Codable {
        /// Most frames per video (`video_length`).
        public var maxFrames: Int = 128
        /// Largest width and height in pixels.
        public var maxWidth: Int = 1024
        public var maxHeight: Int = 1024
        /// Most sampler steps.
        public var maxSteps: Int = 150
        /// Most videos per job (`n_iter`).
        public var maxBatchCount: Int = 8
        /// Longest request line in bytes (at most the protocol's 1 MiB).
        public var maxRequestBytes: Int = LineFramer.protocolLineLimit
        /// Most simultaneous client connections.
        public var maxConnections: Int = 64

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxFrames = "max_frames"
            case maxWidth = "max_width"
            case maxHeight = "max_height"
            case maxSteps = "max_steps"
            case maxBatchCount = "max_batch_count"
            case maxRequestBytes = "max_request_bytes"
            case maxConnections = "max_connections"
        }

        /// Decodes, keeping defaults for absent keys.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            maxFrames = try c.decodeIfPresent(Int.self, forKey: .maxFrames) ?? maxFrames
            maxWidth = try c.decodeIfPresent(Int.self, forKey: .maxWidth) ?? maxWidth
            maxHeight = try c.decodeIfPresent(Int.self, forKey: .maxHeight) ?? maxHeight
            maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps) ?? maxSteps
            maxBatchCount = try c.decodeIfPresent(Int.self, forKey: .maxBatchCount) ?? maxBatchCount
            maxRequestBytes = try c.decodeIfPresent(Int.self, forKey: .maxRequestBytes) ?? maxRequestBytes
            maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? maxConnections
        }
    }

    /// What SIGTERM does to a running job.
    public enum ShutdownPolicy: String, Sendable, Equatable, Codable {
        /// Cancel it at the next window; it is recorded failed with kind `Interrupted`.
        case cancel
        /// Let it finish (systemd's `TimeoutStopSec` still applies).
        case finish
    }

    /// Listening socket path (ignored under socket activation).
    public var socket: String = "/run/adiffd/adiffd.sock"
    /// Mode of a socket adiffd binds itself, octal text.
    public var socketMode: String = "0660"
    /// Group of a socket adiffd binds itself; empty = the daemon's group.
    public var socketGroup: String = ""
    /// Registry database and default outputs live here.
    public var stateDir: String = "/var/lib/adiffd"
    /// Outputs are written under this root; empty = `<state_dir>/outputs`.
    public var outputDir: String = ""
    /// Roots holding WebUI-style model folders (`Stable-diffusion/`, `AnimateDiff/`, …).
    public var modelRoots: [String] = ["/var/lib/adiffd/models"]
    /// Roots that client-named input files (init images, last frames) must be under.
    public var inputRoots: [String] = []
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
    public var logLevel: String = "info"
    /// Compute threads for the engine; 0 = the CPUs this process may use.
    public var threads: Int = 0
    /// Compute precision of the large matrix products: `fp32`, or `bf16` (bf16 operands, fp32
    /// accumulation; needs AVX512-BF16). Weights stay in their stored precision either way.
    public var precision: String = "fp32"
    /// ``precision`` as the kernels' type (fp32 when it does not parse; validation refuses that).
    public var computePrecision: ComputePrecision { ComputePrecision(rawValue: precision) ?? .float32 }
    /// Formats written when a request names none.
    public var defaultFormats: [String] = ["GIF", "PNG"]
    /// What SIGTERM does to the running job.
    public var onSigterm: ShutdownPolicy = .cancel
    /// Most jobs waiting behind the running one; a full queue answers `QueueFull`.
    public var queueSize: Int = 8
    /// Memory for resident models: bytes with an optional K/M/G suffix, or `auto` (60% of
    /// the cgroup limit or of physical memory).
    public var memoryBudget: String = "auto"
    /// Default idle time before a model is unloaded (`5m`; `-1` = forever).
    public var keepAlive: String = "5m"
    /// Models made resident before READY, as `kind:name` (`checkpoint:sd15.safetensors`).
    public var preload: [String] = []
    /// Per-request caps.
    public var limits = Limits()

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case socket
        case socketMode = "socket_mode"
        case socketGroup = "socket_group"
        case stateDir = "state_dir"
        case outputDir = "output_dir"
        case modelRoots = "model_roots"
        case inputRoots = "input_roots"
        case logLevel = "log_level"
        case threads, precision
        case defaultFormats = "default_formats"
        case onSigterm = "on_sigterm"
        case queueSize = "queue_size"
        case memoryBudget = "memory_budget"
        case keepAlive = "keep_alive"
        case preload, limits
    }

    /// Decodes, keeping defaults for absent keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        socket = try c.decodeIfPresent(String.self, forKey: .socket) ?? socket
        socketMode = try c.decodeIfPresent(String.self, forKey: .socketMode) ?? socketMode
        socketGroup = try c.decodeIfPresent(String.self, forKey: .socketGroup) ?? socketGroup
        stateDir = try c.decodeIfPresent(String.self, forKey: .stateDir) ?? stateDir
        outputDir = try c.decodeIfPresent(String.self, forKey: .outputDir) ?? outputDir
        modelRoots = try c.decodeIfPresent([String].self, forKey: .modelRoots) ?? modelRoots
        inputRoots = try c.decodeIfPresent([String].self, forKey: .inputRoots) ?? inputRoots
        logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel) ?? logLevel
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? threads
        precision = try c.decodeIfPresent(String.self, forKey: .precision) ?? precision
        defaultFormats = try c.decodeIfPresent([String].self, forKey: .defaultFormats) ?? defaultFormats
        onSigterm = try c.decodeIfPresent(ShutdownPolicy.self, forKey: .onSigterm) ?? onSigterm
        queueSize = try c.decodeIfPresent(Int.self, forKey: .queueSize) ?? queueSize
        memoryBudget = try c.decodeIfPresent(String.self, forKey: .memoryBudget) ?? memoryBudget
        keepAlive = try c.decodeIfPresent(String.self, forKey: .keepAlive) ?? keepAlive
        preload = try c.decodeIfPresent([String].self, forKey: .preload) ?? preload
        limits = try c.decodeIfPresent(Limits.self, forKey: .limits) ?? limits
    }

    /// The output root in effect.
    public var effectiveOutputDir: String { outputDir.isEmpty ? stateDir + "/outputs" : outputDir }
}

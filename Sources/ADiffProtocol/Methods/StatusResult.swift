/// `status` result: what a health check or `adiffctl status` shows.
public struct StatusResult: Sendable, Equatable, Codable {
    /// Server name and version (`adiffd/0.1.0`).
    public var server: String
    /// Protocol major version.
    public var `protocol`: Int
    /// Seconds since the daemon started.
    public var uptimeSeconds: Double
    /// Kernel-verified uid of the caller, as the daemon sees it.
    public var peerUid: Int
    /// Id of the running job, if any and visible to the caller.
    public var runningJob: String?
    /// Jobs running now (0 or 1).
    public var running: Int
    /// Jobs waiting.
    public var queued: Int
    /// Most jobs that may wait.
    public var queueCapacity: Int
    /// Resident models and the bytes they hold.
    public var residentModels: Int
    public var residentBytes: Int64
    /// The memory budget for resident models.
    public var budgetBytes: Int64
    /// Compute threads the engine uses.
    public var threads: Int
    /// Compute precision setting.
    public var precision: String
    /// Whether a generation engine is linked in (false: `generate` answers `EngineUnavailable`).
    public var engine: Bool
    /// Output formats this daemon can encode.
    public var formats: [String]

    /// Creates the result.
    public init(
        server: String, protocol: Int, uptimeSeconds: Double, peerUid: Int, runningJob: String?, running: Int,
        queued: Int, queueCapacity: Int, residentModels: Int, residentBytes: Int64, budgetBytes: Int64, threads: Int,
        precision: String, engine: Bool, formats: [String]
    ) {
        self.server = server
        self.protocol = `protocol`
        self.uptimeSeconds = uptimeSeconds
        self.peerUid = peerUid
        self.runningJob = runningJob
        self.running = running
        self.queued = queued
        self.queueCapacity = queueCapacity
        self.residentModels = residentModels
        self.residentBytes = residentBytes
        self.budgetBytes = budgetBytes
        self.threads = threads
        self.precision = precision
        self.engine = engine
        self.formats = formats
    }
}

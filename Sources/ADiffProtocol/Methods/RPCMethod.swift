/// The methods adiffd answers, by their wire names.
public enum RPCMethod: String, Sendable, CaseIterable, Codable {
    /// Handshake; must come first on a connection.
    case hello
    /// Submit a generation job (``GenerateParams``).
    case generate
    /// One job's state (``JobIDParams`` → ``JobInfo``).
    case jobGet = "job.get"
    /// Cancel a queued or running job (``JobIDParams`` → ``JobInfo``).
    case jobCancel = "job.cancel"
    /// Wait until a job ends (``JobWaitParams`` → ``JobInfo``).
    case jobWait = "job.wait"
    /// The newest jobs visible to the caller (``JobsListParams`` → ``JobsListResult``).
    case jobsList = "jobs.list"
    /// Model files under the configured roots (``ModelsListParams`` → ``ModelsListResult``).
    case modelsList = "models.list"
    /// Make a model resident (``ModelsLoadParams`` → ``ResidentModelInfo``).
    case modelsLoad = "models.load"
    /// Drop a resident model (``ModelsUnloadParams`` → ``ModelsUnloadResult``).
    case modelsUnload = "models.unload"
    /// Scan the model roots again (``ModelsRescanParams`` → ``ModelsListResult``).
    case modelsRescan = "models.rescan"
    /// Resident models, like `ollama ps` (→ ``PSResult``).
    case ps
    /// Daemon health, queue and memory (→ ``StatusResult``).
    case status
}

/// `models.load` params: which model, and how long to keep it resident once idle.
public struct ModelsLoadParams: Sendable, Equatable, Codable {
    /// A name as the WebUI accepts it: `name.safetensors [abcdef1234]`, a file name with or
    /// without extension, a relative path, a 10-hex short hash, an 8-hex legacy hash or the
    /// full sha256.
    public var name: String
    /// The model's kind (default `checkpoint`).
    public var kind: ModelKind?
    /// Idle time before unloading: seconds as a number, or a duration string (`"90s"`,
    /// `"5m"`, `"1h"`); negative = forever, 0 = unload as soon as idle. Default: the daemon's
    /// `keep_alive` setting.
    public var keepAlive: KeepAlive?

    /// Creates the params.
    public init(name: String, kind: ModelKind? = nil, keepAlive: KeepAlive? = nil) {
        self.name = name
        self.kind = kind
        self.keepAlive = keepAlive
    }
}

/// `models.unload` params.
public struct ModelsUnloadParams: Sendable, Equatable, Codable {
    /// The model, named as for `models.load`.
    public var name: String
    /// The model's kind (default `checkpoint`).
    public var kind: ModelKind?

    /// Creates the params.
    public init(name: String, kind: ModelKind? = nil) {
        self.name = name
        self.kind = kind
    }
}

/// `models.unload` result.
public struct ModelsUnloadResult: Sendable, Equatable, Codable {
    /// Whether it was resident (unloading a model that is not resident is not an error).
    public var unloaded: Bool
    /// Whether it is still held by a running job (it is dropped when the job ends).
    public var inUse: Bool

    /// Creates the result.
    public init(unloaded: Bool, inUse: Bool) {
        self.unloaded = unloaded
        self.inUse = inUse
    }
}

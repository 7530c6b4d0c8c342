/// One resident model, as `ps` and `models.load` report it.
public struct ResidentModelInfo: Sendable, Equatable, Codable {
    /// Name relative to its kind's folder.
    public var name: String
    /// Its kind.
    public var kind: ModelKind
    /// Full sha256; resident models are keyed by it.
    public var sha256: String
    /// Memory it holds, in bytes.
    public var sizeBytes: Int64
    /// When it will be unloaded if still idle (seconds since 1970); `nil` = kept forever.
    public var expiresAt: Double?
    /// Its keep-alive as given (`5m`, `forever`).
    public var keepAlive: String
    /// Jobs using it right now.
    public var inUse: Int

    /// Creates an entry.
    public init(
        name: String, kind: ModelKind, sha256: String, sizeBytes: Int64, expiresAt: Double?, keepAlive: String,
        inUse: Int
    ) {
        self.name = name
        self.kind = kind
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.expiresAt = expiresAt
        self.keepAlive = keepAlive
        self.inUse = inUse
    }
}

/// `ps` result.
public struct PSResult: Sendable, Equatable, Codable {
    /// Resident models, most recently used first.
    public var models: [ResidentModelInfo]
    /// Bytes held by resident models.
    public var residentBytes: Int64
    /// The configured memory budget.
    public var budgetBytes: Int64

    /// Creates the result.
    public init(models: [ResidentModelInfo], residentBytes: Int64, budgetBytes: Int64) {
        self.models = models
        self.residentBytes = residentBytes
        self.budgetBytes = budgetBytes
    }
}

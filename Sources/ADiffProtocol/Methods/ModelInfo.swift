/// One model file as `models.list` reports it.
public struct ModelInfo: Sendable, Equatable, Codable {
    /// Path relative to the kind's folder, with extension (`sub/name.safetensors`).
    public var name: String
    /// The WebUI title: `name [shorthash]` once hashed, else the name.
    public var title: String
    /// What kind of model it is (which folder it was found in).
    public var kind: ModelKind
    /// File size in bytes.
    public var sizeBytes: Int64
    /// Full sha256 (64 hex), if already hashed (hashes are computed on first use or on
    /// `models.rescan {"hash": true}`).
    public var sha256: String?
    /// Whether it is resident now.
    public var resident: Bool

    /// Creates an entry.
    public init(name: String, title: String, kind: ModelKind, sizeBytes: Int64, sha256: String?, resident: Bool) {
        self.name = name
        self.title = title
        self.kind = kind
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.resident = resident
    }
}

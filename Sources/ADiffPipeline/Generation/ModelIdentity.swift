/// What the infotext records about the models of a generation.
public struct ModelIdentity: Sendable, Equatable {
    /// Checkpoint file stem (`Model`).
    public var checkpointName: String
    /// First 10 hex digits of its SHA-256 (`Model hash`).
    public var checkpointHash: String?
    /// VAE file name, when a separate VAE is used (`VAE`).
    public var vaeName: String?
    /// First 10 hex digits of the VAE's SHA-256 (`VAE hash`).
    public var vaeHash: String?
    /// Motion module file name (`AnimateDiff: model`).
    public var motionModuleName: String
    /// First 8 hex digits of its SHA-256 (`mm_hash`).
    public var motionModuleHash: String?
    /// LoRA name as written in the prompt → first 12 hex digits of its addnet hash.
    public var loraHashes: [(name: String, hash: String)]
    /// Written as `Version`.
    public var version: String

    /// Creates an identity.
    public init(
        checkpointName: String, checkpointHash: String? = nil, vaeName: String? = nil, vaeHash: String? = nil,
        motionModuleName: String, motionModuleHash: String? = nil, loraHashes: [(name: String, hash: String)] = [],
        version: String = "adiff"
    ) {
        self.checkpointName = checkpointName
        self.checkpointHash = checkpointHash
        self.vaeName = vaeName
        self.vaeHash = vaeHash
        self.motionModuleName = motionModuleName
        self.motionModuleHash = motionModuleHash
        self.loraHashes = loraHashes
        self.version = version
    }

    /// Same fields, LoRA hashes compared in order.
    public static func == (lhs: ModelIdentity, rhs: ModelIdentity) -> Bool {
        lhs.checkpointName == rhs.checkpointName && lhs.checkpointHash == rhs.checkpointHash
            && lhs.vaeName == rhs.vaeName && lhs.vaeHash == rhs.vaeHash && lhs.motionModuleName == rhs.motionModuleName
            && lhs.motionModuleHash == rhs.motionModuleHash && lhs.version == rhs.version
            && lhs.loraHashes.map(\.name) == rhs.loraHashes.map(\.name)
            && lhs.loraHashes.map(\.hash) == rhs.loraHashes.map(\.hash)
    }
}

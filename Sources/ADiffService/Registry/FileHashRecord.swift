import GRDB

/// A cached sha256 of a model file, valid while the file's identity (device, inode, size and
/// modification time) is unchanged; any change means the file is hashed again.
public struct FileHashRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "file_hash"

    /// Absolute path of the file.
    public var path: String
    /// What identified the file when it was hashed.
    public var identity: FileIdentity
    /// Lower-case hex sha256 of the whole file.
    public var sha256: String

    /// Creates a record.
    public init(path: String, identity: FileIdentity, sha256: String) {
        self.path = path
        self.identity = identity
        self.sha256 = sha256
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256
        case device, inode, size
        case modifiedNanoseconds = "mtime_ns"
    }

    /// Decodes a row.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        sha256 = try container.decode(String.self, forKey: .sha256)
        identity = FileIdentity(
            device: try container.decode(UInt64.self, forKey: .device),
            inode: try container.decode(UInt64.self, forKey: .inode),
            size: try container.decode(Int64.self, forKey: .size),
            modifiedNanoseconds: try container.decode(Int64.self, forKey: .modifiedNanoseconds)
        )
    }

    /// Encodes a row.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(identity.device, forKey: .device)
        try container.encode(identity.inode, forKey: .inode)
        try container.encode(identity.size, forKey: .size)
        try container.encode(identity.modifiedNanoseconds, forKey: .modifiedNanoseconds)
    }
}

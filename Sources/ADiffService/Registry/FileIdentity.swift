#if canImport(Glibc)
import Glibc
#endif

/// What tells two versions of a file apart without reading it: device, inode, size and
/// modification time in nanoseconds. A file replaced on disk (new inode), rewritten in place
/// (new mtime) or truncated (new size) gets a new identity.
public struct FileIdentity: Sendable, Hashable, Codable {
    /// `st_dev`.
    public var device: UInt64
    /// `st_ino`.
    public var inode: UInt64
    /// `st_size` in bytes.
    public var size: Int64
    /// `st_mtim` in nanoseconds since 1970.
    public var modifiedNanoseconds: Int64

    /// Creates an identity from its parts.
    public init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
    }

    /// The identity of the file at `path` (following symlinks), or `nil` if it cannot be
    /// stat'ed or is not a regular file.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.init(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        )
    }
}

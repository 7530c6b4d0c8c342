import ADiffProtocol
import CADiffShims

#if canImport(Glibc)
    import Glibc
#endif

/// A regular file opened beneath a configured root with the kernel confining the path:
/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)` rejects `..`, absolute paths and
/// symlinks that leave the root, and every later check (type, identity) is made on the open
/// descriptor, so a file swapped after the check cannot be read instead.
public final class ConfinedFile: Sendable {
    /// The open descriptor (read-only, close-on-exec).
    public let descriptor: Int32
    /// Path relative to the root, as the client named it (used in messages).
    public let relativePath: String
    /// Root path + relative path, for logs.
    public let absolutePath: String
    /// The file's identity at open time (from `fstat` on the descriptor).
    public let identity: FileIdentity

    /// Opens `relativePath` beneath `root`.
    ///
    /// - Throws: ``RPCError`` `.pathOutsideRoot` for paths that are absolute, contain `..`,
    ///   NUL or resolve outside the root; `.invalidParams` for special files (FIFO, device,
    ///   directory); `.modelNotFound`-like `notFound` for a missing file (`missingKind`).
    public init(root: String, relativePath: String, missingKind: RPCErrorKind = .invalidParams) throws(RPCError) {
        guard !relativePath.isEmpty, !relativePath.hasPrefix("/"), !relativePath.utf8.contains(0),
            relativePath.utf8.count < 4096,
            !relativePath.split(separator: "/").contains("..")
        else {
            throw RPCError(.pathOutsideRoot, "\"\(relativePath)\" is not a path beneath a configured root")
        }
        let rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else {
            throw RPCError(missingKind, "\"\(relativePath)\": its root is not available")
        }
        defer { close(rootFD) }
        let fd = cadiff_open_beneath(rootFD, relativePath, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, 0)
        if fd < 0 {
            switch -fd {
            case EXDEV, ELOOP:
                throw RPCError(.pathOutsideRoot, "\"\(relativePath)\" resolves outside its root")
            case ENOENT, ENOTDIR:
                throw RPCError(missingKind, "\"\(relativePath)\" does not exist")
            case EACCES, EPERM:
                throw RPCError(missingKind, "\"\(relativePath)\" is not readable by adiffd")
            default:
                throw RPCError(missingKind, "\"\(relativePath)\" cannot be opened: \(String(cString: strerror(-fd)))")
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw RPCError(.invalidParams, "\"\(relativePath)\" is not a regular file")
        }
        // Back to blocking reads now that we know it is a regular file.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        descriptor = fd
        self.relativePath = relativePath
        absolutePath = (root.hasSuffix("/") ? root : root + "/") + relativePath
        identity = FileIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    deinit { close(descriptor) }

    /// A path that reopens exactly this open file (the same inode, whatever happened to the
    /// name since): `/proc/self/fd/N`.
    public var procPath: String { "/proc/self/fd/\(descriptor)" }
}

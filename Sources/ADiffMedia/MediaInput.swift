#if canImport(Glibc)
    import Glibc
#endif

/// Where encoded media comes from: bytes already in memory, or a file descriptor the caller
/// opened (for example with `openat2` confined to a client's root). Nothing here opens a path
/// by name, so a container can never make the decoder read another file.
public enum MediaInput: Sendable {
    /// An in-memory file, e.g. a base64 `init_image` from a request.
    case bytes([UInt8], name: String)
    /// An open, readable, regular file; the caller keeps ownership and closes it.
    case fileDescriptor(Int32, name: String)

    /// A short label for error messages (never an absolute path).
    public var name: String {
        switch self {
        case .bytes(_, let name), .fileDescriptor(_, let name): name
        }
    }

    /// Opens `path` read-only without following a final symlink and checks that it is a regular
    /// file; the caller closes the returned descriptor.
    public static func openFile(_ path: String) throws(MediaError) -> Int32 {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw AtomicFile.posixError(errno, "open", path) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw MediaError(.unrecognizedFormat, "\(path.split(separator: "/").last ?? ""): not a regular file")
        }
        return fd
    }

    /// The whole input as bytes, refusing inputs larger than `limit`.
    func readAll(limit: Int) throws(MediaError) -> [UInt8] {
        switch self {
        case .bytes(let bytes, let name):
            guard bytes.count <= limit else { throw MediaError(.limitExceeded, "\(name): larger than \(limit) bytes") }
            return bytes
        case .fileDescriptor(let fd, let name):
            let size = try Self.size(fd, name)
            guard size <= limit else { throw MediaError(.limitExceeded, "\(name): larger than \(limit) bytes") }
            var bytes = [UInt8](repeating: 0, count: size)
            var offset = 0
            while offset < size {
                let n = bytes.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + offset, size - offset, off_t(offset))
                }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw MediaError(.io, "\(name): read failed or file shrank") }
                offset += n
            }
            return bytes
        }
    }

    static func size(_ fd: Int32, _ name: String) throws(MediaError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MediaError(.io, "\(name): fstat failed") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw MediaError(.unrecognizedFormat, "\(name): not a regular file")
        }
        return Int(info.st_size)
    }
}

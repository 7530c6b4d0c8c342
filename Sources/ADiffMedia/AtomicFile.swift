import CADiffShims

#if canImport(Glibc)
    import Glibc
#endif

/// Crash-safe publication of output files and folders.
///
/// Content is written under a hidden temporary name in the destination directory, synced, then
/// renamed to the final name without replacing anything, and the directory is synced. A crash at
/// any point leaves either nothing or a stray `.…tmp-…` entry, never a partial file under the
/// final name; an existing final name is left untouched (`nameTaken`).
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically with permission bits `mode`.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(MediaError) {
        try publish(to: path) { (temp: String) throws(MediaError) in
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            guard fd >= 0 else { throw posixError(errno, "create", temp) }
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { raw in
                    Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw posixError(errno, "write", temp)
                }
                offset += written
            }
        }
    }

    /// Publishes a file that `body` creates at the temporary path it is given (for writers that
    /// open the file themselves, such as FFmpeg's muxers that seek back for `faststart`).
    public static func publish(
        to path: String,
        writing body: (_ temporaryPath: String) throws(MediaError) -> Void
    ) throws(MediaError) {
        let (directory, name) = split(path)
        let temp = directory + "/" + temporaryName(for: name)
        do {
            try body(temp)
            try syncPath(temp, directory: false)
            try renameNoReplace(temp, path)
        } catch {
            unlink(temp)
            throw error
        }
        try syncPath(directory, directory: true)
    }

    /// Publishes a folder that `body` fills at the temporary path it is given; the folder appears
    /// under its final name complete or not at all.
    public static func publishDirectory(
        to path: String,
        filling body: (_ temporaryPath: String) throws(MediaError) -> Void
    ) throws(MediaError) {
        let (directory, name) = split(path)
        let temp = directory + "/" + temporaryName(for: name)
        guard mkdir(temp, 0o755) == 0 else { throw posixError(errno, "create folder", temp) }
        do {
            try body(temp)
            try syncPath(temp, directory: true)
            try renameNoReplace(temp, path)
        } catch {
            removeTree(temp)
            throw error
        }
        try syncPath(directory, directory: true)
    }

    /// Creates `path` and any missing parents (mode 0755), like `mkdir -p`.
    public static func makeDirectories(_ path: String) throws(MediaError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw posixError(errno, "create folder", current)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw MediaError(.io, "\(lastComponent(path)) exists and is not a folder")
        }
    }

    static func posixError(_ code: Int32, _ action: String, _ path: String) -> MediaError {
        let reason = String(cString: strerror(code))
        let kind: MediaError.Kind =
            switch code {
            case ENOSPC, EDQUOT, EFBIG: .diskFull
            case EEXIST: .nameTaken
            default: .io
            }
        return MediaError(kind, "\(action) \(lastComponent(path)): \(reason)")
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    private static func lastComponent(_ path: String) -> String {
        split(path).name
    }

    private static func temporaryName(for name: String) -> String {
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return ".\(name).tmp-\(getpid())-\(token)"
    }

    private static func syncPath(_ path: String, directory: Bool) throws(MediaError) {
        let fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else { throw posixError(errno, "open for sync", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError(errno, "fsync", path) }
    }

    private static func renameNoReplace(_ from: String, _ to: String) throws(MediaError) {
        let result = cadiff_rename_noreplace(AT_FDCWD, from, AT_FDCWD, to)
        if result == 0 { return }
        // File systems without RENAME_NOREPLACE: link(2) also refuses an existing name.
        if result == -EINVAL || result == -ENOSYS {
            guard link(from, to) == 0 else { throw posixError(errno, "publish", to) }
            unlink(from)
            return
        }
        throw posixError(-result, "publish", to)
    }

    private static func removeTree(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

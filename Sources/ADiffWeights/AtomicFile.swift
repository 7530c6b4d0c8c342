#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written under a temporary name in its destination directory and renamed into
/// place only when complete and synced.
final class AtomicFile {
    let destination: String
    let temporaryPath: String
    private var descriptor: Int32

    /// Creates the temporary file next to `destination`.
    init(destination: String) throws {
        self.destination = destination
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[..<$0]) } ?? "."
        let base = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        guard !base.isEmpty else { throw WeightsError(.io, "\(destination): not a file path") }
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        temporaryPath = (directory.isEmpty ? "" : directory + "/") + ".\(base).\(getpid()).\(suffix).tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw WeightsError(
                .io, "\(destination): cannot create temporary file in '\(directory)': \(Self.errnoText())")
        }
    }

    /// Appends all of `bytes`, retrying short writes and EINTR.
    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WeightsError(.io, "\(destination): write failed: \(Self.errnoText())")
                }
                done += written
            }
        }
    }

    /// Syncs the data, renames it over the destination and syncs the directory entry.
    func commit() throws {
        guard fsync(descriptor) == 0 else {
            throw WeightsError(.io, "\(destination): fsync failed: \(Self.errnoText())")
        }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else { throw WeightsError(.io, "\(destination): close failed: \(Self.errnoText())") }
        guard rename(temporaryPath, destination) == 0 else {
            throw WeightsError(.io, "\(destination): rename from temporary file failed: \(Self.errnoText())")
        }
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[..<$0]) } ?? "."
        let directoryDescriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else {
            throw WeightsError(.io, "\(destination): cannot open directory to sync it: \(Self.errnoText())")
        }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else {
            throw WeightsError(.io, "\(destination): directory fsync failed: \(Self.errnoText())")
        }
    }

    /// Closes and removes the temporary file after a failure.
    func abandon() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random-access bytes a model-file reader parses: an open file (``FileByteSource``) or an
/// in-memory image (``MemoryByteSource``, used by tests and fuzz targets).
public protocol ByteSource: Sendable {
    /// Name used in error messages.
    var path: String { get }
    /// Total length in bytes.
    var byteCount: UInt64 { get }
    /// Exactly `count` bytes starting at `offset`.
    ///
    /// - Throws: ``WeightsError`` `.truncatedRead` when fewer bytes exist, `.io` on read errors.
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
}

/// An open read-only file read with `pread(2)`.
///
/// `pread` rather than `mmap`: the bytes land in memory we own, so a file truncated or
/// rewritten while it is in use gives a short read and a ``WeightsError`` instead of SIGBUS,
/// and resident memory is exactly the tensors the caller keeps. `pread` has no shared file
/// position, so one instance serves concurrent readers.
public final class FileByteSource: ByteSource {
    public let path: String
    public let byteCount: UInt64
    private let descriptor: Int32

    /// Opens `path` for reading.
    ///
    /// - Throws: ``WeightsError`` `.io` naming the file and the system error.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WeightsError(.io, "\(path): cannot open: \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw WeightsError(.io, "\(path): cannot stat: \(message)")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw WeightsError(.io, "\(path): not a regular file")
        }
        descriptor = fd
        byteCount = UInt64(status.st_size)
    }

    deinit { close(descriptor) }

    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(at: offset, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills `buffer` with the bytes at `offset`, looping over short reads.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let position = offset + UInt64(done)
            guard position <= UInt64(Int64.max) else {
                throw WeightsError(.truncatedRead, "\(path): read at offset \(position) is past the end")
            }
            let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(position))
            if result < 0 {
                if errno == EINTR { continue }
                throw WeightsError(.io, "\(path): read failed at offset \(position): \(String(cString: strerror(errno)))")
            }
            if result == 0 {
                throw WeightsError(
                    .truncatedRead,
                    "\(path): file ended at offset \(position) while reading \(buffer.count) bytes at \(offset)"
                )
            }
            done += result
        }
    }
}

/// Bytes held in memory, read like a file.
public struct MemoryByteSource: ByteSource {
    public let path: String
    /// The file image.
    public let bytes: [UInt8]
    public var byteCount: UInt64 { UInt64(bytes.count) }

    /// Wraps `bytes`; `path` names them in errors.
    public init(_ bytes: [UInt8], path: String = "<memory>") {
        self.bytes = bytes
        self.path = path
    }

    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0, offset <= byteCount, UInt64(count) <= byteCount - offset else {
            throw WeightsError(.truncatedRead, "\(path): \(count) bytes at offset \(offset) run past the end (\(byteCount))")
        }
        let start = Int(offset)
        return Array(bytes[start..<start + count])
    }
}

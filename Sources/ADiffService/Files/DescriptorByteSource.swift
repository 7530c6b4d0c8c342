import ADiffWeights

#if canImport(Glibc)
    import Glibc
#endif

/// A ``ByteSource`` over a ``ConfinedFile``: the model readers parse exactly the file that
/// was opened beneath the root and hashed, read with `pread` (no mmap, so a file truncated
/// under us gives a read error instead of SIGBUS).
public struct DescriptorByteSource: ByteSource {
    /// The file (kept open while the source lives).
    public let file: ConfinedFile
    /// Name used in error messages: the path relative to its root.
    public var path: String { file.relativePath }
    /// Size at open time.
    public var byteCount: UInt64 { UInt64(max(0, file.identity.size)) }

    /// Wraps an open file.
    public init(file: ConfinedFile) {
        self.file = file
    }

    /// Exactly `count` bytes at `offset`.
    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let result = pread(file.descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw WeightsError(.io, "\(path): read failed: \(String(cString: strerror(errno)))")
                }
                if result == 0 {
                    throw WeightsError(.truncatedRead, "\(path): file ended at offset \(offset + UInt64(done))")
                }
                done += result
            }
            initialized = count
        }
    }
}

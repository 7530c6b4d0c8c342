import CADiffShims
import CFFmpeg

#if canImport(Glibc)
    import Glibc
#endif

/// The reading end of a custom AVIO context over a `MediaInput`: FFmpeg reads and seeks only
/// within these bytes or this descriptor, never by opening a URL.
final class AVIOSource {
    private let bytes: [UInt8]?
    private let fd: Int32
    let size: Int
    private var position = 0

    init(_ input: MediaInput, limits: DecodeLimits) throws(MediaError) {
        switch input {
        case .bytes(let bytes, let name):
            guard bytes.count <= limits.maximumFileBytes else {
                throw MediaError(.limitExceeded, "\(name): larger than \(limits.maximumFileBytes) bytes")
            }
            self.bytes = bytes
            fd = -1
            size = bytes.count
        case .fileDescriptor(let fd, let name):
            let size = try MediaInput.size(fd, name)
            guard size <= limits.maximumFileBytes else {
                throw MediaError(.limitExceeded, "\(name): larger than \(limits.maximumFileBytes) bytes")
            }
            bytes = nil
            self.fd = fd
            self.size = size
        }
    }

    /// The first `count` bytes (fewer for a shorter input), read without moving the position.
    func prefix(_ count: Int) -> [UInt8] {
        let n = min(count, size)
        guard n > 0 else { return [] }
        if let bytes { return Array(bytes[0..<n]) }
        var out = [UInt8](repeating: 0, count: n)
        let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, n, 0) }
        return Array(out.prefix(max(0, got)))
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Int32 {
        let available = min(count, size - position)
        guard available > 0 else { return cadiff_averror_eof() }
        if let bytes {
            bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + position, count: available) }
            position += available
            return Int32(available)
        }
        while true {
            let n = pread(fd, buffer, available, off_t(position))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return cadiff_averror(errno) }
            if n == 0 { return cadiff_averror_eof() }
            position += n
            return Int32(n)
        }
    }

    func seek(_ offset: Int64, whence: Int32) -> Int64 {
        let mode = whence & ~Int32(AVSEEK_FORCE)
        if mode == AVSEEK_SIZE { return Int64(size) }
        let target: Int64 =
            switch mode {
            case SEEK_SET: offset
            case SEEK_CUR: Int64(position) + offset
            case SEEK_END: Int64(size) + offset
            default: -1
            }
        guard target >= 0, target <= Int64(size) else { return Int64(cadiff_averror(EINVAL)) }
        position = Int(target)
        return target
    }
}

import Crypto

/// Model file hashes exactly as AUTOMATIC1111's WebUI computes them (spec §6, §3.7).
///
/// Files are streamed with `pread` in 16 MiB chunks, so hashing needs constant memory.
public enum ModelHashes {
    /// Chunk size for streaming; large enough that syscalls are negligible next to SHA-256.
    static let chunkSize = 16 << 20

    /// Full-file SHA-256 as 64 lowercase hex digits (the WebUI `sha256`; TI, VAE and motion
    /// module hashes are prefixes of it).
    public static func sha256(path: String) throws -> String {
        let source = try FileByteSource(path: path)
        return try sha256(source, from: 0)
    }

    /// The 10-hex-digit short hash shown as `Model hash:` in infotext.
    public static func shortHash(sha256: String) -> String {
        String(sha256.prefix(10))
    }

    /// The legacy 8-hex-digit model hash: SHA-256 of the 64 KiB at offset 1 MiB (as much of
    /// it as exists; nothing for files under 1 MiB, giving `e3b0c442`).
    public static func legacyHash(path: String) throws -> String {
        let source = try FileByteSource(path: path)
        let start: UInt64 = 0x10_0000
        let count = source.byteCount > start ? Int(min(source.byteCount - start, 0x1_0000)) : 0
        let digest = SHA256.hash(data: try source.read(at: start, count: count))
        return String(hex(digest).prefix(8))
    }

    /// The LoRA "addnet" hash (64 hex digits; infotext shows 12): SHA-256 of everything after
    /// the safetensors header, found from the 8-byte length prefix without further
    /// validation, as the WebUI does. For zip checkpoints it is the full-file SHA-256.
    public static func addnetHash(path: String) throws -> String {
        let source = try FileByteSource(path: path)
        let prefix = try source.read(at: 0, count: Int(min(source.byteCount, 8)))
        if prefix.starts(with: ZipArchive.localHeaderMagic) || prefix.count < 8 {
            return try sha256(source, from: 0)
        }
        let length = prefix.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let (start, overflow) = length.addingReportingOverflow(8)
        return try sha256(source, from: overflow ? .max : start)
    }

    private static func sha256(_ source: FileByteSource, from start: UInt64) throws -> String {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var offset = start
        while offset < source.byteCount {
            let count = Int(min(UInt64(chunkSize), source.byteCount - offset))
            try buffer.withUnsafeMutableBytes { chunk in
                let slice = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<count])
                try source.read(at: offset, into: slice)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(slice))
            }
            offset += UInt64(count)
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Walks the chunks of a PNG file with every length and CRC checked, and reads its text.
///
/// Used to reject truncated or corrupt PNG inputs before a decoder sees them and to read the
/// WebUI `parameters` infotext back (`tEXt`, `zTXt` and `iTXt`, as A1111 readers accept).
public struct PNGChunks: Sendable {
    /// One chunk: its four-letter type and the byte range of its body within the file.
    public struct Chunk: Sendable, Equatable {
        /// Chunk type, e.g. `IHDR`.
        public let type: String
        /// Range of the chunk body in the file bytes.
        public let body: Range<Int>
    }

    /// The chunks in file order, from `IHDR` to `IEND`.
    public let chunks: [Chunk]
    private let bytes: [UInt8]

    /// Inflated text is capped so that a tiny `zTXt` cannot expand into gigabytes.
    static let maximumTextBytes = 1 << 20

    /// Parses `bytes`; throws `decodeFailed` naming the offset of the first broken rule.
    public init(_ bytes: [UInt8], name: String = "PNG") throws(MediaError) {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw MediaError(.unrecognizedFormat, "\(name): not a PNG file (bad signature)")
        }
        var chunks = [Chunk]()
        var offset = 8
        while true {
            guard offset + 12 <= bytes.count else {
                throw MediaError(.decodeFailed, "\(name): truncated PNG, chunk header at offset \(offset) is cut off")
            }
            let length = Int(bytes.readBigEndian(at: offset))
            guard length <= 0x7FFF_FFFF, offset + 12 + length <= bytes.count else {
                throw MediaError(
                    .decodeFailed,
                    "\(name): truncated PNG, chunk at offset \(offset) declares \(length) bytes past the end of the file"
                )
            }
            let typeBytes = bytes[(offset + 4)..<(offset + 8)]
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw MediaError(.decodeFailed, "\(name): invalid PNG chunk type at offset \(offset)")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            let stored = bytes.readBigEndian(at: offset + 8 + length)
            guard Zlib.crc(bytes[(offset + 4)..<(offset + 8 + length)]) == stored else {
                throw MediaError(.decodeFailed, "\(name): CRC mismatch in PNG chunk \(type) at offset \(offset)")
            }
            if chunks.isEmpty && type != "IHDR" {
                throw MediaError(.decodeFailed, "\(name): first PNG chunk is \(type), not IHDR")
            }
            chunks.append(Chunk(type: type, body: (offset + 8)..<(offset + 8 + length)))
            offset += 12 + length
            if type == "IEND" { break }
        }
        guard chunks.contains(where: { $0.type == "IDAT" }) else {
            throw MediaError(.decodeFailed, "\(name): PNG has no IDAT chunk")
        }
        self.chunks = chunks
        self.bytes = bytes
    }

    /// Width and height from `IHDR`.
    public var size: (width: Int, height: Int) {
        let body = chunks[0].body
        guard body.count >= 8 else { return (0, 0) }
        return (Int(bytes.readBigEndian(at: body.lowerBound)), Int(bytes.readBigEndian(at: body.lowerBound + 4)))
    }

    /// Every text entry (keyword, value) in file order; `tEXt` is Latin-1, `iTXt` UTF-8.
    public func textEntries() throws(MediaError) -> [(keyword: String, value: String)] {
        var entries = [(keyword: String, value: String)]()
        for chunk in chunks where ["tEXt", "zTXt", "iTXt"].contains(chunk.type) {
            let body = bytes[chunk.body]
            guard let nul = body.firstIndex(of: 0) else {
                throw MediaError(.decodeFailed, "PNG \(chunk.type) chunk has no keyword terminator")
            }
            let keyword = String(decoding: body[body.startIndex..<nul], as: UTF8.self)
            let rest = body[(nul + 1)...]
            switch chunk.type {
            case "tEXt":
                entries.append((keyword, latin1(rest)))
            case "zTXt":
                guard rest.first == 0 else { throw MediaError(.decodeFailed, "PNG zTXt uses an unknown method") }
                entries.append((keyword, latin1(try Zlib.inflate(rest.dropFirst(), limit: Self.maximumTextBytes)[...])))
            default:
                guard rest.count >= 2 else { throw MediaError(.decodeFailed, "PNG iTXt chunk is truncated") }
                let compressed = rest[rest.startIndex] == 1
                var cursor = rest.startIndex + 2
                for _ in 0..<2 {  // language tag, translated keyword
                    guard let end = rest[cursor...].firstIndex(of: 0) else {
                        throw MediaError(.decodeFailed, "PNG iTXt chunk is truncated")
                    }
                    cursor = end + 1
                }
                let text =
                    compressed ? try Zlib.inflate(rest[cursor...], limit: Self.maximumTextBytes)[...] : rest[cursor...]
                entries.append((keyword, String(decoding: text, as: UTF8.self)))
            }
        }
        return entries
    }

    /// The WebUI infotext: the value of the first `parameters` text entry, if any.
    public func parameters() throws(MediaError) -> String? {
        try textEntries().first { $0.keyword == "parameters" }?.value
    }

    private func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}

extension [UInt8] {
    func readBigEndian(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }
}

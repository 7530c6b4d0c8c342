/// Format and dimensions of a still image read from its first bytes, so that hostile sizes are
/// refused before any decoder allocates (D1, D4), and truncated files are refused before a
/// decoder silently fills missing rows with grey.
struct ImageHeader: Equatable {
    enum Format: String {
        case png = "PNG"
        case jpeg = "JPEG"
        case webp = "WEBP"
    }

    let format: Format
    let width: Int
    let height: Int

    init(_ b: [UInt8], name: String) throws(MediaError) {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            let chunks = try PNGChunks(b, name: name)
            format = .png
            (width, height) = chunks.size
        } else if b.starts(with: [0xFF, 0xD8, 0xFF]) {
            format = .jpeg
            (width, height) = try Self.jpegSize(b, name)
        } else if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) {
            format = .webp
            (width, height) = try Self.webpSize(b, name)
        } else {
            throw MediaError(.unrecognizedFormat, "\(name): not a PNG, JPEG or WEBP image")
        }
    }

    /// Declared dimensions of container formats whose demuxer leaves the size to the decoder
    /// (GIF logical screen, YUV4MPEG2 stream header), so the cap applies before FFmpeg runs.
    static func declaredVideoSize(_ b: [UInt8]) -> (width: Int, height: Int)? {
        if b.count >= 10, b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) {
            return (Int(b[6]) | Int(b[7]) << 8, Int(b[8]) | Int(b[9]) << 8)
        }
        if b.starts(with: Array("YUV4MPEG2 ".utf8)) {
            let line = b.prefix { $0 != 0x0A }.split(separator: 0x20)
            func field(_ tag: UInt8) -> Int? {
                line.first { $0.first == tag }.flatMap { Int(String(decoding: $0.dropFirst(), as: UTF8.self)) }
            }
            if let width = field(0x57), let height = field(0x48) { return (width, height) }
        }
        return nil
    }

    private static func jpegSize(_ b: [UInt8], _ name: String) throws(MediaError) -> (Int, Int) {
        var i = 2
        var size: (Int, Int)?
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { throw MediaError(.decodeFailed, "\(name): corrupt JPEG marker at offset \(i)") }
            let marker = b[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 {
                i += 2
                continue
            }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2, i + 2 + length <= b.count else {
                throw MediaError(.decodeFailed, "\(name): truncated JPEG, segment at offset \(i) runs past the end")
            }
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) && length >= 7 {
                size = (Int(b[i + 7]) << 8 | Int(b[i + 8]), Int(b[i + 5]) << 8 | Int(b[i + 6]))
            }
            if marker == 0xDA {
                guard let size else { throw MediaError(.decodeFailed, "\(name): JPEG scan before any frame header") }
                // The entropy-coded data must be followed by an end-of-image marker.
                guard b.count >= 2, b[(i + 2 + length)...].firstRange(of: [0xFF, 0xD9]) != nil else {
                    throw MediaError(.decodeFailed, "\(name): truncated JPEG, no end-of-image marker")
                }
                return size
            }
            i += 2 + length
        }
        throw MediaError(.decodeFailed, "\(name): truncated JPEG, no image data")
    }

    private static func webpSize(_ b: [UInt8], _ name: String) throws(MediaError) -> (Int, Int) {
        let riffSize = Int(b.readLittle32(at: 4))
        guard riffSize + 8 <= b.count else {
            throw MediaError(
                .decodeFailed, "\(name): truncated WEBP, RIFF declares \(riffSize + 8) bytes, file has \(b.count)")
        }
        let chunks = try WebPContainer.parse(Array(b[0..<(riffSize + 8)]))
        guard let first = chunks.first else { throw MediaError(.decodeFailed, "\(name): WEBP without chunks") }
        let o = first.body.lowerBound
        switch first.type {
        case "VP8X" where first.body.count >= 10:
            guard b[o] & 0x02 == 0 else {
                throw MediaError(.unrecognizedFormat, "\(name): animated WEBP is not accepted as a still image")
            }
            return (b.readLittle24(at: o + 4) + 1, b.readLittle24(at: o + 7) + 1)
        case "VP8 " where first.body.count >= 10:
            return (Int(b[o + 6]) | Int(b[o + 7] & 0x3F) << 8, Int(b[o + 8]) | Int(b[o + 9] & 0x3F) << 8)
        case "VP8L" where first.body.count >= 5:
            let bits = b.readLittle32(at: o + 1)
            return (Int(bits & 0x3FFF) + 1, Int((bits >> 14) & 0x3FFF) + 1)
        default:
            throw MediaError(.decodeFailed, "\(name): WEBP starts with an unexpected \(first.type) chunk")
        }
    }
}

/// Encodes RGB8 frames as PNG with text chunks the way the WebUI stores its infotext.
///
/// Text is written before `IDAT` as Pillow does: `tEXt` when the value is Latin-1 encodable,
/// otherwise an uncompressed `iTXt` (empty language tag and translated keyword, UTF-8 text).
/// Rows use the per-row adaptive filter choice (minimum sum of absolute differences) that
/// libpng recommends for truecolour images.
public enum PNGWriter {
    /// The PNG bytes of `frame` with `text` entries (keyword, value) in order.
    public static func encode(
        _ frame: Frame,
        text: [(keyword: String, value: String)] = [],
        compressionLevel: Int32 = 6
    ) throws(MediaError) -> [UInt8] {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header.appendBigEndian(UInt32(frame.width))
        header.appendBigEndian(UInt32(frame.height))
        header += [8, 2, 0, 0, 0]  // 8-bit, truecolour, deflate, adaptive filtering, no interlace
        appendChunk("IHDR", header, to: &png)
        for (keyword, value) in text {
            let (type, body) = try textChunk(keyword: keyword, value: value)
            appendChunk(type, body, to: &png)
        }
        appendChunk("IDAT", try Zlib.deflate(filteredRows(frame), level: compressionLevel), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// The chunk type and body for one text entry: `tEXt` if Latin-1 encodable, else `iTXt`.
    static func textChunk(keyword: String, value: String) throws(MediaError) -> (String, [UInt8]) {
        let keywordBytes = Array(keyword.utf8)
        guard (1...79).contains(keywordBytes.count),
            keywordBytes.allSatisfy({ (0x20...0x7E).contains($0) })
        else {
            throw MediaError(.invalidArgument, "PNG text keyword must be 1-79 printable ASCII characters")
        }
        let scalars = value.unicodeScalars
        if scalars.allSatisfy({ $0.value <= 0xFF && $0.value != 0 }) {
            return ("tEXt", keywordBytes + [0] + scalars.map { UInt8($0.value) })
        }
        // keyword, NUL, compression flag 0, method 0, empty language NUL, empty translation NUL.
        return ("iTXt", keywordBytes + [0, 0, 0, 0, 0] + Array(value.utf8))
    }

    private static func appendChunk(_ type: String, _ body: [UInt8], to png: inout [UInt8]) {
        png.appendBigEndian(UInt32(body.count))
        let start = png.count
        png += Array(type.utf8)
        png += body
        png.appendBigEndian(Zlib.crc(png[start...]))
    }

    private static func filteredRows(_ frame: Frame) -> [UInt8] {
        let stride = frame.width * 3
        var out = [UInt8](repeating: 0, count: (stride + 1) * frame.height)
        var scratch = [UInt8](repeating: 0, count: stride * 5)
        frame.pixels.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { out in
                scratch.withUnsafeMutableBufferPointer { candidates in
                    for y in 0..<frame.height {
                        let row = y * stride
                        var scores = (0, 0, 0, 0, 0)
                        @inline(__always) func store(_ filter: Int, _ value: Int, _ i: Int) -> Int {
                            let byte = UInt8(truncatingIfNeeded: value)
                            candidates[filter * stride + i] = byte
                            return byte < 128 ? Int(byte) : 256 - Int(byte)
                        }
                        for i in 0..<stride {
                            let x = Int(pixels[row + i])
                            let a = i >= 3 ? Int(pixels[row + i - 3]) : 0
                            let b = y > 0 ? Int(pixels[row - stride + i]) : 0
                            let c = (i >= 3 && y > 0) ? Int(pixels[row - stride + i - 3]) : 0
                            scores.0 += store(0, x, i)
                            scores.1 += store(1, x - a, i)
                            scores.2 += store(2, x - b, i)
                            scores.3 += store(3, x - ((a + b) >> 1), i)
                            scores.4 += store(4, x - paeth(a, b, c), i)
                        }
                        let all = [scores.0, scores.1, scores.2, scores.3, scores.4]
                        let best = all.indices.min { all[$0] < all[$1] } ?? 0
                        let base = y * (stride + 1)
                        out[base] = UInt8(best)
                        for i in 0..<stride { out[base + 1 + i] = candidates[best * stride + i] }
                    }
                }
            }
        }
        return out
    }

    private static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a)
        let pb = abs(p - b)
        let pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }
}

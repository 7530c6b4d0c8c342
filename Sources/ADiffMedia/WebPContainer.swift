/// Finishes the animated WebP that `libwebp_anim` assembles: sets the loop count, makes the
/// delays exact, and appends the infotext as EXIF `UserComment`.
///
/// FFmpeg 5.1's `libwebp_anim` leaves the loop count at libwebp's default (forever) and gives
/// the last frame whatever duration its flush timestamp implies; the extension writes
/// `loop = loop_number` and `duration = int(1000 / fps)` for every frame. libwebp may merge
/// identical consecutive frames into one longer frame, so only the last frame's duration is set
/// (to make the total `frames × delay`), never the merged ones.
enum WebPContainer {
    /// Delay per frame in milliseconds for `fps`, as Pillow receives it from the extension.
    static func delayMilliseconds(fps: Int) -> Int { 1000 / fps }

    static func finish(
        _ file: [UInt8], frameCount: Int, delayMilliseconds delay: Int, loopCount: Int, comment: String?
    ) throws(MediaError) -> [UInt8] {
        var bytes = file
        var chunks = try parse(bytes)
        guard chunks.contains(where: { $0.type == "ANIM" }) else {
            // libwebp writes a one-frame animation as a plain still image; add the VP8X header
            // that the EXIF chunk requires, then continue as for an animation.
            guard frameCount == 1, let image = chunks.first, image.type == "VP8 " || image.type == "VP8L" else {
                throw MediaError(.encodeFailed, "libwebp_anim output has neither ANIM nor a single still image")
            }
            guard let comment, !comment.isEmpty else { return bytes }
            let size = try ImageHeader(bytes, name: "encoded WEBP")
            var header = Array("VP8X".utf8) + [10, 0, 0, 0, 0, 0, 0, 0]
            header.writeLittle24Appending(size.width - 1)
            header.writeLittle24Appending(size.height - 1)
            bytes = Array(bytes[0..<12]) + header + Array(bytes[12...])
            chunks = try parse(bytes)
            return appendEXIF(comment, to: bytes, vp8x: chunks[0])
        }
        guard let vp8x = chunks.first(where: { $0.type == "VP8X" }),
            let anim = chunks.first(where: { $0.type == "ANIM" })
        else { throw MediaError(.encodeFailed, "libwebp_anim output lacks VP8X/ANIM chunks") }
        bytes[anim.body.lowerBound + 4] = UInt8(loopCount & 0xFF)
        bytes[anim.body.lowerBound + 5] = UInt8(loopCount >> 8)

        let frames = chunks.filter { $0.type == "ANMF" }
        guard let last = frames.last else { throw MediaError(.encodeFailed, "libwebp_anim output has no frames") }
        let earlier = frames.dropLast().reduce(0) { $0 + bytes.readLittle24(at: $1.body.lowerBound + 12) }
        let remaining = frameCount * delay - earlier
        if remaining > 0 && remaining < 1 << 24 { bytes.writeLittle24(remaining, at: last.body.lowerBound + 12) }

        if let comment, !comment.isEmpty { return appendEXIF(comment, to: bytes, vp8x: vp8x) }
        return bytes
    }

    private static func appendEXIF(_ comment: String, to file: [UInt8], vp8x: Chunk) -> [UInt8] {
        var bytes = file
        bytes[vp8x.body.lowerBound] |= 0x08  // EXIF metadata present
        let exif = exifUserComment(comment)
        bytes += Array("EXIF".utf8)
        bytes.appendLittle32(UInt32(exif.count))
        bytes += exif
        if exif.count % 2 == 1 { bytes.append(0) }
        let riffSize = UInt32(bytes.count - 8)
        for i in 0..<4 { bytes[4 + i] = UInt8((riffSize >> (8 * UInt32(i))) & 0xFF) }
        return bytes
    }

    struct Chunk {
        let type: String
        let body: Range<Int>
    }

    /// The top-level chunks of a RIFF/WEBP file, with every size checked against the length.
    static func parse(_ bytes: [UInt8]) throws(MediaError) -> [Chunk] {
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WEBP".utf8)
        else { throw MediaError(.unrecognizedFormat, "not a RIFF WEBP file") }
        var chunks = [Chunk]()
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = Int(bytes.readLittle32(at: offset + 4))
            guard size <= bytes.count - offset - 8 else {
                throw MediaError(.decodeFailed, "WEBP chunk at offset \(offset) runs past the end of the file")
            }
            chunks.append(
                Chunk(
                    type: String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self),
                    body: (offset + 8)..<(offset + 8 + size)))
            offset += 8 + size + (size & 1)
        }
        return chunks
    }

    /// A big-endian TIFF block whose Exif IFD holds `UserComment` = `UNICODE\0` + UTF-16BE
    /// text, the layout piexif writes for A1111.
    static func exifUserComment(_ text: String) -> [UInt8] {
        var comment = Array("UNICODE".utf8) + [0]
        for unit in text.utf16 { comment += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        var tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8]
        // IFD0 at 8: one entry, ExifIFDPointer (0x8769, LONG) → 26; no next IFD.
        tiff += [0, 1, 0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]
        // Exif IFD at 26: one entry, UserComment (0x9286, UNDEFINED) → data at 44; no next IFD.
        tiff += [0, 1, 0x92, 0x86, 0, 7]
        tiff.appendBigEndian(UInt32(comment.count))
        tiff += [0, 0, 0, 44, 0, 0, 0, 0]
        return tiff + comment
    }
}

extension [UInt8] {
    func readLittle32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3])
            << 24
    }

    func readLittle24(at offset: Int) -> Int {
        Int(self[offset]) | Int(self[offset + 1]) << 8 | Int(self[offset + 2]) << 16
    }

    mutating func writeLittle24(_ value: Int, at offset: Int) {
        self[offset] = UInt8(value & 0xFF)
        self[offset + 1] = UInt8((value >> 8) & 0xFF)
        self[offset + 2] = UInt8((value >> 16) & 0xFF)
    }

    mutating func writeLittle24Appending(_ value: Int) {
        append(UInt8(value & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8((value >> 16) & 0xFF))
    }

    mutating func appendLittle32(_ value: UInt32) {
        for i in 0..<4 { append(UInt8((value >> (8 * UInt32(i))) & 0xFF)) }
    }
}

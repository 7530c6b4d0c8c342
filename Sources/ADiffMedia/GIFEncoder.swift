import CGIF

/// Writes animated GIFs through giflib, matching the extension's GIF conventions.
///
/// Delay per frame is `floor(100 / fps)` centiseconds (Pillow's `int(1000 / fps / 10)`), the
/// loop count goes into a NETSCAPE2.0 block (0 = forever) and the infotext into a comment
/// extension. Frames after the first are cropped to the rectangle that differs from what is
/// already on screen ("do not dispose"), as Pillow does; an unchanged frame is kept as a 1×1
/// patch so the frame count always equals the input's.
public struct GIFEncoder: Sendable {
    /// Where palettes come from.
    public enum PaletteMode: Sendable {
        /// One adaptive palette per frame (Pillow's default, the extension's default path).
        case perFrame
        /// One palette for the whole animation (the extension's "palette optimisation" setting,
        /// which runs ffmpeg's palettegen over all frames).
        case global
    }

    /// Palette strategy.
    public var palette: PaletteMode = .perFrame
    /// Floyd–Steinberg error diffusion when mapping to the palette.
    public var dither = false
    /// NETSCAPE2.0 loop count; 0 = forever.
    public var loopCount = 0
    /// Crop frames to the region that changed since the previous frame.
    public var cropUnchangedRegions = true

    /// Creates an encoder with the extension's defaults.
    public init() {}

    /// Delay between frames in centiseconds for `fps`, as Pillow stores it.
    public static func delayCentiseconds(fps: Int) -> Int { 100 / fps }

    /// The GIF bytes of `video`, with `comment` (the infotext) in a comment extension.
    public func encode(_ video: FrameSequence, comment: String? = nil) throws(MediaError) -> [UInt8] {
        guard video.width <= 65_535, video.height <= 65_535 else {
            throw MediaError(.invalidArgument, "GIF frames are limited to 65535x65535")
        }
        guard (0...65_535).contains(loopCount) else {
            throw MediaError(.invalidArgument, "GIF loop count \(loopCount) must be in 0...65535")
        }
        let sink = ByteSink()
        var status: Int32 = 0
        let opaque = Unmanaged.passUnretained(sink).toOpaque()
        guard
            let gif = EGifOpen(
                opaque,
                { file, data, length in
                    guard let file, let data, let user = file.pointee.UserData else { return 0 }
                    Unmanaged<ByteSink>.fromOpaque(user).takeUnretainedValue()
                        .bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                    return length
                }, &status)
        else {
            throw MediaError(.encodeFailed, "giflib EGifOpen failed (\(status))")
        }
        var closed = false
        defer { if !closed { EGifCloseFile(gif, &status) } }
        EGifSetGifVersion(gif, true)

        let globalQuantizer = palette == .global ? ColorQuantizer(frames: video.frames) : nil
        try withColorMap(globalQuantizer?.palette) { map throws(MediaError) in
            try check(
                EGifPutScreenDesc(gif, Int32(video.width), Int32(video.height), 8, 0, map), gif, "screen descriptor")
        }
        try putLoopBlock(gif)
        if let comment, !comment.isEmpty {
            // UTF-8 bytes, as Pillow writes a str comment; giflib splits them into sub-blocks.
            try check(EGifPutComment(gif, comment), gif, "comment")
        }

        let delay = Self.delayCentiseconds(fps: video.fps)
        var canvas = [UInt8]()
        for (number, frame) in video.frames.enumerated() {
            let quantizer = globalQuantizer ?? ColorQuantizer(frames: [frame])
            let indices = quantizer.indices(for: frame, dither: dither)
            let shown = quantizer.palette
            var displayed = [UInt8](repeating: 0, count: indices.count * 3)
            for (i, index) in indices.enumerated() {
                let colour = shown[Int(index)]
                displayed[3 * i] = colour.0
                displayed[3 * i + 1] = colour.1
                displayed[3 * i + 2] = colour.2
            }
            var rect = (x: 0, y: 0, width: frame.width, height: frame.height)
            if number > 0 && cropUnchangedRegions {
                rect = changedRectangle(canvas, displayed, width: frame.width, height: frame.height)
            }
            canvas = displayed

            // Graphic control: disposal 1 (keep), no transparency, delay little-endian.
            var control: [UInt8] = [1 << 2, UInt8(delay & 0xFF), UInt8(delay >> 8), 0]
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, &control), gif, "graphic control")
            try withColorMap(globalQuantizer == nil ? shown : nil) { map throws(MediaError) in
                try check(
                    EGifPutImageDesc(
                        gif, Int32(rect.x), Int32(rect.y), Int32(rect.width), Int32(rect.height), false, map),
                    gif, "image descriptor of frame \(number)"
                )
            }
            var row = [GifPixelType](repeating: 0, count: rect.width)
            for y in rect.y..<(rect.y + rect.height) {
                let start = y * frame.width + rect.x
                for x in 0..<rect.width { row[x] = indices[start + x] }
                try check(EGifPutLine(gif, &row, Int32(rect.width)), gif, "pixels of frame \(number)")
            }
        }
        closed = true
        guard EGifCloseFile(gif, &status) == GIF_OK else {
            throw MediaError(.encodeFailed, "giflib close failed (\(status))")
        }
        return sink.bytes
    }

    private func putLoopBlock(_ gif: UnsafeMutablePointer<GifFileType>) throws(MediaError) {
        var identifier = Array("NETSCAPE2.0".utf8)
        var loop: [UInt8] = [1, UInt8(loopCount & 0xFF), UInt8(loopCount >> 8)]
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, "loop block")
        try check(EGifPutExtensionBlock(gif, 11, &identifier), gif, "loop block")
        try check(EGifPutExtensionBlock(gif, 3, &loop), gif, "loop block")
        try check(EGifPutExtensionTrailer(gif), gif, "loop block")
    }

    private func changedRectangle(
        _ before: [UInt8], _ after: [UInt8], width: Int, height: Int
    ) -> (x: Int, y: Int, width: Int, height: Int) {
        var minX = width
        var minY = height
        var maxX = -1
        var maxY = -1
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                if before[i] != after[i] || before[i + 1] != after[i + 1] || before[i + 2] != after[i + 2] {
                    minX = min(minX, x)
                    maxX = max(maxX, x)
                    minY = min(minY, y)
                    maxY = max(maxY, y)
                }
            }
        }
        if maxX < 0 { return (0, 0, 1, 1) }
        return (minX, minY, maxX - minX + 1, maxY - minY + 1)
    }

    private func withColorMap(
        _ palette: [(UInt8, UInt8, UInt8)]?,
        _ body: (UnsafeMutablePointer<ColorMapObject>?) throws(MediaError) -> Void
    ) throws(MediaError) {
        guard let palette else { return try body(nil) }
        // giflib wants a power-of-two table of at least two entries; pad with black.
        var size = 2
        while size < palette.count { size *= 2 }
        var colors = (0..<size).map { i -> GifColorType in
            guard i < palette.count else { return GifColorType(Red: 0, Green: 0, Blue: 0) }
            return GifColorType(Red: palette[i].0, Green: palette[i].1, Blue: palette[i].2)
        }
        guard let map = GifMakeMapObject(Int32(size), &colors) else {
            throw MediaError(.encodeFailed, "giflib could not allocate a colour map")
        }
        defer { GifFreeMapObject(map) }
        try body(map)
    }

    private func check(_ result: Int32, _ gif: UnsafeMutablePointer<GifFileType>, _ what: String) throws(MediaError) {
        guard result == GIF_OK else {
            let reason = GifErrorString(gif.pointee.Error).map { String(cString: $0) } ?? "error \(gif.pointee.Error)"
            throw MediaError(.encodeFailed, "giflib failed writing the \(what): \(reason)")
        }
    }
}

/// Growing byte buffer that giflib's output callback appends to.
private final class ByteSink {
    var bytes = [UInt8]()
}

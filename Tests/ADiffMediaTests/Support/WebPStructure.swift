import Foundation

/// An independent, naive reader of animated WebP files for the tests. It parses the RIFF chunks
/// itself and rebuilds each frame as a still WebP that the `ffmpeg` tool decodes (FFmpeg 5.1
/// cannot decode animations), then composites the frames on a canvas per the WebP container
/// rules (offsets, alpha blending, dispose to background).
struct WebPStructure {
    struct AnimationFrame {
        let x: Int, y: Int, width: Int, height: Int, duration: Int
        let blend: Bool, dispose: Bool
        let payload: [UInt8]
    }

    var canvasWidth = 0
    var canvasHeight = 0
    var loopCount = -1
    var frames = [AnimationFrame]()
    var exif: [UInt8]?
    var vp8xFlags: UInt8 = 0

    init(_ b: [UInt8]) throws {
        func le(_ o: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[o + $1]) << (8 * $1) } }
        guard Array(b[0..<4]) == Array("RIFF".utf8), le(4, 4) + 8 == b.count else { throw Failure("bad RIFF size") }
        var o = 12
        while o + 8 <= b.count {
            let type = String(decoding: b[o..<(o + 4)], as: UTF8.self)
            let size = le(o + 4, 4)
            let body = o + 8
            switch type {
            case "VP8X":
                vp8xFlags = b[body]
                canvasWidth = le(body + 4, 3) + 1
                canvasHeight = le(body + 7, 3) + 1
            case "ANIM": loopCount = le(body + 4, 2)
            case "ANMF":
                frames.append(
                    AnimationFrame(
                        x: le(body, 3) * 2, y: le(body + 3, 3) * 2, width: le(body + 6, 3) + 1,
                        height: le(body + 9, 3) + 1,
                        duration: le(body + 12, 3), blend: b[body + 15] & 2 == 0, dispose: b[body + 15] & 1 == 1,
                        payload: Array(b[(body + 16)..<(body + size)])))
            case "EXIF": exif = Array(b[body..<(body + size)])
            default: break
            }
            o = body + size + (size & 1)
        }
    }

    /// The RGB canvas after each frame.
    func decodedFrames(workDirectory: String) throws -> [[UInt8]] {
        var canvas = [UInt8](repeating: 0, count: canvasWidth * canvasHeight * 3)
        var out = [[UInt8]]()
        for (n, frame) in frames.enumerated() {
            var still = Array("WEBP".utf8)
            let hasAlpha = frame.payload.count >= 4 && Array(frame.payload[0..<4]) == Array("ALPH".utf8)
            if hasAlpha {
                still += Array("VP8X".utf8) + [10, 0, 0, 0, 0x10, 0, 0, 0]
                for v in [frame.width - 1, frame.height - 1] {
                    still += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v >> 16)]
                }
            }
            still += frame.payload
            let size = UInt32(still.count)
            let file = Array("RIFF".utf8) + (0..<4).map { UInt8((size >> (8 * $0)) & 0xFF) } + still
            let path = workDirectory + "/frame\(n).webp"
            try Data(file).write(to: URL(fileURLWithPath: path))
            let rgba = [UInt8](
                try run("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgba", "-"]))
            guard rgba.count == frame.width * frame.height * 4 else {
                throw Failure("frame \(n) decoded to \(rgba.count) bytes")
            }
            for y in 0..<frame.height {
                for x in 0..<frame.width {
                    let s = (y * frame.width + x) * 4
                    let d = ((frame.y + y) * canvasWidth + frame.x + x) * 3
                    let alpha = frame.blend ? Int(rgba[s + 3]) : 255
                    for c in 0..<3 {
                        canvas[d + c] = UInt8(
                            (Int(rgba[s + c]) * alpha + Int(canvas[d + c]) * (255 - alpha) + 127) / 255)
                    }
                }
            }
            out.append(canvas)
            if frame.dispose {
                for y in 0..<frame.height {
                    for x in 0..<frame.width {
                        let d = ((frame.y + y) * canvasWidth + frame.x + x) * 3
                        for c in 0..<3 { canvas[d + c] = 0 }
                    }
                }
            }
        }
        return out
    }
}

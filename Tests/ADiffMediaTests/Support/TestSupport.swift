import Foundation
import Testing

@testable import ADiffMedia

/// A natural-looking test animation: a drifting two-axis gradient with a sine texture and a
/// moving disc, so palettes, chroma subsampling and motion all get exercised.
enum TestClip {
    static func frame(_ t: Int, width: Int, height: Int) throws -> Frame {
        let cx = Double(width) * (0.3 + 0.05 * Double(t))
        let cy = Double(height) * 0.5
        let radius = Double(min(width, height)) * 0.22
        return try Frame(width: width, height: height) { x, y in
            let fx = Double(x) / Double(width)
            let fy = Double(y) / Double(height)
            let wave = 20 * sin(Double(x + 3 * t) * 0.25) * cos(Double(y) * 0.2)
            var r = 40 + 170 * fx + wave
            var g = 30 + 150 * fy + 10 * Double(t)
            var b = 200 - 120 * fx * fy - wave
            // The disc edge is anti-aliased over two pixels, as edges are in rendered images.
            let distance = ((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot()
            let cover = max(0, min(1, (radius - distance) / 2 + 0.5))
            r = r * (1 - cover) + (230 - 30 * fy) * cover
            g = g * (1 - cover) + (200 - 40 * fx) * cover
            b = b * (1 - cover) + 60 * cover
            func clamp(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
            return (clamp(r), clamp(g), clamp(b))
        }
    }

    static func video(frames: Int = 8, width: Int = 64, height: Int = 48, fps: Int = 8) throws -> FrameSequence {
        try FrameSequence(frames: (0..<frames).map { try frame($0, width: width, height: height) }, fps: fps)
    }
}

/// Naive PSNR over the top-left `width × height` RGB region of `decoded` (stride `decodedWidth`).
func psnr(_ source: Frame, _ decoded: [UInt8], decodedWidth: Int) -> Double {
    var squared = 0.0
    for y in 0..<source.height {
        for x in 0..<source.width {
            for c in 0..<3 {
                let a = Double(source.pixels[(y * source.width + x) * 3 + c])
                let b = Double(decoded[(y * decodedWidth + x) * 3 + c])
                squared += (a - b) * (a - b)
            }
        }
    }
    let mse = squared / Double(source.width * source.height * 3)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

/// Runs a tool installed by scripts/setup and returns its standard output.
func run(_ tool: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
}

/// Decodes every frame of a file with the `ffmpeg` command-line tool, no rate conversion.
func ffmpegFrames(_ path: String, width: Int, height: Int) throws -> [[UInt8]] {
    let data = [UInt8](
        try run(
            "ffmpeg",
            ["-v", "error", "-i", path, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]))
    let size = width * height * 3
    return stride(from: 0, to: data.count - size + 1, by: size).map { Array(data[$0..<($0 + size)]) }
}

/// `ffprobe` stream fields (width, height, frame count, rates, codec, pixel format) of stream 0.
func ffprobe(_ path: String) throws -> [String: String] {
    let text = String(
        decoding: try run(
            "ffprobe",
            [
                "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,pix_fmt,width,height,nb_read_frames,r_frame_rate,avg_frame_rate:format_tags",
                "-of", "default=noprint_wrappers=1",
            ] + [path]), as: UTF8.self)
    var fields = [String: String]()
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
    }
    return fields
}

/// A fresh empty directory under the system temp directory.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "adiff-media-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Folder of the committed bad-input fixtures.
let fixturesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/Media").path

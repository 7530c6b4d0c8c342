import ADiffMedia
import ArgumentParser
import Dispatch
import Foundation

/// Times encoding a 16-frame 512×512 clip in every output format (fidelity is checked by the
/// ADiffMedia tests, not here).
struct MediaBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Time GIF, MP4, WEBM, WEBP and PNG encoding of 16 frames of 512×512."
    )

    @Option(help: "Timed repetitions per format; the best is reported.")
    var repetitions = 3

    @Option(help: "Frames in the clip.")
    var frames = 16

    @Option(help: "Frame side in pixels.")
    var size = 512

    mutating func run() throws {
        FFmpegLogging.setLevel(FFmpegLogging.errorLevel)
        let clip = try Self.clip(frames: frames, size: size)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adiff-media-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        print("media: \(frames) frames of \(size)×\(size); best of \(repetitions); wall and this process's CPU time")

        var gif = GIFEncoder()
        for (label, palette, dither) in [
            ("GIF per-frame palette", GIFEncoder.PaletteMode.perFrame, false),
            ("GIF per-frame palette + dither", .perFrame, true),
            ("GIF global palette", .global, false),
        ] {
            gif.palette = palette
            gif.dither = dither
            try time(label) { try gif.encode(clip).count }
        }
        try time("MP4 (x264, CRF 23)") {
            try FFmpegVideoEncoder.writeMP4(clip, to: directory + "/a.mp4")
            return Self.fileSize(directory + "/a.mp4")
        }
        try time("WEBM (VP9)") {
            try FFmpegVideoEncoder.writeWebM(clip, to: directory + "/a.webm")
            return Self.fileSize(directory + "/a.webm")
        }
        try time("WEBP (quality 80)") { try FFmpegVideoEncoder.encodeWebP(clip).count }
        var lossless = VideoEncoderOptions()
        lossless.webpLossless = true
        try time("WEBP (lossless)") { try FFmpegVideoEncoder.encodeWebP(clip, options: lossless).count }
        try time("PNG frames") {
            try clip.frames.reduce(0) { $0 + (try PNGWriter.encode($1, text: [("parameters", "bench")]).count) }
        }
    }

    private func time(_ label: String, _ body: () throws -> Int) throws {
        var bestWall = Double.infinity
        var bestCPU = Double.infinity
        var bytes = 0
        for _ in 0..<max(1, repetitions) {
            let cpuStart = Load.ownCPUSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            bytes = try body()
            bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            bestCPU = min(bestCPU, Load.ownCPUSeconds() - cpuStart)
        }
        print(
            label.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: "%8.2f s wall %8.2f s CPU %10d bytes", bestWall, bestCPU, bytes)
        )
    }

    /// A drifting gradient with a sine texture and a moving soft disc: natural enough that
    /// palettes and codecs have real work to do.
    private static func clip(frames: Int, size: Int) throws -> FrameSequence {
        let list = try (0..<frames).map { index in
            let phase = Double(index) / Double(max(frames, 1))
            let centerX = Double(size) * (0.3 + 0.4 * phase)
            let centerY = Double(size) * 0.5
            return try Frame(width: size, height: size) { x, y in
                let fx = Double(x) / Double(size), fy = Double(y) / Double(size)
                let texture = 0.5 + 0.5 * sin(12 * fx + 9 * fy + 6.28 * phase)
                let distance = ((Double(x) - centerX) * (Double(x) - centerX) + (Double(y) - centerY) * (Double(y) - centerY)).squareRoot()
                let disc = max(0, min(1, (Double(size) * 0.15 - distance) / 8))
                let r = 255 * ((1 - disc) * (0.6 * fx + 0.4 * texture) + disc * 0.95)
                let g = 255 * ((1 - disc) * (0.5 * fy + 0.3 * texture) + disc * 0.3)
                let b = 255 * ((1 - disc) * (0.8 - 0.5 * fx * fy) + disc * 0.2)
                return (UInt8(max(0, min(255, r))), UInt8(max(0, min(255, g))), UInt8(max(0, min(255, b))))
            }
        }
        return try FrameSequence(frames: list, fps: 8)
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }
}

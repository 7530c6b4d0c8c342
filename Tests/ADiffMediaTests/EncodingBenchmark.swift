import CADiffShims
import Foundation
import Testing

@testable import ADiffMedia

/// Encoding time for 16 frames of 512×512 in each format; run with `ADIFF_MEDIA_BENCH=1`
/// (results go to Benchmarks/MEDIA.md). ADiffMedia is compiled with -O even in debug builds.
@Suite("Encoding benchmark", .enabled(if: ProcessInfo.processInfo.environment["ADIFF_MEDIA_BENCH"] == "1"))
struct EncodingBenchmark {
    @Test("16 frames of 512x512")
    func encode512() throws {
        cadiff_av_log_quiet(16)
        let video = try TestClip.video(frames: 16, width: 512, height: 512, fps: 8)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func time(_ label: String, _ body: () throws -> Int) rethrows {
            let start = DispatchTime.now().uptimeNanoseconds
            let bytes = try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(String(format: "BENCH | %@ | %.2f s | %d bytes", label, seconds, bytes))
        }
        func size(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
        }
        var gif = GIFEncoder()
        try time("GIF per-frame palette") { try gif.encode(video).count }
        gif.dither = true
        try time("GIF per-frame palette + dither") { try gif.encode(video).count }
        gif.dither = false
        gif.palette = .global
        try time("GIF global palette") { try gif.encode(video).count }
        try time("MP4 x264 CRF 23 medium") {
            try FFmpegVideoEncoder.writeMP4(video, to: dir + "/a.mp4")
            return size(dir + "/a.mp4")
        }
        try time("WEBM VP9 1 Mbit/s cpu-used 4") {
            try FFmpegVideoEncoder.writeWebM(video, to: dir + "/a.webm")
            return size(dir + "/a.webm")
        }
        try time("WEBP q80") { try FFmpegVideoEncoder.encodeWebP(video).count }
        var lossless = VideoEncoderOptions()
        lossless.webpLossless = true
        try time("WEBP lossless") { try FFmpegVideoEncoder.encodeWebP(video, options: lossless).count }
        try time("PNG x16") { try video.frames.reduce(0) { $0 + (try PNGWriter.encode($1, text: [("parameters", "x")]).count) } }
        try time("Writer: all formats, atomic") {
            let request = OutputRequest(formats: Set(OutputFormat.allCases), seed: 1, infotext: "bench")
            _ = try VideoOutputWriter.write(video, root: dir, request: request, time: 0)
            return 0
        }
    }
}

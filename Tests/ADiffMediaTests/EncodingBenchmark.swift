import Foundation
import Testing

@testable import ADiffMedia

/// Encoding time for 16 frames of 512×512 in each format; run with `ADIFF_MEDIA_BENCH=1`
/// (results go to Benchmarks/MEDIA.md). ADiffMedia is compiled with -O even in debug builds.
@Suite("Encoding benchmark", .enabled(if: ProcessInfo.processInfo.environment["ADIFF_MEDIA_BENCH"] == "1"))
struct EncodingBenchmark {
    @Test("16 frames of 512x512")
    func encode512() throws {
        TestLog.install()
        let video = try TestClip.video(frames: 16, width: 512, height: 512, fps: 8)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // CPU time of the whole process (all codec threads) next to wall time: the shared
        // machine's load inflates wall time, CPU time much less.
        func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        func time(_ label: String, _ body: () throws -> Int) rethrows {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = cpuSeconds()
            let bytes = try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(
                String(
                    format: "BENCH | %@ | %.2f s wall | %.2f s CPU | %d bytes", label, seconds, cpuSeconds() - cpuStart,
                    bytes))
        }
        func size(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
        }
        func quality(_ label: String, _ decoded: [[UInt8]]) {
            let scores = zip(video.frames, decoded).map { psnr($0, $1, decodedWidth: 512) }
            print(
                String(
                    format: "PSNR | %@ | frames %d | min %.2f dB | mean %.2f dB", label, decoded.count,
                    scores.min() ?? 0, scores.reduce(0, +) / Double(max(1, scores.count))))
        }
        var gif = GIFEncoder()
        for (label, palette, dither) in [
            ("GIF per-frame palette", GIFEncoder.PaletteMode.perFrame, false),
            ("GIF per-frame palette + dither", .perFrame, true),
            ("GIF global palette", .global, false),
        ] {
            gif.palette = palette
            gif.dither = dither
            var bytes = [UInt8]()
            try time(label) {
                bytes = try gif.encode(video)
                return bytes.count
            }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/a.gif"))
            quality(label, try ffmpegFrames(dir + "/a.gif", width: 512, height: 512))
        }
        try time("MP4 x264 CRF 23 medium") {
            try FFmpegVideoEncoder.writeMP4(video, to: dir + "/a.mp4")
            return size(dir + "/a.mp4")
        }
        quality("MP4", try ffmpegFrames(dir + "/a.mp4", width: 512, height: 512))
        try time("WEBM VP9 1 Mbit/s cpu-used 4") {
            try FFmpegVideoEncoder.writeWebM(video, to: dir + "/a.webm")
            return size(dir + "/a.webm")
        }
        quality("WEBM", try ffmpegFrames(dir + "/a.webm", width: 512, height: 512))
        var webp = [UInt8]()
        try time("WEBP q80") {
            webp = try FFmpegVideoEncoder.encodeWebP(video)
            return webp.count
        }
        quality("WEBP q80", try WebPStructure(webp).decodedFrames(workDirectory: dir))
        var lossless = VideoEncoderOptions()
        lossless.webpLossless = true
        try time("WEBP lossless") { try FFmpegVideoEncoder.encodeWebP(video, options: lossless).count }
        try time("PNG x16") {
            try video.frames.reduce(0) { $0 + (try PNGWriter.encode($1, text: [("parameters", "x")]).count) }
        }
        try time("Writer: all formats, atomic") {
            let request = OutputRequest(formats: Set(OutputFormat.allCases), seed: 1, infotext: "bench")
            _ = try VideoOutputWriter.write(video, root: dir, request: request, time: 0)
            return 0
        }
    }
}

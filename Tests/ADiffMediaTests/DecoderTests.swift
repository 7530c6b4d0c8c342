import Foundation
import Testing

@testable import ADiffMedia

@Suite("Decoding inputs: limits and bad files")
struct DecoderTests {
    init() { TestLog.install() }

    func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixturesPath + "/" + name)))
    }

    func expectKind(_ kind: MediaError.Kind, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(kind), got success")
        } catch let error as MediaError {
            #expect(error.kind == kind, "\(error)")
        } catch {
            Issue.record("expected MediaError \(kind), got \(error)")
        }
    }

    @Test("Truncated PNG: decodeFailed naming the cut chunk")
    func truncatedPNG() throws {
        let bytes = try fixture("truncated.png")
        expectKind(.decodeFailed) { _ = try MediaDecoder.decodeImage(.bytes(bytes, name: "truncated.png")) }
        #expect(throws: MediaError.self) { try PNGChunks(bytes) }
    }

    @Test("Truncated JPEG: decodeFailed")
    func truncatedJPEG() throws {
        let bytes = try fixture("truncated.jpg")
        expectKind(.decodeFailed) { _ = try MediaDecoder.decodeImage(.bytes(bytes, name: "truncated.jpg")) }
    }

    @Test("100000x100000 PNG header: limitExceeded before any pixel buffer")
    func hugePNG() throws {
        let bytes = try fixture("huge_100000x100000.png")
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeImage(.bytes(bytes, name: "huge.png")) }
        var small = DecodeLimits()
        small.maximumFileBytes = 16
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeImage(.bytes(bytes, name: "huge.png"), limits: small) }
    }

    @Test("65535x65535 GIF and 100000x100000 Y4M video headers: limitExceeded before FFmpeg runs")
    func hugeVideo() throws {
        let bytes = try fixture("huge_65535x65535.gif")
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeVideo(.bytes(bytes, name: "huge.gif"), fps: 8) }
        let y4m = try fixture("huge_100000x100000.y4m")
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeVideo(.bytes(y4m, name: "huge.y4m"), fps: 8) }
    }

    @Test("A text file named .mp4: unrecognizedFormat, as video and as image")
    func textAsVideo() throws {
        let bytes = try fixture("text_named.mp4")
        expectKind(.unrecognizedFormat) { _ = try MediaDecoder.decodeVideo(.bytes(bytes, name: "text.mp4"), fps: 8) }
        expectKind(.unrecognizedFormat) { _ = try MediaDecoder.decodeImage(.bytes(bytes, name: "text.mp4")) }
    }

    @Test("Truncated and bit-flipped MP4/GIF/PNG/WEBP inputs only ever succeed or throw MediaError")
    func mutatedInputs() throws {
        let video = try TestClip.video(frames: 3, width: 32, height: 24, fps: 8)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FFmpegVideoEncoder.writeMP4(video, to: dir + "/v.mp4")
        let inputs: [(String, [UInt8], Bool)] = [
            ("v.mp4", [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/v.mp4"))), true),
            ("v.gif", try GIFEncoder().encode(video), true),
            ("f.png", try PNGWriter.encode(video.frames[0]), false),
            ("f.webp", try FFmpegVideoEncoder.encodeWebP(try FrameSequence(frames: [video.frames[0]], fps: 8)), false),
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var outcomes = [String: Int]()
        for (name, bytes, isVideo) in inputs {
            var cases = (1..<12).map { Array(bytes.prefix(bytes.count * $0 / 12)) }
            for _ in 0..<12 {
                var copy = bytes
                for _ in 0..<4 { copy[next() % copy.count] ^= UInt8(1 << (next() % 8)) }
                cases.append(copy)
            }
            for mutated in cases {
                do {
                    if isVideo {
                        _ = try MediaDecoder.decodeVideo(.bytes(mutated, name: name), fps: 8)
                    } else {
                        _ = try MediaDecoder.decodeImage(.bytes(mutated, name: name))
                    }
                    outcomes["ok", default: 0] += 1
                } catch {
                    outcomes[error.kind.rawValue, default: 0] += 1
                }
            }
        }
        #expect(outcomes.values.reduce(0, +) == 4 * 23)
        #expect(outcomes["decodeFailed", default: 0] > 0)
    }

    @Test("GIF with LZW code size 12: decodeFailed; a frame outside the screen never grows the output")
    func hostileGIF() throws {
        let badCode = try fixture("gif_lzw_code_size_12.gif")
        expectKind(.decodeFailed) { _ = try MediaDecoder.decodeVideo(.bytes(badCode, name: "bad.gif"), fps: 8) }
        let outside = try fixture("gif_frame_outside_screen.gif")
        do {
            let video = try MediaDecoder.decodeVideo(.bytes(outside, name: "outside.gif"), fps: 8)
            #expect(video.width == 16 && video.height == 16 && video.count == 1)
        } catch {
            #expect(error.kind == .decodeFailed, "\(error)")
        }
    }

    @Test("Empty input, as bytes and as a file descriptor: unrecognizedFormat, no crash")
    func emptyInput() throws {
        expectKind(.unrecognizedFormat) { _ = try MediaDecoder.decodeImage(.bytes([], name: "empty.png")) }
        expectKind(.unrecognizedFormat) { _ = try MediaDecoder.decodeVideo(.bytes([], name: "empty.mp4")) }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/empty.mp4", contents: Data())
        let fd = try MediaInput.openFile(dir + "/empty.mp4")
        defer { close(fd) }
        expectKind(.unrecognizedFormat) {
            _ = try MediaDecoder.decodeVideo(.fileDescriptor(fd, name: "empty.mp4"), fps: 8)
        }
        expectKind(.unrecognizedFormat) { _ = try MediaDecoder.decodeImage(.fileDescriptor(fd, name: "empty.mp4")) }
        expectKind(.unrecognizedFormat) { _ = try MediaInput.openFile(dir) }  // a directory is not a regular file
    }

    @Test("Zero-frame video and a container without a video stream: noFrames")
    func zeroFrames() throws {
        let y4m = try fixture("zero_frames.y4m")
        expectKind(.noFrames) { _ = try MediaDecoder.decodeVideo(.bytes(y4m, name: "zero.y4m"), fps: 8) }
        let mp4 = try fixture("no_video_stream.mp4")
        expectKind(.noFrames) { _ = try MediaDecoder.decodeVideo(.bytes(mp4, name: "empty.mp4"), fps: 8) }
    }

    @Test("An HLS playlist next to a valid video is refused; the referenced file is never read")
    func playlistRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A valid 2-frame y4m segment: if the demuxer could follow the playlist, decoding would succeed.
        var segment = Array("YUV4MPEG2 W16 H16 F8:1 Ip A1:1 C420jpeg\n".utf8)
        for _ in 0..<2 { segment += Array("FRAME\n".utf8) + [UInt8](repeating: 128, count: 16 * 16 * 3 / 2) }
        try Data(segment).write(to: URL(fileURLWithPath: dir + "/segment.y4m"))
        #expect(try MediaDecoder.decodeVideo(.bytes(segment, name: "segment.y4m"), fps: 8).count == 2)
        try Data(try fixture("playlist.m3u8")).write(to: URL(fileURLWithPath: dir + "/playlist.m3u8"))
        let fd = try MediaInput.openFile(dir + "/playlist.m3u8")
        defer { close(fd) }
        expectKind(.unrecognizedFormat) {
            _ = try MediaDecoder.decodeVideo(.fileDescriptor(fd, name: "playlist.m3u8"), fps: 8)
        }
    }

    @Test("Resampling to a requested fps picks the frame on screen at k/fps; caps and deadline hold")
    func videoResampling() throws {
        let source = try TestClip.video(frames: 12, width: 64, height: 48, fps: 12)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = VideoEncoderOptions()
        options.mp4CRF = 10
        try FFmpegVideoEncoder.writeMP4(source, to: dir + "/s.mp4", options: options)
        let fd = try MediaInput.openFile(dir + "/s.mp4")
        defer { close(fd) }
        let input = MediaInput.fileDescriptor(fd, name: "s.mp4")

        let native = try MediaDecoder.decodeVideo(input)
        #expect(native.count == 12 && native.fps == 12)
        let resampled = try MediaDecoder.decodeVideo(input, fps: 8)
        #expect(resampled.count == 8 && resampled.fps == 8)
        // Output k shows source frame floor(k * 12 / 8): 0 1 3 4 6 7 9 10.
        for (k, frame) in resampled.frames.enumerated() {
            let scores = source.frames.map { psnr($0, frame.pixels, decodedWidth: 64) }
            let best = scores.indices.max { scores[$0] < scores[$1] }
            #expect(best == k * 12 / 8, "output \(k) best matches source \(String(describing: best))")
        }
        let resized = try MediaDecoder.decodeVideo(input, fps: 4, size: (32, 24))
        #expect(resized.count == 4 && resized.width == 32 && resized.height == 24)

        #expect(try MediaDecoder.decodeVideo(input, fps: 12, frameCount: 5).count == 5)
        var few = DecodeLimits()
        few.maximumFrames = 5
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeVideo(input, fps: 12, limits: few) }
        var short = DecodeLimits()
        short.maximumDurationSeconds = 0.5
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeVideo(input, fps: 12, limits: short) }
        var instant = DecodeLimits()
        instant.timeLimitSeconds = 0
        expectKind(.timedOut) { _ = try MediaDecoder.decodeVideo(input, fps: 12, limits: instant) }
        var tiny = DecodeLimits()
        tiny.maximumPixels = 1000
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeVideo(input, fps: 12, limits: tiny) }
    }

    @Test("Still images written by the ffmpeg tool: PNG and lossless WEBP exact, JPEG close, resize")
    func stillImages() throws {
        let frame = try TestClip.frame(2, width: 48, height: 32)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(frame.pixels).write(to: URL(fileURLWithPath: dir + "/raw.rgb"))
        for (name, codec) in [
            ("a.png", ["-c:v", "png"]), ("a.webp", ["-c:v", "libwebp", "-lossless", "1"]),
            ("a.jpg", ["-c:v", "mjpeg", "-q:v", "2"]),
        ] {
            _ = try run(
                "ffmpeg",
                [
                    "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "48x32", "-i",
                    dir + "/raw.rgb", "-frames:v", "1",
                ] + codec + [dir + "/" + name])
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            let decoded = try MediaDecoder.decodeImage(.bytes(bytes, name: name))
            #expect(decoded.width == 48 && decoded.height == 32)
            if name == "a.jpg" {
                #expect(psnr(frame, decoded.pixels, decodedWidth: 48) >= 30, "\(name)")
            } else {
                #expect(decoded.pixels == frame.pixels, "\(name)")
            }
        }
        let bytes = try PNGWriter.encode(frame)
        let resized = try MediaDecoder.decodeImage(.bytes(bytes, name: "p.png"), size: (24, 16))
        #expect(resized.width == 24 && resized.height == 16)
        var tiny = DecodeLimits()
        tiny.maximumDimension = 40
        expectKind(.limitExceeded) { _ = try MediaDecoder.decodeImage(.bytes(bytes, name: "p.png"), limits: tiny) }
    }
}

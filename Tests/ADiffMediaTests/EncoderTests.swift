import Foundation
import Testing

@testable import ADiffMedia

let sampleInfotext = """
    a red fox running through snow, best quality
    Negative prompt: blurry
    Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234, Size: 64x48, \
    AnimateDiff: "model: mm_sd15_v3.safetensors, video_length: 8, fps: 8, loop_number: 0"
    """

@Suite("Encoders: decode what was written")
struct EncoderTests {
    init() { TestLog.install() }

    @Test("PNG: exact pixels, parameters tEXt before IDAT")
    func pngRoundTrip() throws {
        let frame = try TestClip.frame(3, width: 37, height: 21)
        let bytes = try PNGWriter.encode(frame, text: [("parameters", sampleInfotext)])
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f.png"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let decoded = try ffmpegFrames(path, width: 37, height: 21)
        #expect(decoded.count == 1)
        #expect(decoded.first == frame.pixels)
        // Independent check of the chunk layout: tEXt keyword "parameters", Latin-1 body, before IDAT.
        let text = bytes.firstRange(of: Array("tEXtparameters".utf8) + [0])
        let idat = bytes.firstRange(of: Array("IDAT".utf8))
        #expect(text != nil && idat != nil && text!.lowerBound < idat!.lowerBound)
        let value = bytes[text!.upperBound..<(text!.upperBound + sampleInfotext.utf8.count)]
        #expect(Array(value) == Array(sampleInfotext.utf8))
        #expect(try PNGChunks(bytes).parameters() == sampleInfotext)
    }

    @Test("PNG: non-Latin-1 infotext goes into an uncompressed iTXt chunk")
    func pngInternationalText() throws {
        let text = "猫が走る, 夕焼け\nSteps: 20, Seed: 1"
        let bytes = try PNGWriter.encode(try TestClip.frame(0, width: 8, height: 8), text: [("parameters", text)])
        let marker = Array("iTXtparameters".utf8) + [0, 0, 0, 0, 0]
        let range = try #require(bytes.firstRange(of: marker))
        #expect(Array(bytes[range.upperBound..<(range.upperBound + text.utf8.count)]) == Array(text.utf8))
        #expect(try PNGChunks(bytes).parameters() == text)
    }

    @Test(
        "GIF: frame count, floor(100/fps) delays, loop, comment, PSNR",
        arguments: [
            (GIFEncoder.PaletteMode.perFrame, false), (.perFrame, true), (.global, false),
        ])
    func gifRoundTrip(palette: GIFEncoder.PaletteMode, dither: Bool) throws {
        let video = try TestClip.video(frames: 8, fps: 24)
        var encoder = GIFEncoder()
        encoder.palette = palette
        encoder.dither = dither
        encoder.loopCount = 3
        let bytes = try encoder.encode(video, comment: sampleInfotext)
        let structure = try GIFStructure(bytes)
        #expect(structure.width == 64 && structure.height == 48)
        #expect(structure.delays == Array(repeating: 4, count: 8))  // int(1000/24/10) = 4 cs
        #expect(structure.loopCount == 3)
        #expect(structure.comments == [Array(sampleInfotext.utf8)])
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/a.gif"))
        let decoded = try ffmpegFrames(dir + "/a.gif", width: 64, height: 48)
        #expect(decoded.count == 8)
        let worst = zip(video.frames, decoded).map { psnr($0, $1, decodedWidth: 64) }.min() ?? 0
        print("GIF \(palette) dither=\(dither): min PSNR \(worst) dB, \(bytes.count) bytes")
        #expect(worst >= 30)
    }

    @Test("GIF: unchanged regions are cropped, an identical frame is kept as a 1x1 patch")
    func gifCropping() throws {
        let a = try TestClip.frame(0, width: 40, height: 30)
        var pixels = a.pixels
        for y in 10..<14 { for x in 5..<9 { pixels[(y * 40 + x) * 3] ^= 0xFF } }
        let b = try Frame(width: 40, height: 30, pixels: pixels)
        var encoder = GIFEncoder()
        encoder.palette = .global
        let structure = try GIFStructure(try encoder.encode(try FrameSequence(frames: [a, b, b], fps: 8)))
        #expect(structure.delays == [12, 12, 12])  // fps 8 → 12 cs
        #expect(structure.rectangles.count == 3)
        #expect(structure.rectangles[0] == (0, 0, 40, 30))
        #expect(structure.rectangles[1] == (5, 10, 4, 4))
        #expect(structure.rectangles[2].width == 1 && structure.rectangles[2].height == 1)
    }

    @Test("MP4: H.264 yuv420p, exact fps and frame count, comment tag, PSNR")
    func mp4RoundTrip() throws {
        let video = try TestClip.video(frames: 10, width: 128, height: 96, fps: 12)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/v.mp4"
        try FFmpegVideoEncoder.writeMP4(video, to: path, comment: sampleInfotext)
        let probe = try ffprobe(path)
        #expect(probe["codec_name"] == "h264" && probe["pix_fmt"] == "yuv420p")
        #expect(probe["width"] == "128" && probe["height"] == "96")
        #expect(probe["nb_read_frames"] == "10")
        #expect(probe["avg_frame_rate"] == "12/1" && probe["r_frame_rate"] == "12/1")
        #expect(probe["TAG:comment"]?.hasPrefix("a red fox running") == true)
        // faststart: the moov atom precedes mdat.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(
            bytes.firstRange(of: Array("moov".utf8))!.lowerBound < bytes.firstRange(of: Array("mdat".utf8))!.lowerBound)
        let decoded = try ffmpegFrames(path, width: 128, height: 96)
        #expect(decoded.count == 10)
        let worst = zip(video.frames, decoded).map { psnr($0, $1, decodedWidth: 128) }.min() ?? 0
        print("MP4 CRF 23: min PSNR \(worst) dB, \(bytes.count) bytes")
        #expect(worst >= 30)
    }

    @Test("MP4 and WEBM: odd sizes are padded to even by repeating the last row and column")
    func oddSizePadding() throws {
        let video = try TestClip.video(frames: 4, width: 127, height: 95, fps: 8)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, write) in [
            ("v.mp4", FFmpegVideoEncoder.writeMP4), ("v.webm", FFmpegVideoEncoder.writeWebM),
        ] as [(String, (FrameSequence, String, VideoEncoderOptions, String?) throws(MediaError) -> Void)] {
            try write(video, dir + "/" + name, VideoEncoderOptions(), nil)
            let probe = try ffprobe(dir + "/" + name)
            #expect(probe["width"] == "128" && probe["height"] == "96", "\(name)")
            let decoded = try ffmpegFrames(dir + "/" + name, width: 128, height: 96)
            #expect(decoded.count == 4, "\(name)")
            let worst = zip(video.frames, decoded).map { psnr($0, $1, decodedWidth: 128) }.min() ?? 0
            #expect(worst >= 30, "\(name) PSNR \(worst)")
        }
    }

    @Test("WEBM: VP9 yuv420p, exact fps and frame count, title/comment tags, PSNR")
    func webmRoundTrip() throws {
        let video = try TestClip.video(frames: 8, width: 128, height: 96, fps: 8)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/v.webm"
        try FFmpegVideoEncoder.writeWebM(video, to: path, comment: sampleInfotext)
        let probe = try ffprobe(path)
        #expect(probe["codec_name"] == "vp9" && probe["pix_fmt"] == "yuv420p")
        #expect(probe["nb_read_frames"] == "8")
        #expect(probe["avg_frame_rate"] == "8/1")
        #expect(probe["TAG:title"]?.hasPrefix("a red fox") == true)
        #expect(probe["TAG:COMMENT"]?.hasPrefix("a red fox") == true)
        let decoded = try ffmpegFrames(path, width: 128, height: 96)
        #expect(decoded.count == 8)
        let worst = zip(video.frames, decoded).map { psnr($0, $1, decodedWidth: 128) }.min() ?? 0
        print("WEBM 1 Mbit/s: min PSNR \(worst) dB")
        #expect(worst >= 30)
    }

    @Test("WEBP with one frame: libwebp writes a still image; the EXIF infotext is still attached")
    func webpSingleFrame() throws {
        let frame = try TestClip.frame(0, width: 33, height: 17)
        var options = VideoEncoderOptions()
        options.webpLossless = true
        options.webpQuality = 10
        let bytes = try FFmpegVideoEncoder.encodeWebP(
            try FrameSequence(frames: [frame], fps: 8), options: options, comment: "hi, 猫")
        let webp = try WebPStructure(bytes)
        #expect(webp.canvasWidth == 33 && webp.canvasHeight == 17 && webp.vp8xFlags & 0x08 != 0)
        #expect(webp.exif?.suffix(10) == [0x00, 0x68, 0x00, 0x69, 0x00, 0x2C, 0x00, 0x20, 0x73, 0x2B])
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/s.webp"))
        #expect(try ffmpegFrames(dir + "/s.webp", width: 33, height: 17) == [frame.pixels])
    }

    @Test(
        "WEBP: frame count, floor(1000/fps) delays, loop, EXIF UserComment; lossless exact, lossy PSNR",
        arguments: [true, false])
    func webpRoundTrip(lossless: Bool) throws {
        let video = try TestClip.video(frames: 6, width: 127, height: 95, fps: 24)
        var options = VideoEncoderOptions()
        options.webpLossless = lossless
        if lossless { options.webpQuality = 10 }  // in lossless mode quality is only the effort
        let bytes = try FFmpegVideoEncoder.encodeWebP(video, loopCount: 2, options: options, comment: sampleInfotext)
        let webp = try WebPStructure(bytes)
        #expect(webp.canvasWidth == 127 && webp.canvasHeight == 95)
        #expect(webp.loopCount == 2)
        #expect(webp.frames.map(\.duration) == Array(repeating: 41, count: 6))  // int(1000/24)
        let exif = try #require(webp.exif)
        #expect(webp.vp8xFlags & 0x08 != 0)
        var expected = Array("UNICODE".utf8) + [0]
        for unit in sampleInfotext.utf16 { expected += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        #expect(exif.firstRange(of: expected) != nil)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let decoded = try webp.decodedFrames(workDirectory: dir)
        #expect(decoded.count == 6)
        if lossless {
            #expect(decoded == video.frames.map(\.pixels))
        } else {
            let worst = zip(video.frames, decoded).map { psnr($0, $1, decodedWidth: 127) }.min() ?? 0
            print("WEBP q80: min PSNR \(worst) dB, \(bytes.count) bytes")
            #expect(worst >= 30)
        }
    }
}

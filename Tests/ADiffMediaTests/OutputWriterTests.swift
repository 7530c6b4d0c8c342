import Foundation
import Testing

@testable import ADiffMedia

@Suite("Output naming, closed loop A and atomic publication")
struct OutputWriterTests {
    init() { TestLog.install() }

    @Test("Sequence numbers follow A1111 get_next_sequence_number")
    func sequenceNumbers() {
        #expect(OutputNaming.nextSequenceNumber(entries: []) == 0)
        #expect(OutputNaming.nextSequenceNumber(entries: ["notes.txt", "abc-1.gif"]) == 0)
        #expect(
            OutputNaming.nextSequenceNumber(entries: [
                "00004-123.gif", "00007-1-req.mp4", "00002-5", "00003-9.png", "00010x-1.gif",
            ]) == 8)
        #expect(OutputNaming.nextSequenceNumber(entries: ["00011.txt", "5"]) == 12)
    }

    @Test("Base names: {seq:05}-{seed}[-{request_id}], unsafe ids refused")
    func baseNames() throws {
        #expect(try OutputNaming.baseName(sequence: 5, seed: 1234, requestID: nil) == "00005-1234")
        #expect(try OutputNaming.baseName(sequence: 123_456, seed: -1, requestID: "") == "123456--1")
        #expect(try OutputNaming.baseName(sequence: 0, seed: 7, requestID: "job_42.a-b") == "00000-7-job_42.a-b")
        for bad in ["../x", "a/b", ".hidden", "sp ace", String(repeating: "a", count: 65), "é"] {
            #expect(throws: MediaError.self) { try OutputNaming.baseName(sequence: 0, seed: 1, requestID: bad) }
        }
    }

    @Test("Dated folder uses the local calendar date")
    func datedFolder() {
        let time = 1_790_000_000
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = .current
        let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
        #expect(OutputNaming.directory(root: "/out/", time: time) == "/out/AnimateDiff/" + expected)
    }

    @Test("Closed loop A: 0,1,…,L−1,L−2,…,1")
    func closedLoop() throws {
        let frames = try (0..<5).map { try TestClip.frame($0, width: 4, height: 4) }
        let looped = try FrameSequence(frames: frames, fps: 8).appendingReversed()
        #expect(looped.frames == [0, 1, 2, 3, 4, 3, 2, 1].map { frames[$0] })
        let two = try FrameSequence(frames: Array(frames[0..<2]), fps: 8)
        #expect(two.appendingReversed().frames == two.frames)
    }

    @Test("All formats: names, order, PNG folder with parameters, TXT, next sequence, no temp files")
    func writeAll() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let video = try TestClip.video(frames: 4, width: 32, height: 24, fps: 8)
        var request = OutputRequest(
            formats: Set(OutputFormat.allCases), seed: 1234, requestID: "r1", infotext: sampleInfotext)
        request.appendReversed = true
        request.loopNumber = 2
        let time = 1_790_000_000
        let first = try VideoOutputWriter.write(video, root: root, request: request, time: time)
        let directory = OutputNaming.directory(root: root, time: time)
        #expect(first.directory == directory)
        #expect(first.baseName == "00000-1234-r1")
        #expect(first.videos == ["gif", "mp4", "webp", "webm"].map { directory + "/00000-1234-r1." + $0 })
        #expect(first.textFile == directory + "/00000-1234-r1.txt")
        #expect(try String(contentsOfFile: first.textFile!, encoding: .utf8) == sampleInfotext + "\n")
        let folder = try #require(first.frameFolder)
        let pngs = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(pngs == (0..<6).map { String(format: "%05d.png", $0) })  // 2L−2 frames
        let last = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/00005.png")))
        #expect(try PNGChunks(last).parameters() == sampleInfotext)
        let decoded = try ffmpegFrames(folder + "/00005.png", width: 32, height: 24)
        #expect(decoded == [video.frames[1].pixels])
        let gif = try GIFStructure([UInt8](try Data(contentsOf: URL(fileURLWithPath: first.videos[0]))))
        #expect(gif.delays.count == 6 && gif.loopCount == 2)
        #expect(try ffprobe(first.videos[1])["nb_read_frames"] == "6")

        request.formats = [.gif]
        request.requestID = nil
        let second = try VideoOutputWriter.write(video, root: root, request: request, time: time)
        #expect(second.baseName == "00001-1234")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("Without enable_pnginfo no infotext is embedded, TXT still written")
    func noEmbeddedInfotext() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var request = OutputRequest(formats: [.gif, .png, .txt], seed: 1, infotext: sampleInfotext)
        request.embedInfotext = false
        let out = try VideoOutputWriter.write(
            try TestClip.video(frames: 2, width: 8, height: 8), root: root, request: request, time: 0)
        let gif = try GIFStructure([UInt8](try Data(contentsOf: URL(fileURLWithPath: out.videos[0]))))
        #expect(gif.comments.isEmpty)
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out.frameFolder! + "/00000.png")))
        #expect(try PNGChunks(png).parameters() == nil)
        #expect(FileManager.default.fileExists(atPath: out.textFile!))
    }

    @Test("Atomic writes: an existing name is untouched (nameTaken), a failing writer leaves nothing")
    func atomicity() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.gif"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: MediaError(.nameTaken, "publish x.gif: File exists")) {
            try AtomicFile.write([1, 2, 3], to: path)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
        #expect(throws: MediaError.self) {
            try AtomicFile.publish(to: dir + "/y.mp4") { temp throws(MediaError) in
                _ = FileManager.default.createFile(atPath: temp, contents: Data([0, 1]))
                throw MediaError(.encodeFailed, "simulated encoder crash")
            }
        }
        #expect(throws: MediaError.self) {
            try AtomicFile.publishDirectory(to: dir + "/frames") { temp throws(MediaError) in
                try AtomicFile.write([1], to: temp + "/00000.png")
                throw MediaError(.encodeFailed, "simulated failure after one frame")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["x.gif"])
        // A location where no temporary file can be created is an I/O error naming the file.
        do {
            try AtomicFile.write([1], to: "/proc/forbidden")
            Issue.record("writing under /proc succeeded")
        } catch {
            #expect(error.kind == .io && error.message.contains("forbidden"), "\(error)")
        }
    }

    @Test("Invalid requests are refused before anything is written")
    func invalidRequests() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let video = try TestClip.video(frames: 2, width: 8, height: 8)
        #expect(throws: MediaError.self) {
            try VideoOutputWriter.write(
                video, root: root, request: OutputRequest(formats: [.txt], seed: 1, infotext: ""), time: 0)
        }
        var request = OutputRequest(formats: [.mp4], seed: 1, infotext: "")
        request.video.mp4CRF = 60
        #expect(throws: MediaError.self) { try VideoOutputWriter.write(video, root: root, request: request, time: 0) }
        #expect(throws: MediaError.self) { try FrameSequence(frames: [], fps: 8) }
        #expect(throws: MediaError.self) { try Frame(width: 2, height: 2, pixels: [0, 0, 0]) }
        #expect(throws: MediaError.self) {
            try FrameSequence(
                frames: [try TestClip.frame(0, width: 4, height: 4), try TestClip.frame(0, width: 4, height: 5)], fps: 8
            )
        }
    }
}

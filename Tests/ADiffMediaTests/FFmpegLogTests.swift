import Foundation
import Synchronization
import Testing

@testable import ADiffMedia

/// Collects FFmpeg's log lines for every suite, so expected decoder errors stay out of the test
/// output and can be asserted on.
enum TestLog {
    static let lines = Mutex<[String]>([])

    static func install() {
        FFmpegLogging.setLevel(FFmpegLogging.errorLevel)
        FFmpegLogging.forward { _, line in
            guard let line else { return }
            let text = String(cString: line)
            TestLog.lines.withLock { $0.append(text) }
        }
    }
}

@Suite("FFmpeg log forwarding and corrupt pixel data")
struct FFmpegLogTests {
    init() { TestLog.install() }

    @Test("A PNG with intact chunks but corrupt IDAT data: decodeFailed, and FFmpeg's message is forwarded")
    func corruptIDAT() throws {
        var png = try PNGWriter.encode(try TestClip.frame(0, width: 16, height: 16))
        let chunks = try PNGChunks(png)
        let idat = try #require(chunks.chunks.first { $0.type == "IDAT" })
        for i in idat.body { png[i] = UInt8(truncatingIfNeeded: i &* 37 &+ 11) }  // not a zlib stream
        png.replaceSubrange(idat.body.upperBound..<(idat.body.upperBound + 4), with: [0, 0, 0, 0])
        var crc = [UInt8]()
        crc.appendBigEndian(Zlib.crc(png[(idat.body.lowerBound - 4)..<idat.body.upperBound]))
        png.replaceSubrange(idat.body.upperBound..<(idat.body.upperBound + 4), with: crc)
        _ = try PNGChunks(png)  // the chunk structure is valid, only the pixel data is not
        #expect {
            _ = try MediaDecoder.decodeImage(.bytes(png, name: "corrupt.png"))
        } throws: { error in
            (error as? MediaError)?.kind == .decodeFailed
        }
        let forwarded = TestLog.lines.withLock { $0 }
        #expect(forwarded.contains { $0.contains("png") || $0.contains("inflate") }, "\(forwarded)")
    }
}

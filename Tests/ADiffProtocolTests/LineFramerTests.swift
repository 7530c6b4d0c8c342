import Testing
@testable import ADiffProtocol

@Suite struct LineFramerTests {
    /// Splits `stream` at random points and feeds the pieces.
    private func frame(_ stream: [UInt8], limit: Int, seed: UInt64) -> [LineFramer.Event] {
        var framer = LineFramer(maximumLineLength: limit)
        var generator = SplitMix(seed: seed)
        var events: [LineFramer.Event] = []
        var start = 0
        while start < stream.count {
            let length = Int(generator.next() % 17) + (generator.next() % 5 == 0 ? 300 : 0)
            let end = min(stream.count, start + length)
            events += framer.append(stream[start..<end])
            start = end
        }
        return events + framer.finish()
    }

    @Test func anySplitOfTheStreamGivesTheSameLines() {
        let lines = ["{\"a\":1}", "{\"b\":\"x y\"}", "", "  ", "{\"c\":[1,2,3]}\r", String(repeating: "z", count: 200)]
        let stream = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        let expected: [LineFramer.Event] = [
            .line(Array("{\"a\":1}".utf8)), .line(Array("{\"b\":\"x y\"}".utf8)),
            .line(Array("{\"c\":[1,2,3]}".utf8)), .line(Array(String(repeating: "z", count: 200).utf8)),
        ]
        for seed in 0..<200 as Range<UInt64> {
            #expect(frame(stream, limit: 1000, seed: seed) == expected)
        }
    }

    @Test func overLongLineIsReportedOnceAndTheNextLineStillArrives() {
        let long = String(repeating: "x", count: 5000)
        let stream = Array("ok1\n\(long)\nok2\n".utf8)
        for seed in 0..<100 as Range<UInt64> {
            let events = frame(stream, limit: 100, seed: seed)
            #expect(events == [.line(Array("ok1".utf8)), .lineTooLong, .line(Array("ok2".utf8))])
        }
    }

    @Test func lineExactlyAtTheCapIsAcceptedAndOneMoreByteIsNot() {
        var framer = LineFramer(maximumLineLength: 10)
        #expect(framer.append(Array("0123456789\r\n".utf8)) == [.line(Array("0123456789".utf8))])
        #expect(framer.append(Array("0123456789A\n".utf8)) == [.lineTooLong])
    }

    @Test func lastLineWithoutNewlineCountsAtEndOfStream() {
        var framer = LineFramer()
        #expect(framer.append(Array("{\"x\":1}".utf8)).isEmpty)
        #expect(framer.finish() == [.line(Array("{\"x\":1}".utf8))])
    }

    @Test func bufferNeverGrowsPastTheCapOnAnEndlessLine() {
        var framer = LineFramer(maximumLineLength: 64)
        var reports = 0
        for _ in 0..<10_000 {
            reports += framer.append([UInt8](repeating: 0x41, count: 100)).count
        }
        #expect(reports == 1)
        #expect(framer.append(Array("\nnext\n".utf8)) == [.line(Array("next".utf8))])
    }
}

/// A tiny deterministic generator for split points.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

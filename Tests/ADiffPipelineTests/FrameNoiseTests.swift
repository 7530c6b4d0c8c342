import ADiffTensor
import Foundation
import Testing
@testable import ADiffPipeline

/// Cases from scripts/fixtures/make_frame_noise_fixtures.py (torch CPU generators per frame,
/// the WebUI's variation slerp and ENSD restart); values there are in (C, H, W) draw order.
@Suite struct FrameNoiseTests {
    private struct Case: Decodable {
        let seed: UInt64
        let subseed: UInt64
        let strength: Float
        let ensd: Int
        let frames: Int
        let first: [Float]
        let next: [[Float]]
    }
    private struct Fixture: Decodable {
        let shape: [Int]
        let cases: [Case]
    }

    /// Reorders (frames, C, H, W) values to our (frames, H, W, C).
    private func channelsLast(_ values: [Float], frames: Int, c: Int, h: Int, w: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for f in 0..<frames {
            for ci in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        out[((f * h + y) * w + x) * c + ci] = values[((f * c + ci) * h + y) * w + x]
                    }
                }
            }
        }
        return out
    }

    @Test func framesDrawFromTheirOwnGeneratorsLikeTheWebUI() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Pipeline/frame_noise.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let (c, h, w) = (fixture.shape[0], fixture.shape[1], fixture.shape[2])
        for entry in fixture.cases {
            let seeds = FrameNoise.Seeds(seed: entry.seed, subseed: entry.subseed, variationStrength: entry.strength, frameCount: entry.frames)
            var noise = FrameNoise(
                seeds: seeds, source: .cpu, latentHeight: h, latentWidth: w, channels: c,
                variationStrength: entry.strength, etaNoiseSeedDelta: entry.ensd
            )
            let first = try noise.first()
            #expect(first.shape == [entry.frames, h, w, c])
            let expectedFirst = channelsLast(entry.first, frames: entry.frames, c: c, h: h, w: w)
            let worst = zip(first.scalars, expectedFirst).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            // torch runs the variation slerp in float32 (acos amplifies its rounding near ±1);
            // ours computes cosines and weights in Double, so variation cases get 5e-5.
            #expect(worst <= (entry.strength == 0 ? 2e-6 : 5e-5), "seed \(entry.seed) strength \(entry.strength): \(worst)")
            for draw in entry.next {
                let expected = channelsLast(draw, frames: entry.frames, c: c, h: h, w: w)
                #expect(zip(noise.next(), expected).allSatisfy { abs($0 - $1) <= 2e-6 * max(1, abs($1)) }, "seed \(entry.seed) ensd \(entry.ensd)")
            }
        }
    }

    @Test func seedsFollowTheWebUIsAssignment() {
        let plain = FrameNoise.Seeds(seed: 10, subseed: 3, frameCount: 4, videoIndex: 2)
        #expect(plain.seeds == [18, 19, 20, 21])
        #expect(plain.subseeds == [11, 12, 13, 14])
        let varied = FrameNoise.Seeds(seed: 10, subseed: 3, variationStrength: 0.5, frameCount: 3)
        #expect(varied.seeds == [10, 10, 10])
        #expect(varied.subseeds == [3, 4, 5])
    }
}

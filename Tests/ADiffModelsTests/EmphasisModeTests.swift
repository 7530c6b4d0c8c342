import ADiffTensor
import Testing
@testable import ADiffModels

/// Emphasis application against a naive Float64 rendering of the §1.10 formulas.
@Suite struct EmphasisModeTests {
    /// Deterministic pseudo-random values (an LCG), so failures reproduce.
    static func values(count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Double(state >> 11) / Double(1 << 53) * 4 - 1.5)
        }
    }

    static func multipliers(rows: Int) -> [Float] {
        (0..<rows).map { (row: Int) -> Float in
            let position = row % 77
            if position == 0 || position > 40 { return 1 }
            let step = Double(row % 5) * 0.1
            return Float(0.8 + step)
        }
    }

    @Test(arguments: [(77, 768), (154, 64)])
    func originalRestoresTheMean(rows: Int, channels: Int) throws {
        let z = Self.values(count: rows * channels, seed: UInt64(rows))
        let m = Self.multipliers(rows: rows)
        var actual = z
        try EmphasisMode.original.apply(to: &actual, channels: channels, multipliers: m)

        let mean0 = z.map(Double.init).reduce(0, +) / Double(z.count)
        let scaled = z.indices.map { Double(z[$0]) * Double(m[$0 / channels]) }
        let mean1 = scaled.reduce(0, +) / Double(scaled.count)
        let expected = scaled.map { $0 * (mean0 / mean1) }
        let worst = zip(actual, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-6)
        let newMean = actual.map(Double.init).reduce(0, +) / Double(actual.count)
        #expect(abs(newMean - mean0) < 1e-6)
    }

    @Test func noNormScalesAndIgnoreLeavesAlone() throws {
        let z: [Float] = [1, 2, 3, 4, 5, 6]
        var scaled = z
        try EmphasisMode.noNorm.apply(to: &scaled, channels: 2, multipliers: [1, 2, 0.5])
        #expect(scaled == [1, 2, 6, 8, 2.5, 3])
        var same = z
        try EmphasisMode.ignore.apply(to: &same, channels: 2, multipliers: [1, 2, 0.5])
        #expect(same == z)
    }

    @Test func tensorFormAgreesWithTheFormula() throws {
        let z = Self.values(count: 2 * 77 * 8, seed: 7)
        let m = Self.multipliers(rows: 154)
        var tensor = Tensor(shape: [2, 77, 8], scalars: z)
        try EmphasisMode.original.apply(to: &tensor, multipliers: m)
        let mean0 = z.map(Double.init).reduce(0, +) / Double(z.count)
        let scaled = z.indices.map { Double(z[$0]) * Double(m[$0 / 8]) }
        let ratio = mean0 / (scaled.reduce(0, +) / Double(scaled.count))
        let worst = zip(tensor.scalars, scaled).map { abs(Double($0) - $1 * ratio) / max(1, abs($1 * ratio)) }.max() ?? 0
        #expect(worst < 1e-6)
        #expect(tensor.shape == [2, 77, 8])
    }

    @Test func mismatchedShapesAreRejected() {
        var z: [Float] = [1, 2, 3]
        #expect(throws: TextError.self) { try EmphasisMode.original.apply(to: &z, channels: 2, multipliers: [1, 1]) }
    }
}

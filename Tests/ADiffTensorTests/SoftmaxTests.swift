import Foundation
import Testing
@testable import ADiffTensor

/// Softmax against a naive Double reference; relative error max|a − b| / max|ref| ≤ 1e-5,
/// measured per row so that long rows of tiny probabilities are held to the same bar.
@Suite struct SoftmaxTests {
    static func reference(_ x: [Float], length: Int, scale: Double) -> [Double] {
        var out: [Double] = []
        for row in 0..<(x.count / length) {
            let values = (0..<length).map { Double(x[row * length + $0]) * scale }
            let top = values.max()!
            let e = values.map { Foundation.exp($0 - top) }
            let total = e.reduce(0, +)
            out += e.map { $0 / total }
        }
        return out
    }

    static func worstRowError(_ y: [Float], _ reference: [Double], length: Int) -> Double {
        (0..<(y.count / length)).map { row in
            relativeError(
                Array(y[(row * length)..<((row + 1) * length)]), Array(reference[(row * length)..<((row + 1) * length)])
            )
        }.max() ?? 0
    }

    @Test(arguments: [[1, 1], [7, 77], [5, 13], [3, 16], [2, 4096], [40, 33]])
    func matchesNaiveReference(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(3, *)))
        let length = shape.last!
        for (std, scale) in [(1.0, Float(1)), (8.0, 0.158), (30.0, 1)] {
            let x = rng.tensor(shape, mean: 2, std: std)
            let y = try Softmax.lastDimension(x, scale: scale)
            let expected = Self.reference(x.scalars, length: length, scale: Double(scale))
            #expect(Self.worstRowError(y.scalars, expected, length: length) <= kernelTolerance)
            #expect(y.shape == shape)
        }
    }

    /// Huge values and huge common offsets do not overflow, in the vector body of a row
    /// (first 32 elements) and in its tail (last 5).
    @Test func stableForExtremeInputs() throws {
        var rng = SeededGenerator(seed: 41)
        for length in [4, 37] {
            for (offset, spread) in [(1e30, 1e29), (1000.0, 1.0), (-500.0, 0.0), (0.0, 200.0)] {
                let x = rng.tensor([3, length], mean: offset, std: spread)
                let y = try Softmax.lastDimension(x)
                let expected = Self.reference(x.scalars, length: length, scale: 1)
                #expect(Self.worstRowError(y.scalars, expected, length: length) <= kernelTolerance)
            }
        }
    }

    /// A NaN anywhere in a row makes that row NaN (as PyTorch does) and leaves other rows alone.
    @Test func nanPoisonsOnlyItsRow() throws {
        var values = [Float](repeating: 0, count: 2 * 21)
        values[20] = .nan
        let y = try Softmax.lastDimension(Tensor(shape: [2, 21], scalars: values)).scalars
        #expect(y[0..<21].allSatisfy { $0.isNaN })
        #expect(y[21..<42].allSatisfy { abs($0 - 1 / 21) < 1e-7 })
    }

    @Test func stridedRowsLeaveGapsUntouched() {
        var buffer = (0..<30).map { Float($0 % 7) }
        let before = buffer
        buffer.withUnsafeMutableBufferPointer {
            Softmax.rows($0.baseAddress!, rowCount: 3, length: 7, stride: 10, scale: 0.5)
        }
        for row in 0..<3 {
            let expected = Self.reference(Array(before[(row * 10)..<(row * 10 + 7)]), length: 7, scale: 0.5)
            #expect(relativeError(Array(buffer[(row * 10)..<(row * 10 + 7)]), expected) <= kernelTolerance)
            #expect(Array(buffer[(row * 10 + 7)..<(row * 10 + 10)]) == Array(before[(row * 10 + 7)..<(row * 10 + 10)]))
        }
    }
}

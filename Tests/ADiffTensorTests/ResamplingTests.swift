import Testing
@testable import ADiffTensor

/// Resampling, concatenation and batch slicing against index-by-index references.
@Suite struct ResamplingTests {
    @Test(arguments: [[1, 1, 1, 1], [2, 3, 5, 7], [1, 8, 8, 320], [3, 1, 4, 17]])
    func nearestUpsamplingCopiesEachPixelToA2x2Block(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(13, *)))
        let x = rng.tensor(shape)
        let y = try Resampling.upsampleNearest2x(x)
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        #expect(y.shape == [n, 2 * h, 2 * w, c])
        var expected: [Double] = []
        for b in 0..<n {
            for oy in 0..<(2 * h) {
                for ox in 0..<(2 * w) {
                    for k in 0..<c {
                        expected.append(Double(x[b, oy / 2, ox / 2, k]))
                    }
                }
            }
        }
        #expect(relativeError(y.scalars, expected) == 0)
    }

    @Test(arguments: [[1, 2, 2, 1], [2, 6, 4, 5], [1, 7, 9, 3], [2, 16, 16, 64]])
    func averagePoolingMatchesReference(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(15, *)))
        let x = rng.tensor(shape)
        let y = try Resampling.averagePool2x2(x)
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        #expect(y.shape == [n, h / 2, w / 2, c])
        var expected: [Double] = []
        for b in 0..<n {
            for oy in 0..<(h / 2) {
                for ox in 0..<(w / 2) {
                    for k in 0..<c {
                        let s =
                            Double(x[b, 2 * oy, 2 * ox, k]) + Double(x[b, 2 * oy, 2 * ox + 1, k])
                            + Double(x[b, 2 * oy + 1, 2 * ox, k]) + Double(x[b, 2 * oy + 1, 2 * ox + 1, k])
                        expected.append(s / 4)
                    }
                }
            }
        }
        #expect(relativeError(y.scalars, expected) <= kernelTolerance)
    }

    @Test func channelConcatInterleavesRowsInOrder() throws {
        var rng = SeededGenerator(seed: 17)
        let a = rng.tensor([2, 3, 5, 7]), b = rng.tensor([2, 3, 5, 1]), c = rng.tensor([2, 3, 5, 16])
        let y = try Concat.channels([a, b, c])
        #expect(y.shape == [2, 3, 5, 24])
        var expected: [Float] = []
        for row in 0..<30 {
            expected += a.scalars[(row * 7)..<(row * 7 + 7)]
            expected += b.scalars[row..<(row + 1)]
            expected += c.scalars[(row * 16)..<(row * 16 + 16)]
        }
        #expect(y.scalars == expected)
        #expect(throws: TensorError.self) { try Concat.channels([a, rng.tensor([2, 3, 4, 7])]) }
        #expect(throws: TensorError.self) { try Concat.channels([]) }
    }

    @Test func batchConcatAndSliceRoundTrip() throws {
        var rng = SeededGenerator(seed: 19)
        let a = rng.tensor([3, 4, 5, 3]), b = rng.tensor([1, 4, 5, 3])
        let joined = try Concat.batch([a, b])
        #expect(joined.shape == [4, 4, 5, 3])
        #expect(joined.scalars == a.scalars + b.scalars)
        #expect(try joined.batchSlice(0..<3).scalars == a.scalars)
        #expect(try joined.batchSlice(3..<4).scalars == b.scalars)
        let middle = try joined.batchSlice(1..<3)
        #expect(middle.shape == [2, 4, 5, 3])
        #expect(middle.scalars == Array(a.scalars[60..<180]))
        #expect(try joined.batchSlice(2..<2).shape == [0, 4, 5, 3])
        #expect(throws: TensorError.self) { try joined.batchSlice(3..<5) }
        #expect(throws: TensorError.self) { try Concat.batch([a, rng.tensor([1, 4, 5, 2])]) }
    }

    @Test func rejectsWrongRank() {
        #expect(throws: TensorError.self) { try Resampling.upsampleNearest2x(Tensor(zeros: [4, 4, 3])) }
        #expect(throws: TensorError.self) { try Resampling.averagePool2x2(Tensor(zeros: [4, 4, 3])) }
    }
}

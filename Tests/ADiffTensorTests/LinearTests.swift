import Testing
@testable import ADiffTensor

@Suite struct LinearTests {
    typealias Support = GemmKernelTestSupport

    /// y[m, n] = Σ_k x[m, k]·W[n, k] + b[n], in Double.
    static func reference(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> [Double] {
        let (n, k) = (weight.shape[0], weight.shape[1])
        let rows = x.count / k
        let (xs, ws, bs) = (x.scalars, weight.scalars, bias?.scalars)
        var y = [Double](repeating: 0, count: rows * n)
        for m in 0..<rows {
            for j in 0..<n {
                var sum = bs.map { Double($0[j]) } ?? 0
                for i in 0..<k { sum += Double(xs[m * k + i]) * Double(ws[j * k + i]) }
                y[m * n + j] = sum
            }
        }
        return y
    }

    @Test(arguments: [
        (1, 1, 1, true), (3, 77, 5, false), (77, 320, 33, true), (130, 17, 1, true), (2, 3, 4096, false),
    ])
    func matchesReference(rows: Int, inputs: Int, outputs: Int, hasBias: Bool) throws {
        let x = Support.random([rows, inputs], seed: 1)
        let weight = Support.random([outputs, inputs], seed: 2)
        let bias = hasBias ? Support.random([outputs], seed: 3) : nil
        let layer = try Linear(weight: weight, bias: bias)
        let y = try layer(x)
        #expect(y.shape == [rows, outputs])
        #expect(Support.relativeError(y, Self.reference(x, weight, bias)) <= Support.tolerance)
    }

    @Test func keepsLeadingDimensions() throws {
        let x = Support.random([2, 3, 5, 6], seed: 4)
        let weight = Support.random([7, 6], seed: 5)
        let y = try Linear(weight: weight)(x)
        #expect(y.shape == [2, 3, 5, 7])
        #expect(Support.relativeError(y, Self.reference(x, weight, nil)) <= Support.tolerance)
    }

    /// Reads a column slice of a wider input and accumulates into a column slice of a wider
    /// output (a fused residual add), as a caller addressing one half of a GEGLU would.
    @Test func stridedAccumulate() throws {
        let (rows, wide, inputs, outputs, outWide) = (9, 20, 6, 5, 11)
        let source = Support.random([rows, wide], seed: 6)
        let weight = Support.random([outputs, inputs], seed: 7)
        let bias = Support.random([outputs], seed: 8)
        let residual = Support.random([rows, outWide], seed: 9)
        let layer = try Linear(weight: weight, bias: bias)
        var out = residual
        out.withUnsafeMutableBufferPointer { o in
            source.withUnsafeBufferPointer { s in
                layer.apply(
                    rows: rows, input: s.baseAddress! + 3, inputStride: wide,
                    output: o.baseAddress! + 4, outputStride: outWide, accumulate: true
                )
            }
        }
        let xs = source.scalars
        let slice = Tensor(shape: [rows, inputs], scalars: (0..<rows).flatMap { r in xs[(r * wide + 3)..<(r * wide + 3 + inputs)] })
        let product = Self.reference(slice, weight, bias)
        var expected = residual.scalars.map(Double.init)
        for r in 0..<rows {
            for j in 0..<outputs { expected[r * outWide + 4 + j] += product[r * outputs + j] }
        }
        #expect(Support.relativeError(out, expected) <= Support.tolerance)
    }

    @Test func rejectsBadShapes() throws {
        #expect(throws: TensorError.self) { try Linear(weight: Tensor(zeros: [4])) }
        #expect(throws: TensorError.self) { try Linear(weight: Tensor(zeros: [4, 3]), bias: Tensor(zeros: [3])) }
        let layer = try Linear(weight: Tensor(zeros: [4, 3]))
        #expect(throws: TensorError.self) { try layer(Tensor(zeros: [2, 4])) }
    }
}

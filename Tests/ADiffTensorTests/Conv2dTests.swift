import Testing
@testable import ADiffTensor

@Suite struct Conv2dTests {
    typealias Support = GemmKernelTestSupport

    /// Direct convolution from the PyTorch-layout weight, NHWC in and out, in Double.
    static func reference(
        _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int, padding: Conv2d.Padding
    ) -> (shape: [Int], values: [Double]) {
        let (n, h, w, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let ho = (h + padding.top + padding.bottom - kh) / stride + 1
        let wo = (w + padding.left + padding.right - kw) / stride + 1
        let (xs, ws, bs) = (x.scalars, weight.scalars, bias?.scalars)
        var y = [Double](repeating: 0, count: n * ho * wo * cout)
        for b in 0..<n {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    for co in 0..<cout {
                        var sum = bs.map { Double($0[co]) } ?? 0
                        for ky in 0..<kh {
                            let iy = oy * stride + ky - padding.top
                            guard iy >= 0 && iy < h else { continue }
                            for kx in 0..<kw {
                                let ix = ox * stride + kx - padding.left
                                guard ix >= 0 && ix < w else { continue }
                                for ci in 0..<cin {
                                    sum += Double(xs[((b * h + iy) * w + ix) * cin + ci])
                                        * Double(ws[((co * cin + ci) * kh + ky) * kw + kx])
                                }
                            }
                        }
                        y[((b * ho + oy) * wo + ox) * cout + co] = sum
                    }
                }
            }
        }
        return ([n, ho, wo, cout], y)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var batch, height, width, inputChannels, outputChannels, kernel, stride: Int
        var padding: Conv2d.Padding
        var bias = true
        var testDescription: String {
            "\(batch)×\(height)×\(width)×\(inputChannels)→\(outputChannels) k\(kernel) s\(stride) \(padding)"
        }
    }

    static let cases: [Case] = [
        Case(batch: 1, height: 5, width: 7, inputChannels: 3, outputChannels: 1, kernel: 3, stride: 1, padding: .init(1)),
        Case(batch: 2, height: 9, width: 6, inputChannels: 17, outputChannels: 19, kernel: 3, stride: 1, padding: .init(1), bias: false),
        Case(batch: 1, height: 1, width: 8, inputChannels: 4, outputChannels: 5, kernel: 3, stride: 1, padding: .init(1)),
        Case(batch: 1, height: 6, width: 1, inputChannels: 3, outputChannels: 2, kernel: 3, stride: 1, padding: .init(1)),
        Case(batch: 1, height: 7, width: 9, inputChannels: 5, outputChannels: 6, kernel: 3, stride: 2, padding: .init(1)),
        Case(batch: 2, height: 5, width: 5, inputChannels: 3, outputChannels: 4, kernel: 3, stride: 2, padding: .init(1)),
        Case(batch: 1, height: 1, width: 1, inputChannels: 3, outputChannels: 2, kernel: 3, stride: 2, padding: .init(1)),
        // The VAE encoder's downsampler pads only bottom and right.
        Case(batch: 1, height: 8, width: 7, inputChannels: 6, outputChannels: 3, kernel: 3, stride: 2,
             padding: .init(top: 0, left: 0, bottom: 1, right: 1)),
        Case(batch: 2, height: 5, width: 3, inputChannels: 7, outputChannels: 9, kernel: 1, stride: 1, padding: .init(0)),
        Case(batch: 1, height: 4, width: 6, inputChannels: 3, outputChannels: 8, kernel: 1, stride: 1, padding: .init(0), bias: false),
        Case(batch: 1, height: 7, width: 5, inputChannels: 4, outputChannels: 3, kernel: 5, stride: 1, padding: .init(2)),
        // 256 channels but 6 output tiles: the automatic choice takes im2col, not winograd.
        Case(batch: 2, height: 5, width: 3, inputChannels: 256, outputChannels: 3, kernel: 3, stride: 1, padding: .init(1)),
    ]

    @Test(arguments: cases, [Conv2d.Algorithm.automatic, .im2col, .shifted, .winograd])
    func matchesReference(_ c: Case, algorithm: Conv2d.Algorithm) throws {
        guard algorithm != .shifted || c.stride == 1 else { return }
        guard algorithm != .winograd || (c.stride == 1 && c.kernel == 3) else { return }
        let x = Support.random([c.batch, c.height, c.width, c.inputChannels], seed: 11)
        let weight = Support.random([c.outputChannels, c.inputChannels, c.kernel, c.kernel], seed: 12)
        let bias = c.bias ? Support.random([c.outputChannels], seed: 13) : nil
        let conv = try Conv2d(
            weights: Conv2dWeights(oihw: weight, bias: bias), stride: c.stride, padding: c.padding, algorithm: algorithm
        )
        let y = try conv(x)
        let expected = Self.reference(x, weight, bias, stride: c.stride, padding: c.padding)
        #expect(y.shape == expected.shape)
        #expect(Support.relativeError(y, expected.values) <= Support.tolerance)
    }

    /// Large enough that both algorithms split the work into several bounded blocks.
    @Test(arguments: [Conv2d.Algorithm.im2col, .shifted])
    func blocksCoverTheWholeImage(algorithm: Conv2d.Algorithm) throws {
        let (h, w, cin, cout) = algorithm == .im2col ? (48, 40, 64, 8) : (70, 130, 3, 128)
        let x = Support.random([1, h, w, cin], seed: 14)
        let weight = Support.random([cout, cin, 3, 3], seed: 15)
        let bias = Support.random([cout], seed: 16)
        let conv = try Conv2d(weights: Conv2dWeights(oihw: weight, bias: bias), padding: .init(1), algorithm: algorithm)
        let patchBlock = Conv2d.blockBytes / (9 * cin * 4)
        let rowBlock = Conv2d.blockBytes / ((w + 2) * cout * 4)
        #expect(algorithm == .im2col ? h * w > patchBlock : h > rowBlock)
        let y = try conv(x)
        let expected = Self.reference(x, weight, bias, stride: 1, padding: .init(1))
        #expect(Support.relativeError(y, expected.values) <= Support.tolerance)
    }

    @Test func packsPyTorchLayoutTapMajor() throws {
        let weight = Support.random([5, 3, 3, 2], seed: 17)
        let packed = try Conv2dWeights(oihw: weight).packed
        #expect(packed.shape == [3 * 2 * 3, 5])
        for co in 0..<5 {
            for ci in 0..<3 {
                for ky in 0..<3 {
                    for kx in 0..<2 {
                        #expect(packed[((ky * 2 + kx) * 3 + ci), co] == weight[co, ci, ky, kx])
                    }
                }
            }
        }
    }

    @Test func rejectsBadInput() throws {
        let weights = try Conv2dWeights(oihw: Tensor(zeros: [2, 3, 3, 3]))
        #expect(throws: TensorError.self) { try Conv2dWeights(oihw: Tensor(zeros: [2, 3, 3])) }
        #expect(throws: TensorError.self) { try Conv2dWeights(oihw: Tensor(zeros: [2, 3, 3, 3]), bias: Tensor(zeros: [3])) }
        #expect(throws: TensorError.self) { try Conv2d(weights: weights, stride: 0) }
        #expect(throws: TensorError.self) { try Conv2d(weights: weights, padding: .init(-1)) }
        #expect(throws: TensorError.self) { try Conv2d(weights: weights, stride: 2, algorithm: .shifted) }
        let conv = try Conv2d(weights: weights, padding: .init(1))
        #expect(throws: TensorError.self) { try conv(Tensor(zeros: [1, 4, 4, 2])) }
        #expect(throws: TensorError.self) { try conv(Tensor(zeros: [4, 4, 3])) }
        let unpadded = try Conv2d(weights: weights)
        #expect(throws: TensorError.self) { try unpadded(Tensor(zeros: [1, 2, 5, 3])) }
    }
}

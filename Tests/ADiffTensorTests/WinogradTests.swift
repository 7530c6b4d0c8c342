import Testing
@testable import ADiffTensor

/// Winograd F(2×2, 3×3) against the Double direct convolution of ``Conv2dTests``.
///
/// Tolerance: the kernels' shared 1e-5 (max|a − ref| / max|ref|). F(2,3)'s transforms add a
/// few roundings per output on top of the GEMM's, so the measured errors (printed) stay near
/// 1e-7 at these sizes.
@Suite struct WinogradTests {
    typealias Support = GemmKernelTestSupport
    typealias Case = Conv2dTests.Case

    static let cases: [Case] = [
        // Odd output sizes leave partial tiles on the right and bottom edges.
        Case(batch: 1, height: 5, width: 7, inputChannels: 3, outputChannels: 1, kernel: 3, stride: 1, padding: .init(1)),
        Case(batch: 2, height: 9, width: 6, inputChannels: 17, outputChannels: 19, kernel: 3, stride: 1, padding: .init(1), bias: false),
        Case(batch: 3, height: 11, width: 13, inputChannels: 33, outputChannels: 21, kernel: 3, stride: 1, padding: .init(1)),
        // One pixel wide or high, and a single pixel.
        Case(batch: 1, height: 1, width: 8, inputChannels: 4, outputChannels: 5, kernel: 3, stride: 1, padding: .init(1)),
        Case(batch: 2, height: 6, width: 1, inputChannels: 3, outputChannels: 2, kernel: 3, stride: 1, padding: .init(1)),
        Case(batch: 1, height: 1, width: 1, inputChannels: 7, outputChannels: 9, kernel: 3, stride: 1, padding: .init(1)),
        // No padding, wider padding, and the asymmetric kind.
        Case(batch: 1, height: 8, width: 9, inputChannels: 5, outputChannels: 6, kernel: 3, stride: 1, padding: .init(0)),
        Case(batch: 1, height: 3, width: 4, inputChannels: 6, outputChannels: 4, kernel: 3, stride: 1, padding: .init(2), bias: false),
        Case(batch: 2, height: 7, width: 6, inputChannels: 6, outputChannels: 3, kernel: 3, stride: 1,
             padding: .init(top: 0, left: 2, bottom: 1, right: 0)),
        // Channel counts the AVX-512 loops do not divide evenly.
        Case(batch: 1, height: 6, width: 10, inputChannels: 131, outputChannels: 67, kernel: 3, stride: 1, padding: .init(1)),
    ]

    @Test(arguments: cases)
    func matchesReference(_ c: Case) throws {
        let x = Support.random([c.batch, c.height, c.width, c.inputChannels], seed: 21)
        let weight = Support.random([c.outputChannels, c.inputChannels, 3, 3], seed: 22)
        let bias = c.bias ? Support.random([c.outputChannels], seed: 23) : nil
        let conv = try Conv2d(weights: Conv2dWeights(oihw: weight, bias: bias), padding: c.padding, algorithm: .winograd)
        let y = try conv(x)
        let expected = Conv2dTests.reference(x, weight, bias, stride: 1, padding: c.padding)
        let error = Support.relativeError(y, expected.values)
        print("winograd \(c.testDescription): max rel err \(error)")
        #expect(y.shape == expected.shape)
        #expect(error <= Support.tolerance)
    }

    /// More tiles than one block holds, with blocks that start mid-image and span images.
    @Test func blocksCoverEveryImage() throws {
        let (batch, h, w, cin, cout) = (3, 41, 46, 128, 64)
        let tileBytes = 16 * (cin + cout) * 4
        let tiles = batch * ((h + 1) / 2) * ((w + 1) / 2)
        #expect(tiles > 2 * Conv2d.winogradBlockBytes / tileBytes)
        let x = Support.random([batch, h, w, cin], seed: 24)
        let weight = Support.random([cout, cin, 3, 3], seed: 25)
        let bias = Support.random([cout], seed: 26)
        let conv = try Conv2d(weights: Conv2dWeights(oihw: weight, bias: bias), padding: .init(1), algorithm: .winograd)
        let y = try conv(x)
        let expected = Conv2dTests.reference(x, weight, bias, stride: 1, padding: .init(1))
        let error = Support.relativeError(y, expected.values)
        print("winograd \(batch)×\(h)×\(w)×\(cin)→\(cout), \(tiles) tiles in blocks: max rel err \(error)")
        #expect(error <= Support.tolerance)
    }

    /// U = G·g·Gᵀ per (ci, co), checked in Double.
    @Test func transformsWeights() throws {
        let (cout, cin) = (5, 3)
        let weight = Support.random([cout, cin, 3, 3], seed: 27)
        let u = try Conv2dWinogradWeights().matrices(of: Conv2dWeights(oihw: weight))
        #expect(u.shape == [16, cin, cout])
        let gMatrix: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        var worst = 0.0
        for co in 0..<cout {
            for ci in 0..<cin {
                for i in 0..<4 {
                    for j in 0..<4 {
                        var sum = 0.0
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                sum += gMatrix[i][ky] * Double(weight[co, ci, ky, kx]) * gMatrix[j][kx]
                            }
                        }
                        worst = max(worst, abs(Double(u[4 * i + j, ci, co]) - sum))
                    }
                }
            }
        }
        #expect(worst <= 1e-6)
    }

    /// One value called from several threads transforms its weights once and agrees everywhere.
    @Test func sharedAcrossThreads() async throws {
        let x = Support.random([1, 6, 6, 8], seed: 28)
        let weight = Support.random([4, 8, 3, 3], seed: 29)
        let conv = try Conv2d(weights: Conv2dWeights(oihw: weight), padding: .init(1), algorithm: .winograd)
        let expected = Conv2dTests.reference(x, weight, nil, stride: 1, padding: .init(1))
        let errors = try (0..<4).map { _ in try conv(x) }.map { Support.relativeError($0, expected.values) }
        async let a = Task.detached { try conv(x) }.value
        async let b = Task.detached { try conv(x) }.value
        let concurrent = try await [a, b].map { Support.relativeError($0, expected.values) }
        #expect((errors + concurrent).allSatisfy { $0 <= Support.tolerance })
    }

    /// A convolution whose Winograd transform is already kept never packs its weights: the
    /// packing is left to the first lowering that reads it.
    @Test func keptTransformSkipsPacking() throws {
        let x = Support.random([1, 6, 6, 8], seed: 30)
        let weight = Support.random([4, 8, 3, 3], seed: 31)
        let kept = Conv2dWinogradWeights()
        let first = try Conv2dWeights(oihw: weight)
        let reference = try Conv2d(weights: first, padding: .init(1), algorithm: .winograd, winogradWeights: kept)(x)
        #expect(first.isPacked)  // the transform is made from the packed matrix
        let later = try Conv2dWeights(oihw: weight)
        let again = try Conv2d(weights: later, padding: .init(1), algorithm: .winograd, winogradWeights: kept)(x)
        #expect(!later.isPacked)
        #expect(again.scalars == reference.scalars)
        _ = try Conv2d(weights: later, padding: .init(1), algorithm: .im2col)(x)
        #expect(later.isPacked)
    }

    /// The automatic choice takes winograd from 128 output tiles at any width (and im2col
    /// below) and agrees with im2col.
    @Test(arguments: [
        (1, 32, 32, 64, true), (2, 23, 30, 64, true), (1, 16, 16, 64, false), (2, 15, 15, 64, true),
        (1, 22, 22, 64, false), (1, 32, 32, 641, true), (2, 16, 16, 1280, true), (1, 16, 16, 1280, false),
    ])
    func automaticChoiceMatchesIm2col(batch: Int, height: Int, width: Int, cin: Int, takesWinograd: Bool) throws {
        let cout = 24
        let x = Support.random([batch, height, width, cin], seed: 30)
        let weights = try Conv2dWeights(oihw: Support.random([cout, cin, 3, 3], seed: 31), bias: Support.random([cout], seed: 32))
        let automatic = try Conv2d(weights: weights, padding: .init(1))
        let y = try automatic(x)
        let z = try Conv2d(weights: weights, padding: .init(1), algorithm: .im2col)(x)
        let error = Support.relativeError(y, z.scalars.map(Double.init))
        print("automatic \(batch)×\(height)×\(width)×\(cin)→\(cout) vs im2col: max rel err \(error)")
        #expect(automatic.winogradWeights.isTransformed == takesWinograd)
        #expect(error <= Support.tolerance)
    }

    @Test func rejectsOtherGeometries() throws {
        let fiveByFive = try Conv2dWeights(oihw: Tensor(zeros: [2, 3, 5, 5]))
        let threeByThree = try Conv2dWeights(oihw: Tensor(zeros: [2, 3, 3, 3]))
        #expect(throws: TensorError.self) { try Conv2d(weights: fiveByFive, padding: .init(2), algorithm: .winograd) }
        #expect(throws: TensorError.self) { try Conv2d(weights: threeByThree, stride: 2, algorithm: .winograd) }
        #expect(throws: Never.self) { try Conv2d(weights: threeByThree, padding: .init(1), algorithm: .winograd) }
    }
}

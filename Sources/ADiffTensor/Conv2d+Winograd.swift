import CADiffKernels

/// Winograd F(2×2, 3×3) (Lavin & Gray 2016): each 2×2 block of outputs comes from a 4×4 input
/// tile d as Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A. Summed over input channels, the element-wise product
/// becomes 16 independent GEMMs `[tiles, Cin] × [Cin, Cout]`, 16 multiplies per 4 outputs
/// where direct convolution needs 36.
extension Conv2d {
    /// Bytes the transformed input and product blocks take together: a bounded working set, as
    /// for the other lowerings.
    static let winogradBlockBytes = 8 << 20
    /// Fewest tiles per block, whatever the channel count: each of the 16 GEMMs packs its whole
    /// `[Cin, Cout]` operand, which at 1280 channels costs as much as a 50-row product computes
    /// (63 MB of blocks at 2560 → 1280 channels).
    static let winogradMinimumBlockTiles = 256

    /// Whether ``Algorithm/winograd`` can compute a convolution: 3×3 kernels with stride 1.
    static func winogradApplies(_ weights: Conv2dWeights, stride: Int) -> Bool {
        weights.kernelHeight == 3 && weights.kernelWidth == 3 && stride == 1
    }

    /// Input tiles, per block, then 16 GEMMs, then the output transform, block after block.
    func winograd(_ g: Geometry, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let cin = g.inputChannels, cout = g.outputChannels
        let tilesY = (g.outHeight + 1) / 2, tilesX = (g.outWidth + 1) / 2
        let totalTiles = g.batch * tilesY * tilesX
        let tileBytes = 16 * (cin + cout) * MemoryLayout<Float>.size
        let tilesPerBlock = min(totalTiles, max(Conv2d.winogradMinimumBlockTiles, Conv2d.winogradBlockBytes / tileBytes))
        let cache = TensorBlockCache.shared
        cache.withScratch(count: 16 * tilesPerBlock * cin) { v in
            cache.withScratch(count: 16 * tilesPerBlock * cout) { m in
                winograd(g, x, out, v: v, m: m, tilesPerBlock: tilesPerBlock)
            }
        }
    }

    private func winograd(
        _ g: Geometry, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, tilesPerBlock: Int
    ) {
        let cin = g.inputChannels, cout = g.outputChannels
        let tilesY = (g.outHeight + 1) / 2, tilesX = (g.outWidth + 1) / 2
        let totalTiles = g.batch * tilesY * tilesX
        let geometry = cadiff_winograd_geometry(
            height: g.height, width: g.width, out_height: g.outHeight, out_width: g.outWidth,
            pad_top: g.padding.top, pad_left: g.padding.left, tiles_y: tilesY, tiles_x: tilesX
        )
        let u = winogradWeights.matrices(of: weights)
        u.withUnsafeBufferPointer { u in
            BLAS.withBFloat16(winogradWeights.bfloat16, of: u.baseAddress!, count: u.count) { u16 in
                let u = u.baseAddress!
                withBias { bias in
                    var first = 0
                    while first < totalTiles {
                        let count = min(tilesPerBlock, totalTiles - first)
                        Parallel.forEachChunk(count: count, minimumChunk: max(1, 1024 / cin)) { range in
                            cadiff_winograd_f2_input(
                                geometry, x, cin, first + range.lowerBound, first + range.upperBound,
                                first, tilesPerBlock, v
                            )
                        }
                        for matrix in 0..<16 {
                            BLAS.gemm(
                                m: count, n: cout, k: cin,
                                a: v + matrix * tilesPerBlock * cin, lda: cin,
                                b: u + matrix * cin * cout, ldb: cout, bBFloat16: u16.map { $0 + matrix * cin * cout },
                                c: m + matrix * tilesPerBlock * cout, ldc: cout
                            )
                        }
                        Parallel.forEachChunk(count: count, minimumChunk: max(1, 1024 / cout)) { range in
                            cadiff_winograd_f2_output(
                                geometry, m, cout, bias, first + range.lowerBound, first + range.upperBound,
                                first, tilesPerBlock, out
                            )
                        }
                        first += count
                    }
                }
            }
        }
    }

    /// Runs `body` with the bias's address, or nil when the convolution has none.
    private func withBias(_ body: (UnsafePointer<Float>?) -> Void) {
        guard let bias = weights.bias else { return body(nil) }
        bias.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// A 2-D convolution over NHWC activations `[N, H, W, Cin] → [N, Ho, Wo, Cout]`, computed as
/// GEMMs through OpenBLAS with weights packed once in ``Conv2dWeights``.
///
/// Memory stays bounded at any image size: no full im2col matrix is ever built (at a 512²
/// VAE level it would be 1.2 GB). Three algorithms:
/// - 1×1, stride 1, no padding: a single GEMM over all pixels.
/// - Stride 1, wide inputs (``Algorithm/shifted``): the input is zero-padded once; in padded-width
///   coordinates, output pixel `r` of tap `(ky, kx)` reads padded pixel `r + ky·Wp + kx`, so
///   each tap is one GEMM on a shifted view with no copy, accumulated over the taps, and the
///   `kw − 1` junk columns per row are dropped when the block is written out.
/// - Otherwise (``Algorithm/im2col``): patches of a block of output pixels are gathered into
///   a bounded buffer and multiplied in one GEMM with `K = kh·kw·Cin`.
/// - 3×3 stride 1 (``Algorithm/winograd``): Winograd F(2×2, 3×3) over bounded blocks of 4×4
///   input tiles, 16 GEMMs with `K = Cin` per block and 2.25× fewer multiplies (see
///   `Conv2d+Winograd.swift`).
public struct Conv2d: Sendable {
    /// Zero padding on each side of the image, in pixels.
    public struct Padding: Sendable, Equatable {
        /// Rows added above.
        public var top: Int
        /// Columns added on the left.
        public var left: Int
        /// Rows added below.
        public var bottom: Int
        /// Columns added on the right.
        public var right: Int

        /// Different padding per side (VAE downsamplers pad only bottom and right).
        public init(top: Int, left: Int, bottom: Int, right: Int) {
            self.top = top
            self.left = left
            self.bottom = bottom
            self.right = right
        }

        /// The same padding on all four sides.
        public init(_ all: Int) {
            self.init(top: all, left: all, bottom: all, right: all)
        }
    }

    /// How the convolution is lowered to GEMMs.
    public enum Algorithm: Sendable, Equatable {
        /// Picks the fastest algorithm that applies (measured; see Benchmarks/README.md,
        /// "Winograd and the automatic conv choice"): a plain GEMM for 1×1; for stride 1 with
        /// at least 64 input channels, winograd for 3×3 kernels with at least 128 output tiles (`N·⌈Ho/2⌉·⌈Wo/2⌉`; 320@64²: 2.4× im2col's speed,
        /// VAE 512@64²: 2.2×, 128@512²: 1.25×, the UNet's batched 1280-channel convs: 2.0–2.2×),
        /// else im2col for 3×3 (1280@16² and @8² at batch 1: winograd 22–69 % of sgemm, im2col
        /// 64–104 %, shifted 52–63 %) and shifted for other kernels; im2col otherwise.
        case automatic
        /// Patches of bounded pixel blocks gathered into one GEMM (any geometry).
        case im2col
        /// One GEMM per tap on a padded copy of the input (stride 1 only).
        case shifted
        /// Winograd F(2×2, 3×3): 16 GEMMs per block of 4×4 tiles (3×3 kernels, stride 1 only).
        case winograd
    }

    /// The packed weights and bias.
    public let weights: Conv2dWeights
    /// Step between output pixels, in input pixels, both directions.
    public let stride: Int
    /// Zero padding around the input.
    public let padding: Padding
    /// The lowering used; ``Algorithm/automatic`` unless a benchmark or test pins one.
    public let algorithm: Algorithm
    /// The Winograd-domain weights, transformed on first use by a Winograd lowering.
    public let winogradWeights: Conv2dWinogradWeights
    /// The bf16 copy of ``Conv2dWeights/packed``, made on first use by a bf16 product.
    public let bfloat16Weights: BFloat16Weights

    /// Bytes the im2col patch buffer (but at least 256 pixels' patches) or the shifted
    /// accumulator take per block: large enough that each GEMM runs at full speed, small
    /// enough to stay in the L3 cache.
    static let blockBytes = 4 << 20
    /// Input channels from which ``Algorithm/automatic`` picks a lowering with `K = Cin`
    /// (``Algorithm/shifted`` or ``Algorithm/winograd``).
    static let shiftedMinimumChannels = 64
    /// Output tiles (`N·⌈Ho/2⌉·⌈Wo/2⌉`) from which ``Algorithm/automatic`` picks
    /// ``Algorithm/winograd`` for a 3×3 stride-1 conv, at any channel count. With the transform
    /// kept per layer and 256-tile blocks it ran 1.7–2.3× im2col's speed from 128 tiles (the
    /// UNet's batch-32 1280-channel convs at 4×4); below, at batch 1 (1280@16² and @8², 16–64
    /// tiles), im2col won.
    static let winogradMinimumTiles = 128

    /// A convolution with `weights`, `stride` and `padding`. `winogradWeights` is the cache of
    /// the Winograd transform of these weights and `bfloat16Weights` of their bf16 copy; a layer
    /// that builds a ``Conv2d`` per call passes its own so both are kept (fresh ones by default).
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when the stride is below 1, a padding is
    ///   negative, ``Algorithm/shifted`` is requested with a stride other than 1, or
    ///   ``Algorithm/winograd`` for anything but a 3×3 kernel with stride 1.
    public init(
        weights: Conv2dWeights, stride: Int = 1, padding: Padding = Padding(0), algorithm: Algorithm = .automatic,
        winogradWeights: Conv2dWinogradWeights = Conv2dWinogradWeights(),
        bfloat16Weights: BFloat16Weights = BFloat16Weights()
    ) throws {
        guard stride >= 1 else {
            throw TensorError(.shapeMismatch, "conv stride must be at least 1, got \(stride)")
        }
        guard min(padding.top, padding.left, padding.bottom, padding.right) >= 0 else {
            throw TensorError(.shapeMismatch, "conv padding must not be negative, got \(padding)")
        }
        if algorithm == .shifted && stride != 1 {
            throw TensorError(.shapeMismatch, "the shifted conv algorithm needs stride 1, got \(stride)")
        }
        if algorithm == .winograd && !Conv2d.winogradApplies(weights, stride: stride) {
            throw TensorError(
                .shapeMismatch,
                "the winograd conv algorithm needs a 3×3 kernel and stride 1, got "
                    + "\(weights.kernelHeight)×\(weights.kernelWidth) stride \(stride)"
            )
        }
        self.weights = weights
        self.stride = stride
        self.padding = padding
        self.algorithm = algorithm
        self.winogradWeights = winogradWeights
        self.bfloat16Weights = bfloat16Weights
    }

    /// Output height and width for an input of `height × width`, or nil when the padded input
    /// is smaller than the kernel.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int)? {
        let paddedHeight = height + padding.top + padding.bottom
        let paddedWidth = width + padding.left + padding.right
        guard paddedHeight >= weights.kernelHeight, paddedWidth >= weights.kernelWidth else { return nil }
        return ((paddedHeight - weights.kernelHeight) / stride + 1, (paddedWidth - weights.kernelWidth) / stride + 1)
    }

    /// Convolves `input`, `[N, H, W, Cin]`.
    ///
    /// - Returns: `[N, Ho, Wo, Cout]`.
    /// - Throws: ``TensorError`` `.shapeMismatch` when the input is not rank 4 with `Cin`
    ///   channels, or is smaller than the kernel after padding.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, input.shape[3] == weights.inputChannels else {
            throw TensorError(
                .shapeMismatch,
                "conv takes [N, H, W, \(weights.inputChannels)] input, got \(input.shape)"
            )
        }
        let (batch, height, width) = (input.shape[0], input.shape[1], input.shape[2])
        guard let outSize = outputSize(height: height, width: width) else {
            throw TensorError(
                .shapeMismatch,
                "conv input \(height)×\(width) with padding \(padding) is smaller than the "
                    + "\(weights.kernelHeight)×\(weights.kernelWidth) kernel"
            )
        }
        let (outHeight, outWidth) = outSize
        var output = Tensor(uninitialized: [batch, outHeight, outWidth, weights.outputChannels])
        guard output.count > 0 else { return output }
        let geometry = Geometry(
            batch: batch, height: height, width: width, outHeight: outHeight, outWidth: outWidth,
            kernelHeight: weights.kernelHeight, kernelWidth: weights.kernelWidth,
            inputChannels: weights.inputChannels, outputChannels: weights.outputChannels,
            stride: stride, padding: padding
        )
        output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { x in
                let lowering = resolvedAlgorithm(geometry)
                guard lowering != .winograd else { return winograd(geometry, x.baseAddress!, out.baseAddress!) }
                weights.packed.withUnsafeBufferPointer { w in
                    BLAS.withBFloat16(bfloat16Weights, of: w.baseAddress!, count: w.count) { w16 in
                        let (x, w, out) = (x.baseAddress!, Operand(fp32: w.baseAddress!, bf16: w16), out.baseAddress!)
                        switch lowering {
                        case .pointwise: pointwise(geometry, x, w, out)
                        case .shifted: shifted(geometry, x, w, out)
                        case .im2col: im2col(geometry, x, w, out)
                        case .winograd: break
                        }
                    }
                }
            }
        }
        return output
    }

    // MARK: - Lowerings

    private enum Lowering { case pointwise, shifted, im2col, winograd }

    /// The packed weights, with their bf16 copy in bf16 mode.
    private struct Operand {
        let fp32: UnsafePointer<Float>
        let bf16: UnsafePointer<UInt16>?

        /// The `[Cin, Cout]` slice of one tap (shifted lowering).
        func advanced(by elements: Int) -> Operand { Operand(fp32: fp32 + elements, bf16: bf16.map { $0 + elements }) }
    }

    private func resolvedAlgorithm(_ g: Geometry) -> Lowering {
        let isPointwise = weights.kernelHeight == 1 && weights.kernelWidth == 1 && stride == 1
            && padding == Padding(0)
        switch algorithm {
        case .im2col: return .im2col
        case .shifted: return .shifted
        case .winograd: return .winograd
        case .automatic:
            if isPointwise { return .pointwise }
            // Each shifted or Winograd GEMM has K = Cin: for the 3- and 4-channel input convs
            // that is far too short and im2col's K = kh·kw·Cin wins.
            guard stride == 1 && weights.inputChannels >= Conv2d.shiftedMinimumChannels else { return .im2col }
            guard Conv2d.winogradApplies(weights, stride: stride) else { return .shifted }
            let tiles = g.batch * ((g.outHeight + 1) / 2) * ((g.outWidth + 1) / 2)
            return tiles >= Conv2d.winogradMinimumTiles ? .winograd : .im2col
        }
    }

    struct Geometry {
        let batch, height, width, outHeight, outWidth: Int
        let kernelHeight, kernelWidth, inputChannels, outputChannels, stride: Int
        let padding: Padding
        var patchLength: Int { kernelHeight * kernelWidth * inputChannels }
    }

    private func pointwise(_ g: Geometry, _ x: UnsafePointer<Float>, _ w: Operand, _ out: UnsafeMutablePointer<Float>) {
        let rows = g.batch * g.height * g.width
        if let bias = weights.bias {
            Linear.seedRows(rows: rows, with: bias, output: out, stride: g.outputChannels, accumulate: false)
        }
        BLAS.gemm(
            m: rows, n: g.outputChannels, k: g.inputChannels,
            a: x, lda: g.inputChannels, b: w.fp32, ldb: g.outputChannels, bBFloat16: w.bf16,
            beta: weights.bias == nil ? 0 : 1,
            c: out, ldc: g.outputChannels
        )
    }

    /// Stride-1 convolution as `kh·kw` accumulated GEMMs on shifted views of a padded copy.
    private func shifted(_ g: Geometry, _ x: UnsafePointer<Float>, _ w: Operand, _ out: UnsafeMutablePointer<Float>) {
        let cin = g.inputChannels, cout = g.outputChannels
        let paddedWidth = g.width + g.padding.left + g.padding.right
        let paddedHeight = g.height + g.padding.top + g.padding.bottom
        // The last tap of the last row reads kw − 1 pixels past the padded image.
        let paddedPixels = paddedHeight * paddedWidth + g.kernelWidth - 1
        let rowsPerBlock = max(1, min(g.outHeight, Conv2d.blockBytes / (paddedWidth * cout * 4)))
        let cache = TensorBlockCache.shared
        cache.withScratch(count: paddedPixels * cin) { padded in
            cache.withScratch(count: rowsPerBlock * paddedWidth * cout) { accumulator in
                for image in 0..<g.batch {
                    let source = x + image * g.height * g.width * cin
                    Parallel.forEachChunk(count: paddedHeight, minimumChunk: max(1, 16_384 / (paddedWidth * cin))) { rows in
                        for py in rows {
                            let row = padded + py * paddedWidth * cin
                            let y = py - g.padding.top
                            guard y >= 0 && y < g.height else {
                                row.update(repeating: 0, count: paddedWidth * cin)
                                continue
                            }
                            row.update(repeating: 0, count: g.padding.left * cin)
                            (row + g.padding.left * cin).update(from: source + y * g.width * cin, count: g.width * cin)
                            (row + (g.padding.left + g.width) * cin).update(repeating: 0, count: g.padding.right * cin)
                        }
                    }
                    (padded + paddedHeight * paddedWidth * cin).update(repeating: 0, count: (g.kernelWidth - 1) * cin)

                    let target = out + image * g.outHeight * g.outWidth * cout
                    var firstRow = 0
                    while firstRow < g.outHeight {
                        let rows = min(rowsPerBlock, g.outHeight - firstRow)
                        let m = rows * paddedWidth
                        for ky in 0..<g.kernelHeight {
                            for kx in 0..<g.kernelWidth {
                                let tap = w.advanced(by: (ky * g.kernelWidth + kx) * cin * cout)
                                BLAS.gemm(
                                    m: m, n: cout, k: cin,
                                    a: padded + ((firstRow + ky) * paddedWidth + kx) * cin, lda: cin,
                                    b: tap.fp32, ldb: cout, bBFloat16: tap.bf16,
                                    beta: ky == 0 && kx == 0 ? 0 : 1,
                                    c: accumulator, ldc: cout
                                )
                            }
                        }
                        let block = target + firstRow * g.outWidth * cout
                        let bias = weights.bias
                        Parallel.forEachChunk(count: rows, minimumChunk: max(1, 16_384 / (g.outWidth * cout))) { range in
                            for r in range {
                                let from = accumulator + r * paddedWidth * cout
                                let to = block + r * g.outWidth * cout
                                to.update(from: from, count: g.outWidth * cout)
                                if let bias {
                                    bias.withUnsafeBufferPointer { b in
                                        for p in 0..<g.outWidth {
                                            let pixel = to + p * cout
                                            for c in 0..<cout { pixel[c] += b[c] }
                                        }
                                    }
                                }
                            }
                        }
                        firstRow += rows
                    }
                }
            }
        }
    }

    /// Any geometry: im2col over bounded blocks of output pixels, one GEMM per block.
    private func im2col(_ g: Geometry, _ x: UnsafePointer<Float>, _ w: Operand, _ out: UnsafeMutablePointer<Float>) {
        let k = g.patchLength, cin = g.inputChannels, cout = g.outputChannels
        let totalPixels = g.batch * g.outHeight * g.outWidth
        // At least 256 rows keep the GEMM efficient for wide inputs (12 MB at Cin = 1280).
        let pixelsPerBlock = min(totalPixels, max(256, Conv2d.blockBytes / (k * 4)))
        TensorBlockCache.shared.withScratch(count: pixelsPerBlock * k) { patches in
            if let bias = weights.bias {
                Linear.seedRows(rows: totalPixels, with: bias, output: out, stride: cout, accumulate: false)
            }
            var first = 0
            while first < totalPixels {
                let count = min(pixelsPerBlock, totalPixels - first)
                Parallel.forEachChunk(count: count, minimumChunk: max(1, 16_384 / k)) { range in
                    for i in range {
                        let pixel = first + i
                        let ox = pixel % g.outWidth
                        let oy = (pixel / g.outWidth) % g.outHeight
                        let image = pixel / (g.outWidth * g.outHeight)
                        let patch = patches + i * k
                        for ky in 0..<g.kernelHeight {
                            let y = oy * g.stride + ky - g.padding.top
                            for kx in 0..<g.kernelWidth {
                                let dst = patch + (ky * g.kernelWidth + kx) * cin
                                let x0 = ox * g.stride + kx - g.padding.left
                                if y >= 0 && y < g.height && x0 >= 0 && x0 < g.width {
                                    dst.update(from: x + ((image * g.height + y) * g.width + x0) * cin, count: cin)
                                } else {
                                    dst.update(repeating: 0, count: cin)
                                }
                            }
                        }
                    }
                }
                BLAS.gemm(
                    m: count, n: cout, k: k,
                    a: patches, lda: k, b: w.fp32, ldb: cout, bBFloat16: w.bf16,
                    beta: weights.bias == nil ? 0 : 1,
                    c: out + first * cout, ldc: cout
                )
                first += count
            }
        }
    }
}

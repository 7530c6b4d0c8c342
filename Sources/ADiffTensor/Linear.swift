/// A fully connected layer `y = x · Wᵀ + b` over the last dimension of a channels-last tensor.
///
/// The weight stays in PyTorch's `[out, in]` layout: `cblas_sgemm` reads it transposed
/// (`transposeB`), which OpenBLAS packs as fast as an `[in, out]` copy, so loading needs no
/// transpose pass and the weight can share storage with the loaded file tensor.
public struct Linear: Sendable {
    /// The weight, `[outputFeatures, inputFeatures]`.
    public let weight: Tensor
    /// The bias, `[outputFeatures]`, if the layer has one.
    public let bias: Tensor?
    /// The weight's bf16 copy, made by the first bf16 product and shared by copies of this layer.
    public let bfloat16Weight: BFloat16Weights

    /// Features each input row holds.
    public var inputFeatures: Int { weight.shape[1] }
    /// Features each output row holds.
    public var outputFeatures: Int { weight.shape[0] }

    /// A layer over `weight` (`[out, in]`) and an optional `bias` (`[out]`). A model layer that
    /// builds a ``Linear`` per call passes its own `bfloat16Weight`, so the bf16 copy is kept.
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when the weight is not rank 2 or the bias
    ///   length differs from the weight's row count.
    public init(weight: Tensor, bias: Tensor? = nil, bfloat16Weight: BFloat16Weights = BFloat16Weights()) throws {
        guard weight.rank == 2, weight.shape[0] > 0, weight.shape[1] > 0 else {
            throw TensorError(.shapeMismatch, "linear weight must be [out, in], got \(weight.shape)")
        }
        if let bias, bias.count != weight.shape[0] {
            throw TensorError(.shapeMismatch, "linear bias has \(bias.count) elements for \(weight.shape[0]) outputs")
        }
        self.weight = weight
        self.bias = bias
        self.bfloat16Weight = bfloat16Weight
    }

    /// Applies the layer to every row of `input`, whose last dimension is ``inputFeatures``.
    ///
    /// - Returns: A tensor with the same leading dimensions and ``outputFeatures`` last.
    /// - Throws: ``TensorError`` `.shapeMismatch` when the last dimension differs.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 1, input.shape[input.rank - 1] == inputFeatures else {
            throw TensorError(
                .shapeMismatch,
                "linear layer takes \(inputFeatures) input features, got shape \(input.shape)"
            )
        }
        let rows = input.count / inputFeatures
        var outputShape = input.shape
        outputShape[outputShape.count - 1] = outputFeatures
        var output = Tensor(uninitialized: outputShape)
        output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { x in
                apply(
                    rows: rows,
                    input: x.baseAddress!, inputStride: inputFeatures,
                    output: out.baseAddress!, outputStride: outputFeatures
                )
            }
        }
        return output
    }

    /// Applies the layer to `rows` rows read with stride `inputStride` and written with stride
    /// `outputStride`, so callers can feed column slices of a wider tensor (one head, one half
    /// of a GEGLU projection) or write into one without copying.
    ///
    /// - Parameters:
    ///   - accumulate: Adds the result to what `output` holds (a fused residual add) instead
    ///     of overwriting it.
    public func apply(
        rows: Int,
        input: UnsafePointer<Float>, inputStride: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int,
        accumulate: Bool = false
    ) {
        guard rows > 0 else { return }
        let n = outputFeatures
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            Linear.seedRows(rows: rows, with: bias, output: output, stride: outputStride, accumulate: accumulate)
            beta = 1
        }
        weight.withUnsafeBufferPointer { w in
            BLAS.withBFloat16(bfloat16Weight, of: w.baseAddress!, count: w.count) { w16 in
                BLAS.gemm(
                    transposeB: true,
                    m: rows, n: n, k: inputFeatures,
                    a: input, lda: inputStride,
                    b: w.baseAddress!, ldb: inputFeatures, bBFloat16: w16,
                    beta: beta,
                    c: output, ldc: outputStride
                )
            }
        }
    }

    /// Writes (or, with `accumulate`, adds) `bias` into each of `rows` rows of `output`.
    ///
    /// Seeding C with the bias and letting the GEMM accumulate onto it (beta = 1) costs one
    /// write pass, cheaper than a separate read-modify-write pass after the product.
    static func seedRows(
        rows: Int, with bias: Tensor,
        output: UnsafeMutablePointer<Float>, stride: Int,
        accumulate: Bool
    ) {
        let n = bias.count
        bias.withUnsafeBufferPointer { b in
            Parallel.forEachChunk(count: rows, minimumChunk: max(1, 32_768 / n)) { range in
                for row in range {
                    let out = output + row * stride
                    if accumulate {
                        for j in 0..<n { out[j] += b[j] }
                    } else {
                        out.update(from: b.baseAddress!, count: n)
                    }
                }
            }
        }
    }
}

import ADiffTensor
import ADiffWeights

/// One low-rank update of a LoRA file: the `up`/`down` pair (optionally a CP `mid` core) for
/// one layer, with its `alpha` or `scale`.
///
/// ΔW follows A1111's built-in LoRA engine (a1111-compat §3.4): `core = up·down` on the
/// flattened factors (first `dyn` ranks only when a rank truncation is asked for), reshaped to
/// the weight's shape, times `scale` (the `scale` tensor, else `alpha / rank`, else 1), times
/// the tag's multiplier. The product is computed in Float32.
public struct LoRAModule: Sendable {
    /// The A1111 layer name the module targets.
    public let layerName: String
    /// `lora_up.weight` (`[out, r]` or `[out, r, 1, 1]`).
    public let up: StoredTensor
    /// `lora_down.weight` (`[r, in]` or `[r, in, kh, kw]`).
    public let down: StoredTensor
    /// `lora_mid.weight` (`[r, r, kh, kw]`, CP/Tucker), if present.
    public let mid: StoredTensor?
    /// The `alpha` value, if the file has one.
    public let alpha: Float?
    /// The `scale` value, if the file has one (it wins over alpha).
    public let scale: Float?
    /// The file's tensor names that make up this module.
    public let sourceKeys: [String]
    /// Names A1111 tries when ``layerName`` is not a layer of the model.
    public let fallbackLayerNames: [String]

    /// Groups the parts of one module.
    ///
    /// - Throws: ``PipelineError`` `.invalidNetwork` when up and down do not chain (up's
    ///   columns ≠ down's rows), a factor has an unusable rank or dtype.
    public init(
        layerName: String, up: StoredTensor, down: StoredTensor, mid: StoredTensor?, alpha: Float?, scale: Float?,
        sourceKeys: [String], fallbackLayerNames: [String] = []
    ) throws {
        func invalid(_ why: String) -> PipelineError {
            PipelineError(.invalidNetwork, "LoRA layer \(layerName): \(why)")
        }
        guard [up, down].allSatisfy({ $0.dtype.isFloatingPoint }) && (mid?.dtype.isFloatingPoint ?? true) else {
            throw invalid("factors must be floating point")
        }
        guard up.shape.count == 2 || up.shape.count == 4, down.shape.count == 2 || down.shape.count == 4,
            down.shape[0] > 0, up.shape[0] > 0
        else {
            throw invalid("up \(up.shape) / down \(down.shape) are not 2-D or 4-D factors")
        }
        let upColumns = up.elementCount / up.shape[0]
        if let mid {
            guard mid.shape.count == 4, mid.shape[0] == upColumns, mid.shape[1] == down.shape[0] else {
                throw invalid("mid \(mid.shape) does not chain up \(up.shape) and down \(down.shape)")
            }
        } else if upColumns != down.shape[0] {
            throw invalid("up \(up.shape) has \(upColumns) columns for down's rank \(down.shape[0])")
        }
        self.layerName = layerName
        self.up = up
        self.down = down
        self.mid = mid
        self.alpha = alpha
        self.scale = scale
        self.sourceKeys = sourceKeys
        self.fallbackLayerNames = fallbackLayerNames
    }

    /// A1111's `dim`: rows of `down`.
    public var rank: Int { down.shape[0] }

    /// `scale` if present, else `alpha / rank` if alpha is present, else 1.
    public var effectiveScale: Float {
        if let scale { return scale }
        if let alpha { return alpha / Float(rank) }
        return 1
    }

    /// The shape of `up·down` before it is fitted to the weight.
    public var coreShape: [Int] {
        let kernel = mid.map { Array($0.shape[2...]) } ?? Array(down.shape.dropFirst(2))
        return [up.shape[0], down.shape[1]] + kernel
    }

    /// ΔW = core · scale · multiplier, shaped as `weightShape`.
    ///
    /// The core is reshaped to the weight when element counts agree (a Linear-shaped pair on a
    /// 1×1 convolution and vice versa); an inpainting UNet's 9-channel input convolution gets
    /// the 4-channel ΔW zero-padded, as A1111 does.
    ///
    /// - Parameter dynamicRank: Use only the first `dyn` ranks (`<lora:name:1:1:dyn>`).
    /// - Throws: ``PipelineError`` `.incompatibleNetwork` when the core cannot take the weight's
    ///   shape (a LoRA for another architecture).
    public func delta(weightShape: [Int], multiplier: Float, dynamicRank: Int? = nil) throws -> Tensor {
        let core = try self.core(dynamicRank: dynamicRank)
        let factor = effectiveScale
        let weightCount = weightShape.reduce(1, *)
        var shaped: Tensor
        if core.count == weightCount {
            shaped = core.reshaped(weightShape)
        } else if weightShape.count == 4, weightShape[1] == 9, core.rank == 4, core.shape[1] == 4,
            core.shape[0] == weightShape[0], Array(core.shape[2...]) == Array(weightShape[2...])
        {
            shaped = Tensor(zeros: weightShape)
            let inner = weightShape[2] * weightShape[3]
            core.withUnsafeBufferPointer { source in
                shaped.withUnsafeMutableBufferPointer { target in
                    for o in 0..<weightShape[0] {
                        for i in 0..<(4 * inner) { target[o * 9 * inner + i] = source[o * 4 * inner + i] }
                    }
                }
            }
        } else {
            throw PipelineError(
                .incompatibleNetwork,
                "LoRA layer \(layerName): update of shape \(core.shape) does not fit the weight's shape \(weightShape)")
        }
        shaped.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = values[index] * factor * multiplier }
        }
        return shaped
    }

    /// `up·down` (or the CP rebuild with `mid`) in Float32, shape ``coreShape``.
    private func core(dynamicRank: Int?) throws -> Tensor {
        let upValues = try up.widened()
        let downValues = try down.widened()
        let outputs = up.shape[0]
        let upColumns = upValues.count / outputs
        let downColumns = downValues.count / down.shape[0]
        if let mid {
            return try cpCore(up: upValues, down: downValues, mid: mid.widened(), outputs: outputs)
        }
        let used = min(dynamicRank ?? upColumns, upColumns)
        var result = Tensor(zeros: [outputs, downColumns])
        guard used > 0 else { return result.reshaped(coreShape) }
        upValues.withUnsafeBufferPointer { a in
            downValues.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        m: outputs, n: downColumns, k: used, a: a.baseAddress!, lda: upColumns, b: b.baseAddress!,
                        ldb: downColumns, c: c.baseAddress!, ldc: downColumns)
                }
            }
        }
        return result.reshaped(coreShape)
    }

    /// `core[i, j, k, l] = Σ_{n, m} mid[n, m, k, l] · up[i, n] · down[m, j]`.
    private func cpCore(up: Tensor, down: Tensor, mid: Tensor, outputs: Int) throws -> Tensor {
        let rankUp = mid.shape[0]
        let rankDown = mid.shape[1]
        let kernel = mid.shape[2] * mid.shape[3]
        let inputs = down.count / rankDown
        var result = Tensor(zeros: coreShape)
        let u = up.scalars
        let d = down.scalars
        let m = mid.scalars
        result.withUnsafeMutableBufferPointer { out in
            for i in 0..<outputs {
                for j in 0..<inputs {
                    for k in 0..<kernel {
                        var sum: Float = 0
                        for n in 0..<rankUp {
                            var inner: Float = 0
                            for r in 0..<rankDown { inner += m[(n * rankDown + r) * kernel + k] * d[r * inputs + j] }
                            sum += u[i * rankUp + n] * inner
                        }
                        out[(i * inputs + j) * kernel + k] = sum
                    }
                }
            }
        }
        return result
    }
}

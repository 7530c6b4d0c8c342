import ADiffTensor

/// One temporal self-attention of a motion module (`attention_blocks.{a}` with its LayerNorm
/// `norms.{a}`): `h ← h + Wo·MHA(LN(h) + PE)` along the frames of each pixel, 8 heads,
/// q/k/v without bias (animatediff-behaviour.md §1.1).
///
/// The positional encoding goes into Q, K and V alike, after the LayerNorm; the residual path
/// does not see it.
struct TemporalSelfAttention: Sendable {
    let norm: NormLayer
    let query: LinearLayer
    let key: LinearLayer
    let value: LinearLayer
    let output: LinearLayer
    let channels: Int
    /// The stacked Q/K/V projection's bf16 copy, kept for the life of the module (bf16 mode).
    let stackedBFloat16Weight = BFloat16Weights()

    /// Loads `attention` (to_q, to_k, to_v, to_out.0, optional pos_encoder.pe) and `norm`.
    init(attention: ParameterScope, norm: ParameterScope, channels: Int, shapes: inout MotionModuleShapes) throws {
        self.norm = try shapes.norm(norm, kind: .layer, epsilon: 1e-5, channels: channels)
        query = try shapes.linear(attention["to_q"], input: channels, output: channels, bias: false)
        key = try shapes.linear(attention["to_k"], input: channels, output: channels, bias: false)
        value = try shapes.linear(attention["to_v"], input: channels, output: channels, bias: false)
        output = try shapes.linear(attention["to_out"][0], input: channels, output: channels, bias: true)
        _ = try shapes.positionalTable(attention["pos_encoder"], channels: channels)
        self.channels = channels
    }

    /// The weights widened once per module call.
    struct Prepared: Sendable {
        let normWeight: Tensor?
        let normBias: Tensor?
        let epsilon: Float
        /// Q, K and V stacked into one `[3C, C]` projection: one GEMM instead of three.
        let projection: Linear
        let output: Linear
        let channels: Int

        /// Adds the attention of the rows of `hidden` to them.
        ///
        /// - Parameters:
        ///   - hidden: `[videos·frames·positions, C]`, rows ordered (video, frame, position).
        ///   - table: Positional table `[frames, C]`.
        func apply(to hidden: inout Tensor, videos: Int, frames: Int, positions: Int, heads: Int, table: Tensor) throws
        {
            let c = channels
            let rows = videos * frames * positions
            var normalised = try LayerNorm.apply(hidden, weight: normWeight, bias: normBias, epsilon: epsilon)
            normalised.withUnsafeMutableBufferPointer { n in
                table.withUnsafeBufferPointer { pe in
                    for frameRow in 0..<(videos * frames) {
                        let encoding = pe.baseAddress! + (frameRow % frames) * c
                        var row = n.baseAddress! + frameRow * positions * c
                        for _ in 0..<positions {
                            for channel in 0..<c { row[channel] += encoding[channel] }
                            row += c
                        }
                    }
                }
            }
            let qkv = try projection(normalised)
            // Sequences run along frames: frame f of pixel p of video v is row (v·F + f)·P + p.
            let stacked = Attention.Layout(
                tokenStride: positions * 3 * c, innerBatch: positions, innerStride: 3 * c,
                outerStride: frames * positions * 3 * c)
            let plain = Attention.Layout(
                tokenStride: positions * c, innerBatch: positions, innerStride: c, outerStride: frames * positions * c)
            var attended = Tensor(uninitialized: [rows, c])
            attended.withUnsafeMutableBufferPointer { o in
                qkv.withUnsafeBufferPointer { s in
                    let base = s.baseAddress!
                    Attention.compute(
                        batch: videos * positions, heads: heads, headDimension: c / heads,
                        queryTokens: frames, keyTokens: frames,
                        query: base, queryLayout: stacked,
                        key: base + c, keyLayout: stacked,
                        value: base + 2 * c, valueLayout: stacked,
                        output: o.baseAddress!, outputLayout: plain,
                        causal: false)
                }
            }
            hidden.withUnsafeMutableBufferPointer { h in
                attended.withUnsafeBufferPointer { a in
                    output.apply(
                        rows: rows, input: a.baseAddress!, inputStride: c, output: h.baseAddress!, outputStride: c,
                        accumulate: true)
                }
            }
        }
    }

    /// Widens the weights.
    func prepared() throws -> Prepared {
        let stacked = try Concat.batch([query.weight.widened(), key.weight.widened(), value.weight.widened()])
        return Prepared(
            normWeight: try norm.weight?.widened(), normBias: try norm.bias?.widened(), epsilon: norm.epsilon,
            projection: try Linear(weight: stacked.reshaped([3 * channels, channels]), bfloat16Weight: stackedBFloat16Weight),
            output: try output.widened(), channels: channels)
    }
}

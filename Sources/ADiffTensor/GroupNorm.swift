/// Group normalisation of channels-last activations (`[N, H, W, C]` images or `[N, T, C]`
/// token rows), as `torch.nn.GroupNorm`: channels are split into `groups` contiguous groups,
/// each group is normalised with its mean and biased variance, then the per-channel affine
/// weight and bias are applied.
///
/// Statistics are per sample by default. With `framesPerGroup = F > 1`, each run of `F`
/// consecutive samples (the frames of one video and one CFG branch) shares its statistics:
/// this is the AnimateDiff v1 / HotShot "GroupNorm hack" (animatediff-behaviour.md §2.1),
/// equivalent to PyTorch's GroupNorm on the 5-D tensor `(videos, C, F, H, W)`.
///
/// Numerics: two passes (mean, then squared deviations from it) with every sum in Double, so
/// large means next to small variances lose nothing; the output is `(x − mean)·scale + bias`
/// with the mean carried as two Floats, never `x·scale + shift`, which would cancel when
/// |mean| ≫ std.
public enum GroupNorm {
    /// Normalises `input` and returns the result, optionally followed by `activation` (the
    /// UNet and VAE ResBlocks always apply SiLU right after their GroupNorm; fusing saves a
    /// pass over memory).
    ///
    /// - Parameters:
    ///   - input: `[N, …, C]`, rank ≥ 2; every position between the first and last dimension
    ///     belongs to the sample's statistics.
    ///   - weight: `C` scales (any shape with `C` elements), or nil for 1.
    ///   - bias: `C` offsets, or nil for 0.
    ///   - groups: Number of channel groups; must divide `C` (SD: 32).
    ///   - epsilon: Added to the variance (SD UNet 1e-5, VAE and motion modules 1e-6).
    ///   - framesPerGroup: Consecutive samples sharing statistics; must divide `N`.
    ///   - activation: Applied to the normalised, affine-transformed output.
    /// - Throws: ``TensorError`` `.shapeMismatch` naming the rule that the shapes break.
    public static func apply(
        _ input: Tensor,
        weight: Tensor?,
        bias: Tensor?,
        groups: Int = 32,
        epsilon: Float = 1e-5,
        framesPerGroup: Int = 1,
        activation: Activation = .identity
    ) throws -> Tensor {
        var output = input
        try apply(
            inPlace: &output, weight: weight, bias: bias, groups: groups, epsilon: epsilon,
            framesPerGroup: framesPerGroup, activation: activation
        )
        return output
    }

    /// In-place form of ``apply(_:weight:bias:groups:epsilon:framesPerGroup:activation:)``.
    public static func apply(
        inPlace tensor: inout Tensor,
        weight: Tensor?,
        bias: Tensor?,
        groups: Int = 32,
        epsilon: Float = 1e-5,
        framesPerGroup: Int = 1,
        activation: Activation = .identity
    ) throws {
        let shape = tensor.shape
        guard shape.count >= 2 else {
            throw TensorError(.shapeMismatch, "GroupNorm needs a [N, …, C] tensor of rank ≥ 2, got shape \(shape)")
        }
        let samples = shape[0]
        let channels = shape[shape.count - 1]
        guard groups > 0, channels % groups == 0 else {
            throw TensorError(
                .shapeMismatch, "GroupNorm: \(groups) groups do not divide \(channels) channels (shape \(shape))")
        }
        guard framesPerGroup > 0, samples % framesPerGroup == 0 else {
            throw TensorError(
                .shapeMismatch,
                "GroupNorm: \(framesPerGroup) frames per statistics group do not divide the batch of \(samples)"
                    + " (shape \(shape))"
            )
        }
        try LayerNorm.checkAffine(weight, bias, channels: channels, operation: "GroupNorm")
        guard tensor.count > 0 else { return }

        let units = samples / framesPerGroup
        let rowsPerUnit = tensor.count / channels / units
        let unitSize = rowsPerUnit * channels
        tensor.withUnsafeMutableBufferPointer { buffer in
            LayerNorm.withAffine(weight, bias) { w, b in
                guard let base = buffer.baseAddress else { return }
                if units >= Parallel.availableCores {
                    // Enough independent units: one thread per run of units, each unit's three
                    // passes back to back while its data is still in cache.
                    Parallel.forEachChunk(count: units) { range in
                        for unit in range {
                            normaliseUnit(
                                base + unit * unitSize, rows: rowsPerUnit, channels: channels, groups: groups,
                                epsilon: epsilon, weight: w, bias: b, activation: activation, threads: 1
                            )
                        }
                    }
                } else {
                    for unit in 0..<units {
                        normaliseUnit(
                            base + unit * unitSize, rows: rowsPerUnit, channels: channels, groups: groups,
                            epsilon: epsilon, weight: w, bias: b, activation: activation,
                            threads: Parallel.availableCores
                        )
                    }
                }
            }
        }
    }

    /// Normalises one statistics unit of `rows` rows of `channels` floats in place, splitting
    /// its rows over up to `threads` threads.
    private static func normaliseUnit(
        _ x: UnsafeMutablePointer<Float>,
        rows: Int,
        channels: Int,
        groups: Int,
        epsilon: Float,
        weight: UnsafePointer<Float>?,
        bias: UnsafePointer<Float>?,
        activation: Activation,
        threads: Int
    ) {
        let grain = max(1, (1 << 14) / channels)
        let chunks = Parallel.chunkCount(count: rows, minimumChunk: grain, threads: threads)
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: chunks * channels)
        let channelMean = UnsafeMutablePointer<Double>.allocate(capacity: channels)
        let channelScale = UnsafeMutablePointer<Float>.allocate(capacity: channels)
        let meanHigh = UnsafeMutablePointer<Float>.allocate(capacity: channels)
        let meanLow = UnsafeMutablePointer<Float>.allocate(capacity: channels)
        defer {
            partial.deallocate()
            channelMean.deallocate()
            channelScale.deallocate()
            meanHigh.deallocate()
            meanLow.deallocate()
        }
        let perGroup = channels / groups
        let elementsPerGroup = Double(perGroup * rows)

        /// Sums `partial` over chunks and over the channels of each group.
        func groupTotals() -> [Double] {
            var totals = [Double](repeating: 0, count: groups)
            for chunk in 0..<chunks {
                let acc = partial + chunk * channels
                for c in 0..<channels { totals[c / perGroup] += acc[c] }
            }
            return totals
        }

        // Pass 1: per-channel sums.
        partial.initialize(repeating: 0, count: chunks * channels)
        Parallel.forEachIndexedChunk(count: rows, minimumChunk: grain, threads: threads) { chunk, range in
            let acc = partial + chunk * channels
            for r in range {
                let row = x + r * channels
                for c in 0..<channels { acc[c] += Double(row[c]) }
            }
        }
        let means = groupTotals().map { $0 / elementsPerGroup }
        for c in 0..<channels { channelMean[c] = means[c / perGroup] }

        // Pass 2: per-channel sums of squared deviations from the group mean.
        partial.update(repeating: 0, count: chunks * channels)
        Parallel.forEachIndexedChunk(count: rows, minimumChunk: grain, threads: threads) { chunk, range in
            let acc = partial + chunk * channels
            for r in range {
                let row = x + r * channels
                for c in 0..<channels {
                    let d = Double(row[c]) - channelMean[c]
                    acc[c] += d * d
                }
            }
        }
        let variances = groupTotals().map { $0 / elementsPerGroup }
        for c in 0..<channels {
            let group = c / perGroup
            let inverse = 1 / (variances[group] + Double(epsilon)).squareRoot()
            channelScale[c] = Float(inverse * Double(weight?[c] ?? 1))
            meanHigh[c] = Float(means[group])
            meanLow[c] = Float(means[group] - Double(meanHigh[c]))
        }

        // Pass 3: (x − mean)·scale + bias, then the activation while the row is in L1. The mean
        // is subtracted as a Float pair (high, low): x − high is exact near the mean
        // (Sterbenz), so a mean 10⁵× the standard deviation still costs no precision.
        Parallel.forEachChunk(count: rows, minimumChunk: grain, threads: threads) { range in
            for r in range {
                let row = x + r * channels
                if let bias {
                    for c in 0..<channels {
                        row[c] = ((row[c] - meanHigh[c]) - meanLow[c]) * channelScale[c] + bias[c]
                    }
                } else {
                    for c in 0..<channels { row[c] = ((row[c] - meanHigh[c]) - meanLow[c]) * channelScale[c] }
                }
                activation.apply(inPlace: row, count: channels)
            }
        }
    }
}

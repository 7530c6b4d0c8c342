#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sinusoidal timestep embedding fed to the UNet's time MLP.
public enum TimestepEmbedding {
    /// `[timesteps.count, dimension]` embedding, computed as ldm's `timestep_embedding` and
    /// diffusers' `get_timestep_embedding` do for SD 1.5 (`flip_sin_to_cos=True`,
    /// `downscale_freq_shift=0`): with `half = dimension / 2`,
    /// `freq[i] = exp(−ln(maxPeriod) · i / (half − shift))` and `arg = t · freq[i]`, the row is
    /// `cos(arg[0..<half]) ++ sin(arg[0..<half])` (sin first when `flipSinToCos` is false),
    /// zero-padded by one column for an odd dimension.
    ///
    /// Both references compute in float32, and for t up to 1000 the rounding of `freq` and of
    /// `t · freq` moves the angle by up to 6e-5 rad, so those two steps are rounded to Float
    /// exactly as PyTorch rounds them; only exp, sin and cos are evaluated in Double (correctly
    /// rounded where PyTorch's are within 1 ulp). Timesteps may be fractional (k-diffusion
    /// samplers pass interpolated ones).
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when `dimension < 2` or `half − shift` is 0.
    public static func sinusoidal(
        _ timesteps: [Float],
        dimension: Int = 320,
        maxPeriod: Float = 10_000,
        flipSinToCos: Bool = true,
        downscaleFreqShift: Float = 0
    ) throws -> Tensor {
        let half = dimension / 2
        let denominator = Float(half) - downscaleFreqShift
        guard half >= 1, denominator != 0 else {
            throw TensorError(
                .shapeMismatch,
                "timestep embedding of dimension \(dimension) with frequency shift \(downscaleFreqShift)"
                    + " has no frequencies"
            )
        }
        let negativeLogPeriod = Float(-log(Double(maxPeriod)))
        let frequencies = (0..<half).map { i in Float(exp(Double(negativeLogPeriod * Float(i) / denominator))) }
        var output = Tensor(zeros: [timesteps.count, dimension])
        output.withUnsafeMutableBufferPointer { buffer in
            for (row, t) in timesteps.enumerated() {
                let out = buffer.baseAddress! + row * dimension
                let (cosines, sines) = flipSinToCos ? (out, out + half) : (out + half, out)
                for i in 0..<half {
                    let angle = Double(t * frequencies[i])
                    cosines[i] = Float(cos(angle))
                    sines[i] = Float(sin(angle))
                }
            }
        }
        return output
    }
}

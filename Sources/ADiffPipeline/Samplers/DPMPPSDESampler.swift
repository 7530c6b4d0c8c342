import Foundation

/// "DPM++ SDE": the stochastic DPM-Solver++ with a midpoint evaluation (r = ½) and
/// Brownian-tree noise; the last step is Euler.
public struct DPMPPSDESampler: Sampler {
    public let name = "DPM++ SDE"
    public let defaultSchedule = SigmaSchedule.karras
    /// "Eta for k-diffusion samplers".
    public var eta: Float
    /// Scale of the added noise (`s_noise`).
    public var noiseScale: Float

    /// Creates the sampler.
    public init(eta: Float = 1, noiseScale: Float = 1) {
        self.eta = eta
        self.noiseScale = noiseScale
    }

    public func sample(
        _ x: [Float], sigmas: [Float], denoiser: inout some Denoiser, noise: SamplerNoise, onStep: (Int) throws -> Void
    ) throws -> [Float] {
        var x = x
        let r: Float = 0.5
        func sigmaAt(_ t: Float) -> Float { expf(-t) }
        func time(_ sigma: Float) -> Float { -logf(sigma) }
        for i in 0..<(sigmas.count - 1) {
            let denoised = try denoiser.denoise(x, sigma: sigmas[i])
            if sigmas[i + 1] == 0 {
                let d = LatentMath.derivative(x, denoised, sigma: sigmas[i])
                x = LatentMath.addScaled(x, d, sigmas[i + 1] - sigmas[i])
            } else {
                let t = time(sigmas[i])
                let tNext = time(sigmas[i + 1])
                let h = tNext - t
                let s = t + h * r
                let fac = 1 / (2 * r)

                let (down1, up1) = LatentMath.ancestralStep(from: sigmaAt(t), to: sigmaAt(s), eta: eta)
                let s1 = time(down1)
                let ratio1 = sigmaAt(s1) / sigmaAt(t)
                let factor1 = expm1f(t - s1)
                let bridge1 = noise.brownian(sigmaAt(t), sigmaAt(s))
                var x2 = (0..<x.count).map { ratio1 * x[$0] - factor1 * denoised[$0] }
                x2 = (0..<x.count).map { x2[$0] + bridge1[$0] * noiseScale * up1 }
                let denoised2 = try denoiser.denoise(x2, sigma: sigmaAt(s))

                let (down2, up2) = LatentMath.ancestralStep(from: sigmaAt(t), to: sigmaAt(tNext), eta: eta)
                let t2 = time(down2)
                let ratio2 = sigmaAt(t2) / sigmaAt(t)
                let factor2 = expm1f(t - t2)
                let mixed = (0..<x.count).map { (1 - fac) * denoised[$0] + fac * denoised2[$0] }
                let bridge2 = noise.brownian(sigmaAt(t), sigmaAt(tNext))
                x = (0..<x.count).map { ratio2 * x[$0] - factor2 * mixed[$0] + bridge2[$0] * noiseScale * up2 }
            }
            try onStep(i)
        }
        return x
    }
}

import Foundation

/// "DPM++ 2M": the multistep DPM-Solver++(2M) in log-σ time; first and last steps are
/// first order.
public struct DPMPP2MSampler: Sampler {
    public let name = "DPM++ 2M"
    public let defaultSchedule = SigmaSchedule.karras

    /// Creates the sampler.
    public init() {}

    public func sample(
        _ x: [Float], sigmas: [Float], denoiser: inout some Denoiser, noise: SamplerNoise, onStep: (Int) throws -> Void
    ) throws -> [Float] {
        var x = x
        var previous: [Float]?
        func time(_ sigma: Float) -> Float { -logf(sigma) }
        func sigmaAt(_ t: Float) -> Float { expf(-t) }
        for i in 0..<(sigmas.count - 1) {
            let denoised = try denoiser.denoise(x, sigma: sigmas[i])
            let t = time(sigmas[i])
            let tNext = time(sigmas[i + 1])
            let h = tNext - t
            let ratio = sigmaAt(tNext) / sigmaAt(t)
            let factor = -expm1f(-h)
            if let old = previous, sigmas[i + 1] != 0 {
                let r = (t - time(sigmas[i - 1])) / h
                let a = 1 + 1 / (2 * r)
                let b = 1 / (2 * r)
                x = (0..<x.count).map { ratio * x[$0] + factor * (a * denoised[$0] - b * old[$0]) }
            } else {
                x = (0..<x.count).map { ratio * x[$0] + factor * denoised[$0] }
            }
            previous = denoised
            try onStep(i)
        }
        return x
    }
}

/// A sampling algorithm under its WebUI name. Adding a sampler is one file: a type conforming
/// to this protocol, registered in ``SamplerCatalog``.
public protocol Sampler: Sendable {
    /// The WebUI name ("Euler a", "DPM++ 2M", …).
    var name: String { get }
    /// What "Automatic" means for this sampler.
    var defaultSchedule: SigmaSchedule { get }
    /// Runs `sigmas.count − 1` steps from `x` (already scaled to σ₀). `onStep(i)` is called
    /// after step i (0-based).
    func sample(
        _ x: [Float],
        sigmas: [Float],
        denoiser: inout some Denoiser,
        noise: SamplerNoise,
        onStep: (Int) throws -> Void
    ) throws -> [Float]
}

/// Element-wise helpers for sampler updates (latents are a few hundred thousand floats; the
/// UNet dominates, so plain loops are enough).
enum LatentMath {
    /// `(x − D) / σ`, k-diffusion's `to_d`.
    static func derivative(_ x: [Float], _ denoised: [Float], sigma: Float) -> [Float] {
        zip(x, denoised).map { ($0 - $1) / sigma }
    }

    /// `a + b · s`.
    static func addScaled(_ a: [Float], _ b: [Float], _ s: Float) -> [Float] {
        zip(a, b).map { $0 + $1 * s }
    }

    /// k-diffusion's `get_ancestral_step`: (σ_down, σ_up).
    static func ancestralStep(from sigma: Float, to next: Float, eta: Float) -> (down: Float, up: Float) {
        guard eta != 0 else { return (next, 0) }
        let up = min(next, eta * (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot())
        return ((next * next - up * up).squareRoot(), up)
    }
}

import Foundation

/// The discrete 1000-step diffusion schedule and k-diffusion's σ ↔ t maps over it
/// (a1111-compat §4.1–4.2).
///
/// `alphasCumprod` is kept in `Float` exactly as the WebUI stores it; σ and ln σ are computed
/// from it in `Float`, so the tables match torch bit for bit.
public struct NoiseSchedule: Sendable, Equatable {
    /// ᾱ_t for t = 0…999.
    public let alphasCumprod: [Float]
    /// σ_t = √((1 − ᾱ_t)/ᾱ_t), ascending.
    public let sigmas: [Float]
    /// ln σ_t.
    public let logSigmas: [Float]

    /// Builds the tables from ᾱ.
    public init(alphasCumprod: [Float]) {
        self.alphasCumprod = alphasCumprod
        sigmas = alphasCumprod.map { ((1 - $0) / $0).squareRoot() }
        logSigmas = sigmas.map { logf($0) }
    }

    /// ᾱ = cumprod(1 − β) accumulated in double and stored as float (ldm computes the whole
    /// product in float64; torch's CPU `cumprod` of float32 accumulates in double too).
    public init(betas: [Double]) {
        self.init(alphas: betas.map { 1 - $0 })
    }

    /// ᾱ = cumprod(α) accumulated in double, each partial product stored as float.
    public init(alphas: [Double]) {
        var product = 1.0
        self.init(alphasCumprod: alphas.map { alpha in
            product *= alpha
            return Float(product)
        })
    }

    /// SD1.5/SDXL's scaled-linear schedule as ldm builds it: `torch.linspace(√0.00085, √0.012,
    /// 1000, dtype=float64)²`, cumulative product in float64.
    public static let stableDiffusion = NoiseSchedule(betas: scaledLinearBetas(from: 0.00085, to: 0.012))

    /// The linear schedule AnimateDiff v1/v2/v3/AnimateLCM/HotShot modules were trained with;
    /// it replaces the model's schedule whenever such a module is active
    /// (animatediff-behaviour §2.2): σ_max ≈ 25.15 instead of 14.61. The extension builds it in
    /// float32: `torch.linspace(0.00085, 0.012, 1000)`, `1 − β` in float32.
    public static let animateDiffLinear = NoiseSchedule(
        alphas: FloatLinspace.values(0.00085, 0.012, count: 1000).map { Double(1 - $0) }
    )

    /// AnimateDiff-XL's scaled-linear schedule ending at 0.020.
    public static let animateDiffXL = NoiseSchedule(betas: scaledLinearBetas(from: 0.00085, to: 0.020))

    /// The same schedule with ᾱ rounded to fp16 first ("Downcast alphas_cumprod").
    public func downcastToHalf() -> NoiseSchedule {
        NoiseSchedule(alphasCumprod: alphasCumprod.map { Float(Float16($0)) })
    }

    /// Smallest σ in the table (σ_0).
    public var sigmaMin: Float { sigmas[0] }
    /// Largest σ in the table (σ_999).
    public var sigmaMax: Float { sigmas[sigmas.count - 1] }

    /// k-diffusion's continuous timestep for σ: linear interpolation in ln σ between the two
    /// bracketing table entries.
    public func timestep(forSigma sigma: Float) -> Float {
        let logSigma = logf(sigma)
        var low = 0
        for (index, value) in logSigmas.enumerated() where logSigma - value >= 0 { low = index }
        low = min(low, logSigmas.count - 2)
        let lowValue = logSigmas[low]
        let highValue = logSigmas[low + 1]
        let weight = min(max((lowValue - logSigma) / (lowValue - highValue), 0), 1)
        return (1 - weight) * Float(low) + weight * Float(low + 1)
    }

    /// σ at a continuous timestep: log-linear interpolation of the table.
    public func sigma(forTimestep t: Float) -> Float {
        let low = Int(t.rounded(.down))
        let high = Int(t.rounded(.up))
        let weight = t - t.rounded(.down)
        return expf((1 - weight) * logSigmas[low] + weight * logSigmas[high])
    }

    private static func scaledLinearBetas(from start: Double, to end: Double) -> [Double] {
        torchLinspace(start.squareRoot(), end.squareRoot(), count: 1000).map { $0 * $0 }
    }

    /// torch's float64 `linspace` (first half counted from `start`, second half from `end`).
    private static func torchLinspace(_ start: Double, _ end: Double, count: Int) -> [Double] {
        let step = (end - start) / Double(count - 1)
        let halfway = count / 2
        return (0..<count).map { i in
            i < halfway ? start + step * Double(i) : end - step * Double(count - i - 1)
        }
    }
}

/// A stream of standard-normal `Float`s, drawn in row-major order of the requested shape.
///
/// Each image (each frame, in AnimateDiff) owns one generator seeded with its own seed, as
/// the WebUI's `ImageRNG` does; successive calls continue the stream.
public protocol NoiseGenerator: Sendable {
    /// Draws `count` values.
    mutating func randn(count: Int) -> [Float]
}

/// The WebUI's "Random number generator source" option.
public enum NoiseSource: String, Sendable, Codable, CaseIterable {
    /// torch's CUDA generator; reproduced through the NV algorithm it shares for latent-sized
    /// draws (a1111-compat §5.2), which is the only portable choice.
    case gpu = "GPU"
    /// torch's CPU generator (MT19937).
    case cpu = "CPU"
    /// The WebUI's NV generator (Philox4x32-10 + Box–Muller in double precision).
    case nv = "NV"

    /// A fresh generator of this source seeded with `seed`.
    public func generator(seed: UInt64) -> any NoiseGenerator {
        switch self {
        case .gpu, .nv: PhiloxNormalGenerator(seed: seed)
        case .cpu: TorchCPUNormalGenerator(seed: seed)
        }
    }
}

/// The SDE samplers' noise: one ``BrownianTree`` per frame, seeded with the frame's seed,
/// spanning [smallest positive σ, largest σ] of the schedule, as the WebUI builds it
/// (k-diffusion's `BrownianTreeNoiseSampler` with its noise source swapped in).
public final class BrownianNoise {
    private let trees: [BrownianTree]

    /// Builds the trees.
    ///
    /// - Parameters:
    ///   - seeds: One seed per frame (the frames' own seeds, not shifted by ENSD).
    ///   - elementsPerFrame: Latent elements of one frame (4 · h · w).
    ///   - sigmas: The full schedule being sampled.
    ///   - source: The RNG whose fresh generators supply the tree's normals.
    public init(seeds: [UInt64], elementsPerFrame: Int, sigmas: [Float], source: NoiseSource) {
        let positive = sigmas.filter { $0 > 0 }
        let low = Double(positive.min() ?? 0)
        let high = Double(sigmas.max() ?? 1)
        trees = seeds.map { seed in
            BrownianTree(t0: low, t1: high, entropy: seed, count: elementsPerFrame) { nodeSeed in
                var generator = source.generator(seed: UInt64(nodeSeed))
                return generator.randn(count: elementsPerFrame)
            }
        }
    }

    /// Unit-variance noise for a step from σ down to σ′: `−W(σ′, σ) / √(σ − σ′)`, frames stacked.
    public func noise(from sigma: Float, to next: Float) -> [Float] {
        let low = min(sigma, next)
        let high = max(sigma, next)
        let sign: Float = sigma < next ? 1 : -1
        let scale = abs(next - sigma).squareRoot()
        return trees.flatMap { tree in
            tree.increment(from: Double(low), to: Double(high)).map { $0 * sign / scale }
        }
    }
}

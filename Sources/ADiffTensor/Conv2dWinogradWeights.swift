import CADiffKernels
import Synchronization

/// A 3×3 convolution's weights in the Winograd F(2×2, 3×3) domain, U = G·g·Gᵀ: 16 matrices
/// `[Cin, Cout]`, computed from ``Conv2dWeights/packed`` the first time a Winograd lowering
/// asks and kept for the life of this object.
///
/// Lazy because the automatic choice depends on the input size, known only at the call; most
/// convolutions never need the transform. A model layer keeps one of these for as long as the
/// model lives and hands it to every ``Conv2d`` it builds, so the transform (one pass over the
/// weights, 16/9 of their size written) runs once per layer, not once per call.
public final class Conv2dWinogradWeights: Sendable {
    private let transformed = Mutex<Tensor?>(nil)
    /// The bf16 copy of the transformed matrices, for bf16 products.
    let bfloat16 = BFloat16Weights()

    /// An empty cache; the first Winograd call fills it.
    public init() {}

    /// `[16, Cin, Cout]` for `weights`; the first caller computes it, concurrent callers wait
    /// for it. Every call must pass the same weights (the owning layer's).
    func matrices(of weights: Conv2dWeights) -> Tensor {
        transformed.withLock { cached in
            if let cached, cached.shape == [16, weights.inputChannels, weights.outputChannels] { return cached }
            let result = Self.transform(weights)
            cached = result
            return result
        }
    }

    /// Whether the transform has run (tests check which lowering the automatic choice took).
    public var isTransformed: Bool { transformed.withLock { $0 != nil } }

    private static func transform(_ weights: Conv2dWeights) -> Tensor {
        let (cin, cout) = (weights.inputChannels, weights.outputChannels)
        var u = Tensor(uninitialized: [16, cin, cout])
        u.withUnsafeMutableBufferPointer { u in
            weights.packed.withUnsafeBufferPointer { packed in
                let (u, packed) = (u.baseAddress!, packed.baseAddress!)
                Parallel.forEachChunk(count: cin, minimumChunk: max(1, 16_384 / cout)) { channels in
                    cadiff_winograd_f2_weights(packed, cin, cout, channels.lowerBound, channels.upperBound, u)
                }
            }
        }
        return u
    }
}

import CADiffKernels
import Synchronization

/// A 3×3 convolution's weights in the Winograd F(2×2, 3×3) domain, U = G·g·Gᵀ: 16 matrices
/// `[Cin, Cout]`, computed from ``Conv2dWeights/packed`` the first time a Winograd lowering
/// asks and kept for the life of the ``Conv2d`` value.
///
/// Lazy because the automatic choice depends on the input size, known only at the call; most
/// convolutions never need the transform. It costs one pass over the weights (16/9 of their
/// size written), parallel over input channels.
final class Conv2dWinogradWeights: Sendable {
    private let source: Conv2dWeights
    private let transformed = Mutex<Tensor?>(nil)

    init(_ source: Conv2dWeights) {
        self.source = source
    }

    /// `[16, Cin, Cout]`; the first caller computes it, concurrent callers wait for it.
    var matrices: Tensor {
        transformed.withLock { cached in
            if let cached { return cached }
            let result = Self.transform(source)
            cached = result
            return result
        }
    }

    /// Whether the transform has run (tests check which lowering the automatic choice took).
    var isTransformed: Bool { transformed.withLock { $0 != nil } }

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

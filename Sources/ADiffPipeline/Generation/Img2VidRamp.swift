import ADiffTensor
import Foundation

/// The extension's img2vid initial latents (animatediff-behaviour §6): every frame starts from
/// a blend of the encoded init image, optionally the encoded last frame, and fresh noise.
///
/// `α_i = max(0, 1 − i^power / scale)`; with a last frame `β_i = max(0, 1 − (L−1−i)^power_last /
/// scale_last)`, both normalised where `α + β > 1`, and the ends forced to the two images.
/// Two extension bugs are fixed: rows beyond the video (rendered when `video_length <
/// batch_size`) get ramp values too (the ramp continues; with a last frame they hold it)
/// instead of failing on a shape mismatch, and every video of a job blends from the unblended
/// encoded image instead of re-blending the previous video's result.
public struct Img2VidRamp: Sendable, Equatable {
    /// Weight of the init image per latent row.
    public let alpha: [Float]
    /// Weight of the last frame per latent row (all zero without one).
    public let beta: [Float]

    /// Computes the weights for `rows` latent rows of a `frameCount`-frame video.
    public init(
        frameCount: Int, rows: Int, latentPower: Double, latentScale: Double,
        last: (power: Double, scale: Double)? = nil
    ) {
        var alpha = (0..<rows).map { Float(max(0, 1 - Self.power(Double($0), latentPower) / latentScale)) }
        var beta = [Float](repeating: 0, count: rows)
        if let last {
            for i in 0..<rows {
                if i < frameCount {
                    beta[i] = Float(max(0, 1 - Self.power(Double(frameCount - 1 - i), last.power) / last.scale))
                    let sum = alpha[i] + beta[i]
                    if sum > 1 {
                        alpha[i] /= sum
                        beta[i] /= sum
                    }
                } else {
                    (alpha[i], beta[i]) = (0, 1)
                }
            }
            (alpha[0], beta[0]) = (1, 0)
            (alpha[frameCount - 1], beta[frameCount - 1]) = (0, 1)
        }
        self.alpha = alpha
        self.beta = beta
    }

    /// `α·init + β·last + (1 − α − β)·noise` per row; `initLatent` and `lastLatent` are one
    /// frame `[1, h, w, c]`, `noise` is `[rows, h, w, c]`.
    public func blend(initLatent: Tensor, lastLatent: Tensor?, noise: Tensor) throws -> Tensor {
        let frameSize = initLatent.count
        guard noise.count == frameSize * alpha.count, lastLatent.map({ $0.count == frameSize }) ?? true else {
            throw PipelineError(
                .modelFailure, "img2vid: latents \(initLatent.shape) do not match the noise \(noise.shape)")
        }
        let start = initLatent.scalars
        let end = lastLatent?.scalars
        var out = noise
        out.withUnsafeMutableBufferPointer { values in
            for row in alpha.indices {
                let a = alpha[row]
                let b = beta[row]
                let rest = 1 - a - b
                for i in 0..<frameSize {
                    let index = row * frameSize + i
                    values[index] = a * start[i] + b * (end?[i] ?? 0) + rest * values[index]
                }
            }
        }
        return out
    }

    /// Python's `pow` for the ramp (0^p = 0 for p > 0).
    private static func power(_ base: Double, _ exponent: Double) -> Double {
        base == 0 ? 0 : Foundation.pow(base, exponent)
    }
}

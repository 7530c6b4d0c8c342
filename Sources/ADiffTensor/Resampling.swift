/// Spatial resampling of NHWC images: the UNet/VAE nearest ×2 upsampling and the 2×2
/// average-pool downsampling (ldm's `Downsample` with `use_conv=False`).
public enum Resampling {
    /// Nearest-neighbour ×2 upsampling `[N, H, W, C] → [N, 2H, 2W, C]`
    /// (`F.interpolate(scale_factor=2, mode="nearest")`): output pixel (y, x) copies input
    /// pixel (y/2, x/2).
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` unless the input is rank 4.
    public static func upsampleNearest2x(_ input: Tensor) throws -> Tensor {
        let (n, h, w, c) = try nhwc(input, "upsampleNearest2x")
        var output = Tensor(uninitialized: [n, 2 * h, 2 * w, c])
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                let source = src.baseAddress!, destination = dst.baseAddress!
                let grain = max(1, Activation.parallelGrain / max(1, 4 * w * c))
                // One work item = one input row, which fills two output rows.
                Parallel.forEachChunk(count: n * h, minimumChunk: grain) { range in
                    for inputRow in range {
                        let inRow = source + inputRow * w * c
                        let outRow = destination + inputRow * 4 * w * c
                        for x in 0..<w {
                            let pixel = inRow + x * c
                            (outRow + 2 * x * c).update(from: pixel, count: c)
                            (outRow + (2 * x + 1) * c).update(from: pixel, count: c)
                        }
                        (outRow + 2 * w * c).update(from: outRow, count: 2 * w * c)
                    }
                }
            }
        }
        return output
    }

    /// 2×2 average pooling with stride 2, `[N, H, W, C] → [N, H/2, W/2, C]`
    /// (`F.avg_pool2d(kernel_size=2, stride=2)`: an odd last row or column is dropped, as
    /// PyTorch's floor mode does).
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` unless the input is rank 4.
    public static func averagePool2x2(_ input: Tensor) throws -> Tensor {
        let (n, h, w, c) = try nhwc(input, "averagePool2x2")
        let oh = h / 2, ow = w / 2
        var output = Tensor(uninitialized: [n, oh, ow, c])
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                let source = src.baseAddress!, destination = dst.baseAddress!
                let grain = max(1, Activation.parallelGrain / max(1, 4 * ow * c))
                Parallel.forEachChunk(count: n * oh, minimumChunk: grain) { range in
                    for outputRow in range {
                        let image = outputRow / oh, y = outputRow % oh
                        let top = source + ((image * h + 2 * y) * w) * c
                        let bottom = top + w * c
                        let out = destination + outputRow * ow * c
                        for x in 0..<ow {
                            let a = top + 2 * x * c, b = bottom + 2 * x * c, o = out + x * c
                            for k in 0..<c { o[k] = ((a[k] + a[c + k]) + (b[k] + b[c + k])) * 0.25 }
                        }
                    }
                }
            }
        }
        return output
    }

    private static func nhwc(_ tensor: Tensor, _ name: String) throws -> (Int, Int, Int, Int) {
        guard tensor.rank == 4 else {
            throw TensorError(.shapeMismatch, "\(name) needs an [N, H, W, C] tensor, got shape \(tensor.shape)")
        }
        return (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
    }
}

/// Convolution weights repacked once, at load, into the layout the NHWC kernels multiply by.
///
/// PyTorch stores `[Cout, Cin, kh, kw]`. The kernels want one `[Cin, Cout]` matrix per tap,
/// taps in row-major `(ky, kx)` order, stacked into `[kh·kw·Cin, Cout]`. That single matrix
/// serves both convolution strategies: row `(ky·kw + kx)·Cin + ci` is the im2col patch column
/// for tap `(ky, kx)` and channel `ci` (NHWC patches are tap-major with channels contiguous),
/// and rows `t·Cin ..< (t+1)·Cin` are tap `t`'s operand for the shifted-GEMM form.
public struct Conv2dWeights: Sendable {
    /// Output channels (`Cout`).
    public let outputChannels: Int
    /// Input channels (`Cin`).
    public let inputChannels: Int
    /// Kernel rows (`kh`).
    public let kernelHeight: Int
    /// Kernel columns (`kw`).
    public let kernelWidth: Int
    /// `[kh·kw·Cin, Cout]`, see the type's documentation.
    public let packed: Tensor
    /// `[Cout]`, if the convolution has a bias.
    public let bias: Tensor?

    /// Packs a PyTorch `[Cout, Cin, kh, kw]` weight and an optional `[Cout]` bias.
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when the weight is not rank 4 with non-zero
    ///   extents or the bias length differs from `Cout`.
    public init(oihw weight: Tensor, bias: Tensor? = nil) throws {
        guard weight.rank == 4, !weight.shape.contains(0) else {
            throw TensorError(.shapeMismatch, "conv weight must be [Cout, Cin, kh, kw], got \(weight.shape)")
        }
        let (cout, cin, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        if let bias, bias.count != cout {
            throw TensorError(.shapeMismatch, "conv bias has \(bias.count) elements for \(cout) output channels")
        }
        var packed = Tensor(uninitialized: [kh * kw * cin, cout])
        packed.withUnsafeMutableBufferPointer { dst in
            weight.withUnsafeBufferPointer { src in
                let taps = kh * kw
                for co in 0..<cout {
                    for ci in 0..<cin {
                        let from = src.baseAddress! + (co * cin + ci) * taps
                        for t in 0..<taps {
                            dst[(t * cin + ci) * cout + co] = from[t]
                        }
                    }
                }
            }
        }
        self.outputChannels = cout
        self.inputChannels = cin
        self.kernelHeight = kh
        self.kernelWidth = kw
        self.packed = packed
        self.bias = bias
    }
}

import Synchronization

/// Convolution weights in the layout the NHWC kernels multiply by, packed on first use.
///
/// PyTorch stores `[Cout, Cin, kh, kw]`. The kernels want one `[Cin, Cout]` matrix per tap,
/// taps in row-major `(ky, kx)` order, stacked into `[kh·kw·Cin, Cout]`. That single matrix
/// serves both convolution strategies: row `(ky·kw + kx)·Cin + ci` is the im2col patch column
/// for tap `(ky, kx)` and channel `ci` (NHWC patches are tap-major with channels contiguous),
/// and rows `t·Cin ..< (t+1)·Cin` are tap `t`'s operand for the shifted-GEMM form.
///
/// Packing waits for the first reader: a Winograd convolution whose layer kept its transform
/// never reads the packed matrix, and packing per call cost ~3 % of a UNet step.
public struct Conv2dWeights: Sendable {
    /// Output channels (`Cout`).
    public let outputChannels: Int
    /// Input channels (`Cin`).
    public let inputChannels: Int
    /// Kernel rows (`kh`).
    public let kernelHeight: Int
    /// Kernel columns (`kw`).
    public let kernelWidth: Int
    /// `[Cout]`, if the convolution has a bias.
    public let bias: Tensor?
    /// The weight as given, `[Cout, Cin, kh, kw]`.
    private let oihw: Tensor
    private let packing: Packing

    /// The packed matrix, made by the first reader and shared by copies of these weights.
    private final class Packing: Sendable {
        let packed = Mutex<Tensor?>(nil)
    }

    /// `[kh·kw·Cin, Cout]`, see the type's documentation.
    public var packed: Tensor {
        packing.packed.withLock { cached in
            if let cached { return cached }
            let result = pack()
            cached = result
            return result
        }
    }

    /// Whether the packed matrix has been made (tests check that a kept transform skips it).
    var isPacked: Bool { packing.packed.withLock { $0 != nil } }

    /// Weights from a PyTorch `[Cout, Cin, kh, kw]` weight and an optional `[Cout]` bias.
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
        self.outputChannels = cout
        self.inputChannels = cin
        self.kernelHeight = kh
        self.kernelWidth = kw
        self.bias = bias
        self.oihw = weight
        self.packing = Packing()
    }

    private func pack() -> Tensor {
        let (cout, cin, taps) = (outputChannels, inputChannels, kernelHeight * kernelWidth)
        var packed = Tensor(uninitialized: [taps * cin, cout])
        packed.withUnsafeMutableBufferPointer { dst in
            oihw.withUnsafeBufferPointer { src in
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
        return packed
    }
}

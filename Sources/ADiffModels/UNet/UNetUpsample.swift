import ADiffTensor

/// ldm's `Upsample` with `use_conv=True`: nearest-neighbour ×2, then a 3×3 convolution with
/// padding 1 (`conv`).
public struct UNetUpsample: Sendable {
    /// `conv`.
    public let conv: Conv2dLayer

    /// The upsampler under `scope` (e.g. `output_blocks.2.1`) for `channels` channels.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape`.
    public init(_ scope: ParameterScope, channels: Int) throws {
        conv = try Conv2dLayer(scope["conv"], padding: 1)
        try UNetShapeCheck.conv(conv, scope["conv"], input: channels, output: channels, kernel: 3)
    }

    /// `[N, H, W, C] → [N, 2H, 2W, C]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv(try Resampling.upsampleNearest2x(x))
    }
}

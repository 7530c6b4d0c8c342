import ADiffTensor

/// ldm's `Downsample` with `use_conv=True` (every SD UNet): a 3×3 convolution with stride 2
/// and padding 1 (`op`), halving height and width (rounding up).
public struct UNetDownsample: Sendable {
    /// `op`.
    public let conv: Conv2dLayer

    /// The downsampler under `scope` (e.g. `input_blocks.3.0`) for `channels` channels.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape`.
    public init(_ scope: ParameterScope, channels: Int) throws {
        conv = try Conv2dLayer(scope["op"], stride: 2, padding: 1)
        try UNetShapeCheck.conv(conv, scope["op"], input: channels, output: channels, kernel: 3)
    }

    /// `[N, H, W, C] → [N, ⌈H/2⌉, ⌈W/2⌉, C]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try conv(x) }
}

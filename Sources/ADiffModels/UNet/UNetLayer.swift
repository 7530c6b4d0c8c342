import ADiffTensor

/// One element of an ldm `TimestepEmbedSequential` block (`input_blocks.N`, `middle_block`,
/// `output_blocks.N`), in the order the block applies them.
public enum UNetLayer: Sendable {
    /// A ResBlock (reads the timestep embedding).
    case res(UNetResBlock)
    /// A spatial transformer (reads the text context).
    case transformer(SpatialTransformer)
    /// A stride-2 convolution.
    case downsample(UNetDownsample)
    /// Nearest ×2 and a convolution.
    case upsample(UNetUpsample)
    /// An AnimateDiff temporal module (attends across the frames of each video).
    case motion(MotionModule)
}

/// What every layer of one forward pass shares.
struct UNetForwardInputs {
    /// `SiLU(time_embed(t))`, `[N, timeEmbeddingDimension]`.
    let activatedEmbedding: Tensor
    /// `[N, T, contextDimension]`.
    let context: Tensor
    /// Consecutive samples whose ResBlock GroupNorm statistics are pooled.
    let normFrames: Int
    /// Frames of one video (motion modules attend across them).
    let framesPerVideo: Int
}

extension UNetLayer {
    /// Applies the layer to `x`.
    func callAsFunction(_ x: Tensor, _ inputs: UNetForwardInputs) throws -> Tensor {
        switch self {
        case .res(let block):
            try block(x, activatedEmbedding: inputs.activatedEmbedding, normFrames: inputs.normFrames)
        case .transformer(let transformer):
            try transformer(x, context: inputs.context)
        case .downsample(let downsample):
            try downsample(x)
        case .upsample(let upsample):
            try upsample(x)
        case .motion(let module):
            try module(x, framesPerVideo: inputs.framesPerVideo)
        }
    }
}

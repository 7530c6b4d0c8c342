import ADiffTensor

/// One AnimateDiff temporal module (`…motion_modules.{j}.temporal_transformer`): a residual
/// temporal transformer over the frames of each video (animatediff-behaviour.md §1.1).
///
/// `x + proj_out(blocks(proj_in(GroupNorm(x))))`, where the GroupNorm (32 groups, ε 1e-6) is
/// per frame, as in the original AnimateDiff and the extension (diffusers pools it over the
/// frames; reference-pitfalls.md), and each block attends along frames for every pixel.
/// Weights stay in their stored precision and are widened once per call.
public struct MotionModule: Sendable {
    /// The module's key prefix, e.g. `down_blocks.1.motion_modules.0.temporal_transformer`.
    public let name: String
    /// Channels of the activations it takes.
    public let channels: Int
    /// Attention heads (8 in every published module).
    public let heads: Int
    /// Most frames per video it accepts (its positional-table length).
    public let maximumFrames: Int

    let norm: NormLayer
    let projectionIn: LinearLayer
    let blocks: [TemporalTransformerBlock]
    let projectionOut: LinearLayer

    /// Floats the widest per-chunk intermediate (the feed-forward's `rows × 8C`) may take;
    /// pixels are processed in chunks so a 512² window does not allocate gigabytes.
    static let chunkFloats = 1 << 24

    /// Loads the module under `scope` (its `temporal_transformer.` prefix).
    ///
    /// - Parameters:
    ///   - maximumFrames: Frames per video it will accept.
    ///   - heads: Attention heads.
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape` for absent or misshapen
    ///   tensors, `.unsupportedArchitecture` for channels that 32 groups or `heads` do not
    ///   divide, irregular block numbering, or a tensor under the prefix the module does not use.
    public init(_ scope: ParameterScope, maximumFrames: Int, heads: Int = 8) throws {
        let origin = scope.parameters.origin
        guard let normShape = scope["norm"].shape("weight"), normShape.count == 1, let channels = normShape.first else {
            throw ModelError(.missingWeight, "\(origin): no vector '\(scope.key("norm.weight"))'")
        }
        guard channels > 0, channels % 32 == 0, heads > 0, channels % heads == 0, maximumFrames > 0 else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin): '\(scope.prefix)' has \(channels) channels; a motion module needs a multiple of 32 "
                    + "(GroupNorm groups) and of \(heads) heads")
        }
        var shapes = MotionModuleShapes()
        norm = try shapes.norm(scope["norm"], kind: .group(32), epsilon: 1e-6, channels: channels)
        projectionIn = try shapes.linear(scope["proj_in"], input: channels, output: channels, bias: true)
        projectionOut = try shapes.linear(scope["proj_out"], input: channels, output: channels, bias: true)
        let blockIndices = MotionModuleShapes.indices(under: scope["transformer_blocks"])
        guard !blockIndices.isEmpty, blockIndices == Array(0..<blockIndices.count) else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin): '\(scope.prefix)' has transformer blocks \(blockIndices); expected 0, 1, …")
        }
        blocks = try blockIndices.map {
            try TemporalTransformerBlock(scope["transformer_blocks"][$0], channels: channels, shapes: &shapes)
        }
        let unused = scope.parameters.names(withPrefix: scope.prefix).filter { !shapes.used.contains($0) }
        if let first = unused.first {
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin): unexpected tensor '\(first)'" + (unused.count > 1 ? " and \(unused.count - 1) more" : "")
                    + " in a motion module")
        }
        name = String(scope.prefix.dropLast())
        self.channels = channels
        self.heads = heads
        self.maximumFrames = maximumFrames
    }

    /// Applies the module to the frames of one or more videos.
    ///
    /// - Parameters:
    ///   - x: `[videos·frames, H, W, C]` (or `[videos·frames, tokens, C]`), channels last, the
    ///     frames of each video consecutive.
    ///   - framesPerVideo: Frames of one video (the context window length).
    /// - Returns: `x + module(x)`, same shape.
    /// - Throws: ``ModelError`` `.invalidInput` when the shape is not channels-last with
    ///   ``channels`` channels, the rows are not a whole number of videos, or `framesPerVideo`
    ///   exceeds ``maximumFrames``.
    public func callAsFunction(_ x: Tensor, framesPerVideo: Int) throws -> Tensor {
        try apply(x, framesPerVideo: framesPerVideo, chunkFloats: Self.chunkFloats)
    }

    /// ``callAsFunction(_:framesPerVideo:)`` with pixel chunks sized so the feed-forward's
    /// intermediate stays within `chunkFloats` (tests force small chunks).
    func apply(_ x: Tensor, framesPerVideo: Int, chunkFloats: Int) throws -> Tensor {
        try validate(x, framesPerVideo: framesPerVideo)
        let frames = framesPerVideo
        let rows = x.shape[0]
        let videos = rows / frames
        let positions = x.count / (rows * channels)
        let c = channels

        let normalised = try norm(x).reshaped([rows * positions, c])
        let projectionIn = try self.projectionIn.widened()
        let projectionOut = try self.projectionOut.widened()
        let blocks = try self.blocks.map { try $0.prepared() }
        let table = TemporalPositionalEncoding.table(frames: frames, channels: c)

        var output = x.reshaped([rows * positions, c])
        let chunk = min(positions, max(1, chunkFloats / (8 * c * rows)))
        var start = 0
        while start < positions {
            let count = min(chunk, positions - start)
            let input =
                count == positions
                ? normalised : gather(normalised, rows: rows, positions: positions, start: start, count: count)
            var hidden = try projectionIn(input)
            for block in blocks {
                try block.apply(
                    to: &hidden, videos: videos, frames: frames, positions: count, heads: heads, table: table)
            }
            let result = try projectionOut(hidden)
            scatterAdd(result, into: &output, rows: rows, positions: positions, start: start, count: count)
            start += count
        }
        return output.reshaped(x.shape)
    }

    /// Checks `x` and the frame count before any work.
    func validate(_ x: Tensor, framesPerVideo: Int) throws {
        guard framesPerVideo >= 1 else {
            throw ModelError(.invalidInput, "\(name): frames per video must be at least 1, got \(framesPerVideo)")
        }
        guard framesPerVideo <= maximumFrames else {
            throw ModelError(
                .invalidInput,
                "\(name): \(framesPerVideo) frames per video exceed this motion module's maximum of \(maximumFrames) "
                    + "(its positional-encoding length); use a context batch size of at most \(maximumFrames)")
        }
        guard x.rank == 3 || x.rank == 4, x.shape.last == channels, x.count > 0 else {
            throw ModelError(
                .invalidInput, "\(name): input has shape \(x.shape), expected [videos·frames, H, W, \(channels)]")
        }
        guard x.shape[0] % framesPerVideo == 0 else {
            throw ModelError(
                .invalidInput,
                "\(name): \(x.shape[0]) rows are not a whole number of \(framesPerVideo)-frame videos")
        }
    }

    /// Rows `start..<start+count` of every frame, as `[rows·count, C]` ordered (frame, position).
    private func gather(_ source: Tensor, rows: Int, positions: Int, start: Int, count: Int) -> Tensor {
        let c = channels
        var chunk = Tensor(uninitialized: [rows * count, c])
        chunk.withUnsafeMutableBufferPointer { destination in
            source.withUnsafeBufferPointer { source in
                for row in 0..<rows {
                    (destination.baseAddress! + row * count * c).update(
                        from: source.baseAddress! + (row * positions + start) * c, count: count * c)
                }
            }
        }
        return chunk
    }

    /// Adds the chunk result back onto its rows of `output`.
    private func scatterAdd(
        _ result: Tensor, into output: inout Tensor, rows: Int, positions: Int, start: Int, count: Int
    ) {
        let c = channels
        output.withUnsafeMutableBufferPointer { destination in
            result.withUnsafeBufferPointer { source in
                for row in 0..<rows {
                    let target = destination.baseAddress! + (row * positions + start) * c
                    let values = source.baseAddress! + row * count * c
                    for index in 0..<(count * c) { target[index] += values[index] }
                }
            }
        }
    }
}

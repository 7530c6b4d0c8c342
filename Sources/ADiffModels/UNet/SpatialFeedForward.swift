import ADiffTensor

/// The GEGLU feed-forward of a spatial transformer block (ldm `FeedForward(glu=True)`):
/// `ff.net.0.proj` projects C → 2·inner, the value half is gated by GELU of the gate half
/// (``GEGLU``), and `ff.net.2` projects inner → C (`ff.net.1` is an inactive dropout).
public struct SpatialFeedForward: Sendable {
    /// `net.0.proj`.
    public let projectionIn: LinearLayer
    /// `net.2`.
    public let projectionOut: LinearLayer

    /// The feed-forward under `scope` (`…transformer_blocks.N.ff`) for `channels`-wide rows.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape`.
    public init(_ scope: ParameterScope, channels: Int) throws {
        projectionIn = try LinearLayer(scope["net.0.proj"])
        projectionOut = try LinearLayer(scope["net.2"])
        let inner = projectionOut.inputFeatures
        try UNetShapeCheck.linear(projectionIn, scope["net.0.proj"], input: channels, output: 2 * inner)
        try UNetShapeCheck.linear(projectionOut, scope["net.2"], input: inner, output: channels)
    }

    /// Applies the feed-forward to the rows of `x` (`[…, channels]`) and adds the result to
    /// `residual` (same shape).
    public func apply(_ x: Tensor, addingTo residual: inout Tensor) throws {
        let gated = try GEGLU.apply(try projectionIn(x))
        let projection = try projectionOut.widened()
        let rows = gated.count / projectionOut.inputFeatures
        guard residual.count == rows * projectionOut.outputFeatures else {
            throw ModelError(.invalidInput, "feed-forward residual of shape \(residual.shape) for input \(x.shape)")
        }
        gated.withUnsafeBufferPointer { g in
            residual.withUnsafeMutableBufferPointer { r in
                projection.apply(
                    rows: rows, input: g.baseAddress!, inputStride: projectionOut.inputFeatures,
                    output: r.baseAddress!, outputStride: projectionOut.outputFeatures, accumulate: true)
            }
        }
    }
}

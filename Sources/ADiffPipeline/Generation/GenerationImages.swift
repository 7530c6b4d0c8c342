import ADiffTensor

/// The decoded images of an img2vid request, already resized to the request's size.
public struct GenerationImages: Sendable {
    /// The init image (`init_images[0]`), `[1, height, width, 3]` in [−1, 1].
    public var initImage: Tensor?
    /// The last frame (`animatediff.last_frame`), same layout.
    public var lastFrame: Tensor?

    /// Creates the inputs (none for txt2vid).
    public init(initImage: Tensor? = nil, lastFrame: Tensor? = nil) {
        self.initImage = initImage
        self.lastFrame = lastFrame
    }
}

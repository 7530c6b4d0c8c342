/// Frames of one video, all the same size, with the playback rate.
public struct FrameSequence: Sendable, Equatable {
    /// The frames in display order; never empty.
    public let frames: [Frame]
    /// Frames per second; positive.
    public let fps: Int

    /// Width shared by all frames.
    public var width: Int { frames[0].width }
    /// Height shared by all frames.
    public var height: Int { frames[0].height }
    /// Number of frames.
    public var count: Int { frames.count }

    /// Checks that there is at least one frame, all of one size, and that `fps` is positive.
    public init(frames: [Frame], fps: Int) throws(MediaError) {
        guard let first = frames.first else {
            throw MediaError(.invalidArgument, "a video needs at least one frame")
        }
        guard fps > 0, fps <= 1000 else {
            throw MediaError(.invalidArgument, "fps \(fps) must be in 1...1000")
        }
        for (index, frame) in frames.enumerated()
        where frame.width != first.width || frame.height != first.height {
            throw MediaError(
                .invalidArgument,
                "frame \(index) is \(frame.width)x\(frame.height), frame 0 is \(first.width)x\(first.height)"
            )
        }
        self.frames = frames
        self.fps = fps
    }

    /// Closed loop "A": the frames followed by the reversed frames without the first and the last
    /// (`0,1,…,L−1,L−2,…,1`, 2L−2 frames), so the video returns to its start when it loops.
    /// Sequences of one or two frames have no inner frames to append and come back unchanged.
    public func appendingReversed() -> FrameSequence {
        guard frames.count > 2 else { return self }
        let inner = frames[1..<(frames.count - 1)].reversed()
        // The frame list only grows and keeps its size and fps, so the checks above still hold.
        return FrameSequence(unchecked: frames + inner, fps: fps)
    }

    private init(unchecked frames: [Frame], fps: Int) {
        self.frames = frames
        self.fps = fps
    }
}

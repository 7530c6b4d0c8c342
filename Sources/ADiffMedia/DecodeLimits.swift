/// Caps applied while decoding client-supplied images and videos (reliability items D1–D5, D7).
///
/// Every cap is checked before the memory it guards is allocated: dimensions from the header
/// before a decoder opens, frame and byte counts before a frame is kept.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest accepted width or height.
    public var maximumDimension = 8192
    /// Largest accepted `width × height` (FFmpeg's `max_pixels` is set to the same value).
    public var maximumPixels = 4096 * 4096
    /// Most frames a video may yield.
    public var maximumFrames = 1024
    /// Longest accepted video, in seconds of presentation time.
    public var maximumDurationSeconds = 600.0
    /// Largest input file in bytes.
    public var maximumFileBytes = 512 << 20
    /// Largest total of decoded RGB bytes kept in memory.
    public var maximumOutputBytes = 1 << 30
    /// Wall-clock budget for one decode, checked by FFmpeg's interrupt callback and per packet.
    public var timeLimitSeconds = 60.0
    /// Most demuxed packets read, a bound on work for streams that yield no frames.
    public var maximumPackets = 200_000

    /// The defaults above.
    public init() {}

    func checkSize(_ width: Int, _ height: Int, _ name: String) throws(MediaError) {
        guard width > 0, height > 0 else {
            throw MediaError(.decodeFailed, "\(name): invalid dimensions \(width)x\(height)")
        }
        guard width <= maximumDimension, height <= maximumDimension else {
            throw MediaError(
                .limitExceeded, "\(name): \(width)x\(height) exceeds the \(maximumDimension)-pixel side limit")
        }
        guard width * height <= maximumPixels else {
            throw MediaError(
                .limitExceeded, "\(name): \(width)x\(height) exceeds the \(maximumPixels)-pixel area limit")
        }
    }
}

/// One RGB8 picture: `width × height × 3` bytes, rows top to bottom, no padding.
public struct Frame: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Interleaved R, G, B bytes, `width * 3` per row.
    public let pixels: [UInt8]

    /// Wraps a pixel buffer after checking that its length matches the size.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(MediaError) {
        guard width > 0, height > 0 else {
            throw MediaError(.invalidArgument, "frame size \(width)x\(height) must be positive")
        }
        let (area, overflowA) = width.multipliedReportingOverflow(by: height)
        let (bytes, overflowB) = area.multipliedReportingOverflow(by: 3)
        guard !overflowA, !overflowB, pixels.count == bytes else {
            throw MediaError(
                .invalidArgument,
                "frame \(width)x\(height) needs \(width)*\(height)*3 bytes, got \(pixels.count)"
            )
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Builds a frame from a pixel function; used by generators and tests.
    public init(width: Int, height: Int, pixel: (_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8)) throws(MediaError) {
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else {
            throw MediaError(.invalidArgument, "frame size \(width)x\(height) out of range")
        }
        var buffer = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                let i = (y * width + x) * 3
                buffer[i] = r
                buffer[i + 1] = g
                buffer[i + 2] = b
            }
        }
        try self.init(width: width, height: height, pixels: buffer)
    }
}

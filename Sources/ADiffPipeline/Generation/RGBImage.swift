import ADiffTensor

/// An 8-bit RGB frame, rows top to bottom, pixels interleaved.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width · height · 3` bytes.
    public let pixels: [UInt8]

    /// Wraps pixel bytes.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The WebUI's quantisation of a decoded frame `[1, H, W, 3]` in [−1, 1]:
    /// `floor(255 · clamp((x + 1) / 2, 0, 1))` (truncation, a1111-compat §7.6).
    public init(decoded image: Tensor) {
        height = image.shape[1]
        width = image.shape[2]
        pixels = image.withUnsafeBufferPointer { values in
            values.map { value in
                let unit = min(max((value + 1) / 2, 0), 1)
                return UInt8((255 * unit).rounded(.down))
            }
        }
    }

    /// The frame as `[1, H, W, 3]` in [−1, 1] (`x / 127.5 − 1`), as an init image is fed to the
    /// VAE encoder.
    public var normalized: Tensor {
        Tensor(shape: [1, height, width, 3], scalars: pixels.map { Float($0) / 127.5 - 1 })
    }
}

import ADiffTensor
import ADiffWeights

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SD KL autoencoder (ldm `AutoencoderKL`): latents to images and back, as the WebUI uses
/// it (a1111-compat.md §8). The architecture (levels, blocks, channels) is read from the keys
/// `encoder.*`, `decoder.*`, `quant_conv.*`, `post_quant_conv.*`: a checkpoint's
/// `first_stage_model.` tensors with that prefix removed, or a separate VAE file.
///
/// Images are channels-last `[N, H, W, 3]` in [−1, 1]; latents are the sampler's `[N, h, w, 4]`
/// (already multiplied by the scale factor). Frames are processed one at a time, so working
/// memory does not grow with N.
public struct VAEModel: Sendable {
    /// SD1.x's latent scale factor (`v1-inference.yaml`).
    public static let sd15ScaleFactor: Float = 0.18215
    /// SDXL's latent scale factor (`sd_xl_base.yaml`).
    public static let sdxlScaleFactor: Float = 0.13025

    /// Sampler latents are the autoencoder's latents times this.
    public let scaleFactor: Float
    /// Latent channels (4).
    public let latentChannels: Int
    /// Image channels (3).
    public let imageChannels: Int
    /// Image pixels per latent pixel along each axis (8 for SD).
    public let downscale: Int

    private let decoder: VAEDecoder
    private let postQuantConv: Conv2dLayer
    private let encoder: VAEEncoder?
    private let quantConv: Conv2dLayer?

    /// The autoencoder whose weights `parameters` holds. Without `encoder.*` weights the model
    /// can only decode (``canEncode`` is false).
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, `.weightShape` when the parts do not fit
    ///   together, `.unsupportedArchitecture` for a decoder without levels.
    public init(parameters: ModelParameters, scaleFactor: Float = VAEModel.sd15ScaleFactor) throws {
        let origin = parameters.origin
        guard scaleFactor.isFinite, scaleFactor > 0 else {
            throw ModelError(.invalidInput, "VAE scale factor \(scaleFactor) must be positive")
        }
        decoder = try VAEDecoder(parameters.scope("decoder"))
        postQuantConv = try Conv2dLayer(parameters.scope("post_quant_conv"), padding: 0)
        latentChannels = decoder.convIn.inputChannels
        imageChannels = decoder.convOut.outputChannels
        downscale = 1 << decoder.upsamplings
        guard postQuantConv.inputChannels == latentChannels, postQuantConv.outputChannels == latentChannels else {
            throw ModelError(.weightShape, "\(origin): post_quant_conv does not keep \(latentChannels) latent channels")
        }
        if parameters.scope("encoder").contains("conv_in.weight") {
            let encoder = try VAEEncoder(parameters.scope("encoder"))
            let quantConv = try Conv2dLayer(parameters.scope("quant_conv"), padding: 0)
            guard encoder.convIn.inputChannels == imageChannels, encoder.convOut.outputChannels == 2 * latentChannels,
                quantConv.inputChannels == 2 * latentChannels, quantConv.outputChannels == 2 * latentChannels
            else {
                throw ModelError(
                    .weightShape,
                    "\(origin): the encoder and quant_conv do not map \(imageChannels) image channels to 2×\(latentChannels) moments"
                )
            }
            guard encoder.downsamplings == decoder.upsamplings else {
                throw ModelError(
                    .weightShape,
                    "\(origin): the encoder halves the resolution \(encoder.downsamplings) times, the decoder doubles it \(decoder.upsamplings) times"
                )
            }
            self.encoder = encoder
            self.quantConv = quantConv
        } else {
            encoder = nil
            quantConv = nil
        }
        self.scaleFactor = scaleFactor
    }

    /// Whether the weights include the encoder.
    public var canEncode: Bool { encoder != nil }

    /// Decodes sampler latents `[N, h, w, latent]` into images `[N, h·f, w·f, 3]` (f =
    /// ``downscale``): `latents / scaleFactor`, `post_quant_conv`, the decoder, one frame at a time.
    ///
    /// - Parameters:
    ///   - clamped: Clamp to [−1, 1], as the WebUI does before mapping to [0, 1] (its
    ///     `clamp((x + 1) / 2, 0, 1)` is the same as clamping here). False returns the raw
    ///     decoder output.
    ///   - tiling: Decode frames larger than one tile tile by tile (see ``VAETiling``); nil
    ///     decodes every frame whole.
    /// - Throws: ``ModelError`` `.invalidInput` for a bad latent shape.
    public func decode(_ latents: Tensor, clamped: Bool = true, tiling: VAETiling? = nil) throws -> Tensor {
        let (frames, height, width) = try checkedLatents(latents)
        let frameSize = height * downscale * width * downscale * imageChannels
        var images = Tensor(uninitialized: [frames, height * downscale, width * downscale, imageChannels])
        try decodeFrames(latents, clamped: clamped, tiling: tiling) { index, image in
            image.withUnsafeBufferPointer { source in
                images.withUnsafeMutableBufferPointer { destination in
                    (destination.baseAddress! + index * frameSize).update(from: source.baseAddress!, count: frameSize)
                }
            }
        }
        return images
    }

    /// Decodes frame by frame like ``decode(_:clamped:tiling:)`` and hands each `[1, H, W, 3]`
    /// image to `body` as soon as it is ready, so a caller that writes frames out never holds
    /// them all.
    public func decodeFrames(
        _ latents: Tensor, clamped: Bool = true, tiling: VAETiling? = nil, _ body: (Int, Tensor) throws -> Void
    ) throws {
        let (frames, height, width) = try checkedLatents(latents)
        for index in 0..<frames {
            let latent = try latents.batchSlice(index..<(index + 1))
            var image: Tensor
            if let tiling, !tiling.fitsOneTile(height: height, width: width) {
                image = try decodeTiled(latent, tiling: tiling)
            } else {
                image = try decodeWhole(latent)
            }
            if clamped { Self.clamp(&image) }
            try body(index, image)
        }
    }

    /// Encodes images `[N, H, W, 3]` in [−1, 1] (the WebUI maps its [0, 1] pixels with `2x − 1`
    /// first) into sampler latents `[N, H/f, W/f, latent]`: encoder, `quant_conv`, then the mean,
    /// or `mean + exp(logvar / 2)·noise` with logvar clamped to [−30, 20] when `noise` is given,
    /// times ``scaleFactor``.
    ///
    /// The WebUI samples with noise from torch's global generator, whose state is not
    /// reproducible (a1111-compat.md §8.2); its std is about 1e-3 of the latents, so the mean is
    /// the closest reproducible choice.
    ///
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` without encoder weights,
    ///   `.invalidInput` for sizes that are not multiples of ``downscale`` or a noise shape
    ///   other than the latents'.
    public func encode(_ images: Tensor, noise: Tensor? = nil) throws -> Tensor {
        guard let encoder, let quantConv else {
            throw ModelError(.unsupportedArchitecture, "this VAE has no encoder weights")
        }
        guard images.rank == 4, images.shape[0] >= 1, images.shape[1] >= downscale, images.shape[2] >= downscale,
            images.shape[1] % downscale == 0, images.shape[2] % downscale == 0, images.shape[3] == imageChannels
        else {
            throw ModelError(
                .invalidInput,
                "VAE input must be [N, H, W, \(imageChannels)] with H and W multiples of \(downscale), got \(images.shape)"
            )
        }
        let (frames, height, width) = (images.shape[0], images.shape[1] / downscale, images.shape[2] / downscale)
        let latentShape = [frames, height, width, latentChannels]
        if let noise, noise.shape != latentShape {
            throw ModelError(.invalidInput, "VAE encode noise has shape \(noise.shape), expected \(latentShape)")
        }
        let plane = height * width
        var latents = Tensor(uninitialized: latentShape)
        for index in 0..<frames {
            let moments = try quantConv(try encoder(try images.batchSlice(index..<(index + 1))))
            let frameNoise = try noise?.batchSlice(index..<(index + 1)).scalars
            moments.withUnsafeBufferPointer { m in
                latents.withUnsafeMutableBufferPointer { out in
                    let z = latentChannels
                    for pixel in 0..<plane {
                        let source = pixel * 2 * z
                        let destination = (index * plane + pixel) * z
                        for channel in 0..<z {
                            var value = m[source + channel]
                            if let frameNoise {
                                let logVariance = min(max(m[source + z + channel], -30), 20)
                                value += exp(0.5 * logVariance) * frameNoise[pixel * z + channel]
                            }
                            out[destination + channel] = value * scaleFactor
                        }
                    }
                }
            }
        }
        return latents
    }

    private func checkedLatents(_ latents: Tensor) throws -> (frames: Int, height: Int, width: Int) {
        guard latents.rank == 4, latents.shape[0] >= 1, latents.shape[1] >= 1, latents.shape[2] >= 1,
            latents.shape[3] == latentChannels
        else {
            throw ModelError(.invalidInput, "VAE latents must be [N, h, w, \(latentChannels)], got \(latents.shape)")
        }
        return (latents.shape[0], latents.shape[1], latents.shape[2])
    }

    /// One frame's sampler latent `[1, h, w, latent]` → unclamped image.
    private func decodeWhole(_ latent: Tensor) throws -> Tensor {
        try decoder(try postQuantConv(Elementwise.scale(latent, by: 1 / scaleFactor)))
    }

    /// One frame decoded tile by tile and blended (see ``VAETiling``), unclamped.
    private func decodeTiled(_ latent: Tensor, tiling: VAETiling) throws -> Tensor {
        let (height, width, channels) = (latent.shape[1], latent.shape[2], latent.shape[3])
        let (imageHeight, imageWidth) = (height * downscale, width * downscale)
        let ramp = tiling.overlap * downscale
        var sum = [Float](repeating: 0, count: imageHeight * imageWidth * imageChannels)
        var weightSum = [Float](repeating: 0, count: imageHeight * imageWidth)
        let tileHeight = min(tiling.tileSize, height)
        let tileWidth = min(tiling.tileSize, width)
        let (rows, columns) = (tileHeight * downscale, tileWidth * downscale)
        for top in tiling.starts(extent: height) {
            for left in tiling.starts(extent: width) {
                var tile = Tensor(uninitialized: [1, tileHeight, tileWidth, channels])
                latent.withUnsafeBufferPointer { source in
                    tile.withUnsafeMutableBufferPointer { destination in
                        for row in 0..<tileHeight {
                            (destination.baseAddress! + row * tileWidth * channels).update(
                                from: source.baseAddress! + ((top + row) * width + left) * channels,
                                count: tileWidth * channels)
                        }
                    }
                }
                let image = try decodeWhole(tile)
                let rowWeights = (0..<rows).map {
                    VAETiling.weight(
                        $0, length: rows, ramp: ramp, fadeIn: top > 0, fadeOut: top + tileHeight < height)
                }
                let columnWeights = (0..<columns).map {
                    VAETiling.weight(
                        $0, length: columns, ramp: ramp, fadeIn: left > 0, fadeOut: left + tileWidth < width)
                }
                image.withUnsafeBufferPointer { pixels in
                    for row in 0..<rows {
                        for column in 0..<columns {
                            let weight = rowWeights[row] * columnWeights[column]
                            let target = (top * downscale + row) * imageWidth + left * downscale + column
                            weightSum[target] += weight
                            for channel in 0..<imageChannels {
                                sum[target * imageChannels + channel] +=
                                    weight * pixels[(row * columns + column) * imageChannels + channel]
                            }
                        }
                    }
                }
            }
        }
        for pixel in 0..<weightSum.count {
            for channel in 0..<imageChannels { sum[pixel * imageChannels + channel] /= weightSum[pixel] }
        }
        return Tensor(shape: [1, imageHeight, imageWidth, imageChannels], scalars: sum)
    }

    private static func clamp(_ image: inout Tensor) {
        image.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = min(max(values[index], -1), 1) }
        }
    }
}

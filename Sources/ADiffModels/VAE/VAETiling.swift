/// Tiled decoding of large frames: the latent is cut into overlapping square tiles, each tile
/// is decoded on its own, and the decoded tiles are blended with linear ramps across the
/// overlaps, so peak memory follows the tile size instead of the frame size.
///
/// Not equivalent to the untiled decode: the decoder's GroupNorm statistics and its mid-block
/// attention see only one tile, so colours and contrast can drift between tiles and the ramps
/// hide the seams rather than remove the difference. (The WebUI core has no tiled VAE; the
/// multidiffusion extension's "Tiled VAE" also estimates GroupNorm statistics over the whole
/// image, which this does not.) A frame no larger than one tile in both directions is decoded
/// whole, bit-identical to the untiled decode.
public struct VAETiling: Sendable, Equatable {
    /// Tile edge in latent pixels (64 latent pixels = 512 image pixels for SD).
    public let tileSize: Int
    /// Latent pixels shared by neighbouring tiles; the blend ramps span this many pixels.
    public let overlap: Int

    /// Creates tiling options.
    ///
    /// - Throws: ``ModelError`` `.invalidInput` unless `tileSize ≥ 1` and `0 ≤ overlap < tileSize`.
    public init(tileSize: Int = 64, overlap: Int = 8) throws {
        guard tileSize >= 1, overlap >= 0, overlap < tileSize else {
            throw ModelError(
                .invalidInput, "VAE tiling needs tile size ≥ 1 and 0 ≤ overlap < tile size, got \(tileSize), \(overlap)"
            )
        }
        self.tileSize = tileSize
        self.overlap = overlap
    }

    /// Whether a `height × width` latent fits in one tile.
    public func fitsOneTile(height: Int, width: Int) -> Bool {
        height <= tileSize && width <= tileSize
    }

    /// First latent row (or column) of each tile along an axis of `extent` pixels: steps of
    /// `tileSize − overlap`, the last tile moved back so that it ends at the edge.
    public func starts(extent: Int) -> [Int] {
        guard extent > tileSize else { return [0] }
        var starts: [Int] = []
        var start = 0
        while start + tileSize < extent {
            starts.append(start)
            start += tileSize - overlap
        }
        if starts.last != extent - tileSize { starts.append(extent - tileSize) }
        return starts
    }

    /// Blend weight of image pixel `index` of a tile `length` pixels long: ramps up over `ramp`
    /// pixels from an edge shared with a neighbour (`fadeIn` at the start, `fadeOut` at the end),
    /// 1 elsewhere and on image borders. Never 0, so every pixel has some weight.
    static func weight(_ index: Int, length: Int, ramp: Int, fadeIn: Bool, fadeOut: Bool) -> Float {
        guard ramp > 0 else { return 1 }
        var weight: Float = 1
        if fadeIn { weight = min(weight, (Float(index) + 0.5) / Float(ramp)) }
        if fadeOut { weight = min(weight, (Float(length - index) - 0.5) / Float(ramp)) }
        return weight
    }
}

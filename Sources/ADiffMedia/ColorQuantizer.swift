/// Median-cut palette generation and palette mapping (nearest colour, optional Floyd–Steinberg
/// dithering) for GIF output.
///
/// Colours are counted in a 5-bit-per-channel histogram that also keeps per-cell sums, so a
/// palette entry is the true mean of the pixels in its box, not a cell centre. Boxes are split
/// at the pixel-count median of their widest channel (range weighted by luminance sensitivity),
/// always the box with the largest `pixels × widest range` first.
public struct ColorQuantizer: Sendable {
    /// Palette entries as (r, g, b); at most `maximumColors`.
    public let palette: [(UInt8, UInt8, UInt8)]

    private static let bits = 5
    private static let cells = 1 << (3 * bits)

    /// Builds a palette of at most `maximumColors` (2...256) colours for the pixels of `frames`.
    public init(frames: [Frame], maximumColors: Int = 256) {
        var histogram = Histogram()
        for frame in frames { histogram.add(frame.pixels) }
        palette = Self.medianCut(histogram, maximumColors: max(2, min(256, maximumColors)))
    }

    /// Maps `frame` to palette indices, dithering the rounding error if asked.
    public func indices(for frame: Frame, dither: Bool) -> [UInt8] {
        var lookup = NearestLookup(palette: palette)
        let count = frame.width * frame.height
        var out = [UInt8](repeating: 0, count: count)
        if !dither {
            frame.pixels.withUnsafeBufferPointer { p in
                for i in 0..<count {
                    out[i] = lookup.nearest(Int(p[3 * i]), Int(p[3 * i + 1]), Int(p[3 * i + 2]))
                }
            }
            return out
        }
        // Error rows hold (r, g, b) in 1/16 units for the current and the next row.
        let width = frame.width
        var current = [Int32](repeating: 0, count: (width + 2) * 3)
        var next = current
        for y in 0..<frame.height {
            for x in 0..<width {
                let i = y * width + x
                func channel(_ c: Int) -> Int {
                    min(255, max(0, Int(frame.pixels[3 * i + c]) + Int((current[(x + 1) * 3 + c] + 8) >> 4)))
                }
                let rgb = (channel(0), channel(1), channel(2))
                let index = lookup.nearest(rgb.0, rgb.1, rgb.2)
                out[i] = index
                let chosen = palette[Int(index)]
                let errors = (Int32(rgb.0 - Int(chosen.0)), Int32(rgb.1 - Int(chosen.1)), Int32(rgb.2 - Int(chosen.2)))
                for c in 0..<3 {
                    let e = c == 0 ? errors.0 : c == 1 ? errors.1 : errors.2
                    current[(x + 2) * 3 + c] += e * 7
                    next[x * 3 + c] += e * 3
                    next[(x + 1) * 3 + c] += e * 5
                    next[(x + 2) * 3 + c] += e
                }
            }
            swap(&current, &next)
            for i in next.indices { next[i] = 0 }
        }
        return out
    }

    private struct Histogram {
        var count = [Int](repeating: 0, count: ColorQuantizer.cells)
        var sum = [Int](repeating: 0, count: ColorQuantizer.cells * 3)

        mutating func add(_ pixels: [UInt8]) {
            let shift = 8 - ColorQuantizer.bits
            pixels.withUnsafeBufferPointer { p in
                for i in stride(from: 0, to: p.count, by: 3) {
                    let r = Int(p[i])
                    let g = Int(p[i + 1])
                    let b = Int(p[i + 2])
                    let cell =
                        ((r >> shift) << (2 * ColorQuantizer.bits)) | ((g >> shift) << ColorQuantizer.bits)
                        | (b >> shift)
                    count[cell] += 1
                    sum[cell * 3] += r
                    sum[cell * 3 + 1] += g
                    sum[cell * 3 + 2] += b
                }
            }
        }
    }

    private struct Box {
        var cells: [Int]
        var pixels: Int
        var widestChannel = 0
        var score = 0
    }

    private static func channel(_ cell: Int, _ c: Int) -> Int {
        (cell >> ((2 - c) * bits)) & ((1 << bits) - 1)
    }

    private static func measure(_ box: inout Box, _ histogram: Histogram) {
        var low = [Int](repeating: Int.max, count: 3)
        var high = [Int](repeating: Int.min, count: 3)
        for cell in box.cells {
            for c in 0..<3 {
                let v = channel(cell, c)
                low[c] = min(low[c], v)
                high[c] = max(high[c], v)
            }
        }
        // Green errors are the most visible, blue the least (Rec. 601 luma weights, rounded).
        let weights = [3, 4, 2]
        let ranges = (0..<3).map { (high[$0] - low[$0]) * weights[$0] }
        box.widestChannel = ranges.indices.max { ranges[$0] < ranges[$1] } ?? 0
        box.score = box.cells.count > 1 ? box.pixels * (ranges[box.widestChannel] + 1) : 0
    }

    private static func medianCut(_ histogram: Histogram, maximumColors: Int) -> [(UInt8, UInt8, UInt8)] {
        let used = (0..<cells).filter { histogram.count[$0] > 0 }
        var boxes = [Box(cells: used, pixels: used.reduce(0) { $0 + histogram.count[$1] })]
        measure(&boxes[0], histogram)
        while boxes.count < maximumColors {
            guard let target = boxes.indices.max(by: { boxes[$0].score < boxes[$1].score }),
                boxes[target].score > 0
            else { break }
            let box = boxes[target]
            let c = box.widestChannel
            let sorted = box.cells.sorted { channel($0, c) < channel($1, c) }
            var running = 0
            var split = 1
            for (i, cell) in sorted.enumerated() {
                running += histogram.count[cell]
                if running * 2 >= box.pixels {
                    split = min(max(1, i + 1), sorted.count - 1)
                    break
                }
            }
            var left = Box(cells: Array(sorted[..<split]), pixels: 0)
            var right = Box(cells: Array(sorted[split...]), pixels: 0)
            left.pixels = left.cells.reduce(0) { $0 + histogram.count[$1] }
            right.pixels = box.pixels - left.pixels
            measure(&left, histogram)
            measure(&right, histogram)
            boxes[target] = left
            boxes.append(right)
        }
        return boxes.map { box in
            var total = (0, 0, 0)
            for cell in box.cells {
                total.0 += histogram.sum[cell * 3]
                total.1 += histogram.sum[cell * 3 + 1]
                total.2 += histogram.sum[cell * 3 + 2]
            }
            let n = max(1, box.pixels)
            return (UInt8((total.0 + n / 2) / n), UInt8((total.1 + n / 2) / n), UInt8((total.2 + n / 2) / n))
        }
    }

    /// Nearest palette entry by squared RGB distance, memoised per 6-bit-per-channel cell.
    private struct NearestLookup {
        let r: [Int32]
        let g: [Int32]
        let b: [Int32]
        var cache = [Int16](repeating: -1, count: 1 << 18)

        init(palette: [(UInt8, UInt8, UInt8)]) {
            r = palette.map { Int32($0.0) }
            g = palette.map { Int32($0.1) }
            b = palette.map { Int32($0.2) }
        }

        mutating func nearest(_ red: Int, _ green: Int, _ blue: Int) -> UInt8 {
            let key = ((red >> 2) << 12) | ((green >> 2) << 6) | (blue >> 2)
            if cache[key] >= 0 { return UInt8(cache[key]) }
            var best = 0
            var bestDistance = Int32.max
            let (x, y, z) = (Int32(red), Int32(green), Int32(blue))
            for i in 0..<r.count {
                let dr = r[i] - x
                let dg = g[i] - y
                let db = b[i] - z
                let d = dr * dr + dg * dg + db * db
                if d < bestDistance {
                    bestDistance = d
                    best = i
                }
            }
            cache[key] = Int16(best)
            return UInt8(best)
        }
    }
}

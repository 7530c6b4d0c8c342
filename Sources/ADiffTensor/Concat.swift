/// Concatenation of tensors along their first (batch) or last (channel) dimension.
public enum Concat {
    /// Joins tensors along the last dimension (the UNet's skip connections: `[N, H, W, Ca]`
    /// and `[N, H, W, Cb]` become `[N, H, W, Ca + Cb]`, channels of the first tensor first).
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when the list is empty, ranks differ, or any
    ///   dimension other than the last differs.
    public static func channels(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first, first.rank >= 1 else {
            throw TensorError(.shapeMismatch, "channel concat needs at least one tensor of rank ≥ 1")
        }
        let leading = Array(first.shape.dropLast())
        for (index, part) in parts.enumerated() where part.rank != first.rank || Array(part.shape.dropLast()) != leading
        {
            throw TensorError(
                .shapeMismatch,
                "channel concat: part \(index) has shape \(part.shape), expected \(leading) + [*]"
            )
        }
        let widths = parts.map { $0.shape[$0.rank - 1] }
        let total = widths.reduce(0, +)
        var output = Tensor(uninitialized: leading + [total])
        let rows = Tensor.elementCount(leading)
        guard total > 0, rows > 0 else { return output }
        output.withUnsafeMutableBufferPointer { dst in
            let destination = dst.baseAddress!
            var offset = 0
            for (part, width) in zip(parts, widths) {
                part.withUnsafeBufferPointer { src in
                    let source = src.baseAddress!
                    let grain = max(1, Activation.parallelGrain / max(1, width))
                    Parallel.forEachChunk(count: rows, minimumChunk: grain) { range in
                        for r in range {
                            (destination + r * total + offset).update(from: source + r * width, count: width)
                        }
                    }
                }
                offset += width
            }
        }
        return output
    }

    /// Joins tensors along the first dimension (stacking cond and uncond batches, or frames).
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when the list is empty, ranks differ, or any
    ///   dimension other than the first differs.
    public static func batch(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first, first.rank >= 1 else {
            throw TensorError(.shapeMismatch, "batch concat needs at least one tensor of rank ≥ 1")
        }
        let trailing = Array(first.shape.dropFirst())
        for (index, part) in parts.enumerated()
        where part.rank != first.rank || Array(part.shape.dropFirst()) != trailing {
            throw TensorError(
                .shapeMismatch, "batch concat: part \(index) has shape \(part.shape), expected [*] + \(trailing)"
            )
        }
        var output = Tensor(uninitialized: [parts.reduce(0) { $0 + $1.shape[0] }] + trailing)
        output.withUnsafeMutableBufferPointer { dst in
            var offset = 0
            for part in parts {
                part.withUnsafeBufferPointer { src in
                    (dst.baseAddress! + offset).update(from: src.baseAddress!, count: src.count)
                }
                offset += part.count
            }
        }
        return output
    }
}

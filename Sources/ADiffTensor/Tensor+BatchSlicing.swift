extension Tensor {
    /// A copy of samples `range` of the first dimension (one CFG half, one context window's
    /// frames), shape `[range.count] + shape[1...]`.
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` for a rank-0 tensor or a range outside
    ///   `0..<shape[0]`.
    public func batchSlice(_ range: Range<Int>) throws -> Tensor {
        guard rank >= 1, range.lowerBound >= 0, range.upperBound <= shape[0] else {
            throw TensorError(.shapeMismatch, "batch slice \(range) outside a tensor of shape \(shape)")
        }
        let sampleSize = shape[0] == 0 ? 0 : count / shape[0]
        var result = Tensor(uninitialized: [range.count] + shape.dropFirst())
        withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                dst.baseAddress!.update(
                    from: src.baseAddress! + range.lowerBound * sampleSize, count: range.count * sampleSize)
            }
        }
        return result
    }
}

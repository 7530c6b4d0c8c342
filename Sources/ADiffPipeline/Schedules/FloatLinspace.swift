/// torch's float32 `linspace` on the CPU: a float step, the first half counted up from
/// `start` and the second half down from `end` (so both end points are exact), each value one
/// fused multiply-add as torch's vectorised kernel computes it (bit-exact against torch 2.13).
enum FloatLinspace {
    static func values(_ start: Float, _ end: Float, count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (end - start) / Float(count - 1)
        let halfway = count / 2
        return (0..<count).map { index in
            index < halfway
                ? start.addingProduct(step, Float(index))
                : end.addingProduct(-step, Float(count - index - 1))
        }
    }
}

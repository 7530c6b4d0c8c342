import Foundation

/// The WebUI's "NV" noise: Philox4x32-10 counters turned into normals by Box–Muller in double
/// precision, rounded once to `Float` (a1111-compat §5.1). Bit-exact and portable.
///
/// Element `i` of call `k` uses counter `(k, 0, i, 0)` and key `(seed mod 2³², seed >> 32)`;
/// each call advances the offset by one.
public struct PhiloxNormalGenerator: NoiseGenerator {
    /// The 64-bit seed.
    public let seed: UInt64
    /// Calls made so far (the first counter word).
    public private(set) var offset: UInt32 = 0

    /// Creates a generator at offset 0.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// `float32(2.3283064e-10)`, which is exactly 2⁻³².
    private static let scaleU = Double(Float(2.3283064e-10))
    /// `float32(2.3283064e-10 · 6.2831855)`: the 2π-scaled step, rounded to float as the
    /// WebUI does.
    private static let scaleV = Double(Float(2.3283064e-10 * 6.2831855))

    /// Draws `count` normals and advances the offset.
    public mutating func randn(count: Int) -> [Float] {
        let key0 = UInt32(truncatingIfNeeded: seed)
        let key1 = UInt32(truncatingIfNeeded: seed >> 32)
        let callOffset = offset
        offset &+= 1
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                let (x, y) = PhiloxNormalGenerator.philox(
                    counter: (callOffset, 0, UInt32(truncatingIfNeeded: i), 0), key: (key0, key1)
                )
                let u = Double(x) * Self.scaleU + Self.scaleU / 2
                let v = Double(y) * Self.scaleV + Self.scaleV / 2
                buffer[i] = Float((-2.0 * log(u)).squareRoot() * sin(v))
            }
            initialized = count
        }
    }

    /// Ten Philox rounds; returns the first two output words (the others are unused).
    @inline(__always)
    static func philox(
        counter: (UInt32, UInt32, UInt32, UInt32),
        key: (UInt32, UInt32)
    ) -> (UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            let p0 = UInt64(c0) &* 0xD251_1F53
            let p1 = UInt64(c2) &* 0xCD9E_8D57
            (c0, c1, c2, c3) = (
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0,
                UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1,
                UInt32(truncatingIfNeeded: p0)
            )
            if round < 9 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
        }
        return (c0, c1)
    }
}

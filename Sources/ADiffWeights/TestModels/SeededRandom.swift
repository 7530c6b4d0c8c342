#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A counter-based random source for generated weights: element `i` of a stream is a pure
/// function of `(seed, stream name, i)`.
///
/// The generator is SplitMix64's output function applied to `key + (i + 1)·γ`, so every tensor
/// is independent of the order in which tensors are generated, chunks can be filled in
/// parallel, and the same seed always gives the same bytes.
public struct SeededRandom: Sendable, Equatable {
    /// The stream key, derived from the seed and the stream name.
    public let key: UInt64

    private static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// A stream for `name` (normally the tensor name) under `seed`.
    public init(seed: UInt64, stream name: String) {
        // FNV-1a over the name's UTF-8 separates streams; the mix spreads nearby seeds.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        key = Self.mix(seed ^ Self.mix(hash))
    }

    /// A stream with an explicit key: element `i` is SplitMix64's `i+1`-th output for state `key`.
    public init(key: UInt64) {
        self.key = key
    }

    /// SplitMix64's finaliser (Stafford variant 13).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits for element `index`.
    public func bits(at index: Int) -> UInt64 {
        Self.mix(key &+ (UInt64(truncatingIfNeeded: index) &+ 1) &* Self.gamma)
    }

    /// A uniform value in `[0, 1)` with 24 random bits (every value is an exact `Float`).
    public func unit(at index: Int) -> Float {
        Float(bits(at: index) >> 40) * 0x1p-24
    }

    /// Fills `buffer` with elements `offset ..< offset + buffer.count` of U(−bound, bound).
    public func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, offset: Int = 0, bound: Float) {
        for index in buffer.indices { buffer[index] = (2 * unit(at: offset + index) - 1) * bound }
    }

    /// Fills `buffer` with N(0, σ²) by Box–Muller over pairs of elements (computed in
    /// `Double`, so the values do not depend on `Float` transcendental accuracy).
    public func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, standardDeviation: Float) {
        var index = 0
        while index < buffer.count {
            let pair = index / 2
            // u1 in (0, 1] keeps the logarithm finite.
            let u1 = (Double(bits(at: 2 * pair) >> 11) + 1) * 0x1p-53
            let u2 = Double(bits(at: 2 * pair + 1) >> 11) * 0x1p-53
            let radius = (-2 * log(u1)).squareRoot() * Double(standardDeviation)
            buffer[index] = Float(radius * cos(2 * Double.pi * u2))
            if index + 1 < buffer.count { buffer[index + 1] = Float(radius * sin(2 * Double.pi * u2)) }
            index += 2
        }
    }
}

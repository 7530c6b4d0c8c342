import Foundation

/// torch's CPU `randn` for a contiguous float32 tensor (a1111-compat §5.3).
///
/// For 16 or more values: fill with float uniforms `(u32 & 0xFFFFFF)·2⁻²⁴`, Box–Muller each
/// full block of 16 in float32 (pairs j and j+8), and if the count is not a multiple of 16,
/// redraw the last 16 slots from fresh uniforms and transform them again. Fewer than 16
/// values use double-precision normals with a cached second value that persists across calls.
/// torch's vectorised log/sincos differ from libm by a few ULP, so CPU noise matches torch to
/// ≤ a few ULP, not bit for bit (the spec documents that this is true within PyTorch too).
public struct TorchCPUNormalGenerator: NoiseGenerator {
    private var twister: MersenneTwister
    private var cachedNormal: Double?

    /// Creates a generator as `torch.manual_seed(seed)` would.
    public init(seed: UInt64) {
        twister = MersenneTwister(seed: seed)
    }

    /// Draws `count` normals.
    public mutating func randn(count: Int) -> [Float] {
        guard count >= 16 else { return (0..<count).map { _ in Float(nextDoubleNormal()) } }
        var values = (0..<count).map { _ in nextFloatUniform() }
        var start = 0
        while start + 16 <= count {
            Self.boxMuller16(&values, at: start)
            start += 16
        }
        if count % 16 != 0 {
            for i in (count - 16)..<count { values[i] = nextFloatUniform() }
            Self.boxMuller16(&values, at: count - 16)
        }
        return values
    }

    private mutating func nextFloatUniform() -> Float {
        Float(twister.next32() & 0xFF_FFFF) * 0x1p-24
    }

    private mutating func nextDoubleUniform() -> Double {
        Double(twister.next64() & ((1 << 53) - 1)) * 0x1p-53
    }

    private mutating func nextDoubleNormal() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        let u1 = nextDoubleUniform()
        let u2 = nextDoubleUniform()
        let radius = (-2 * log1p(-u2)).squareRoot()
        let theta = 2 * Double.pi * u1
        cachedNormal = radius * sin(theta)
        return radius * cos(theta)
    }

    private static func boxMuller16(_ values: inout [Float], at start: Int) {
        let twoPi = Float(2 * Double.pi)
        for j in 0..<8 {
            let u1 = 1 - values[start + j]
            let u2 = values[start + j + 8]
            let radius = (-2 * logf(u1)).squareRoot()
            let theta = twoPi * u2
            values[start + j] = radius * cosf(theta)
            values[start + j + 8] = radius * sinf(theta)
        }
    }
}

/// numpy's `SeedSequence` (uint32 output), which torchsde's Brownian tree uses to derive the
/// seed of every node (a1111-compat §5.6).
public struct SeedSequence: Sendable {
    private static let initA: UInt32 = 0x43B0_D7E5
    private static let multA: UInt32 = 0x931E_8875
    private static let initB: UInt32 = 0x8B51_F9DD
    private static let multB: UInt32 = 0x58F3_8DED
    private static let mixL: UInt32 = 0xCA01_F9DD
    private static let mixR: UInt32 = 0x4973_F715

    private let pool: [UInt32]

    /// Mixes `entropy` and the optional `spawnKey` into a pool of `poolSize` words.
    public init(entropy: UInt64, spawnKey: [UInt64] = [], poolSize: Int = 4) {
        var words = Self.words(entropy)
        if !spawnKey.isEmpty && words.count < poolSize {
            words += [UInt32](repeating: 0, count: poolSize - words.count)
        }
        for key in spawnKey { words += Self.words(key) }

        var hashConstant = Self.initA
        func hashmix(_ input: UInt32) -> UInt32 {
            var value = input ^ hashConstant
            hashConstant = hashConstant &* Self.multA
            value = value &* hashConstant
            return value ^ (value >> 16)
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let result = Self.mixL &* x &- Self.mixR &* y
            return result ^ (result >> 16)
        }

        var pool = (0..<poolSize).map { hashmix($0 < words.count ? words[$0] : 0) }
        for source in 0..<poolSize {
            for destination in 0..<poolSize where source != destination {
                pool[destination] = mix(pool[destination], hashmix(pool[source]))
            }
        }
        if words.count > poolSize {
            for word in words[poolSize...] {
                for destination in 0..<poolSize {
                    pool[destination] = mix(pool[destination], hashmix(word))
                }
            }
        }
        self.pool = pool
    }

    /// The first `count` words of the generated state (`generate_state(count)`).
    public func state(_ count: Int) -> [UInt32] {
        var hashConstant = Self.initB
        return (0..<count).map { i in
            var value = pool[i % pool.count] ^ hashConstant
            hashConstant = hashConstant &* Self.multB
            value = value &* hashConstant
            return value ^ (value >> 16)
        }
    }

    /// An integer as 32-bit little-endian words (0 → [0]).
    private static func words(_ value: UInt64) -> [UInt32] {
        let low = UInt32(truncatingIfNeeded: value)
        let high = UInt32(truncatingIfNeeded: value >> 32)
        return high == 0 ? [low] : [low, high]
    }
}

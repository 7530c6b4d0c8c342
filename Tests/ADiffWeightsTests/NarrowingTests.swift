import ADiffTensor
import Foundation
import Testing

@testable import ADiffWeights

/// Reference rounding done in Double from first principles: the nearest representable value
/// by explicit search, ties broken towards the even bit pattern.
private enum ReferenceRounding {
    /// Non-negative finite fp16 values in bit-pattern order, plus 65536 standing for the
    /// overflow neighbour of 65504 (Inf under RNE).
    static let halfTable: [Double] = (0..<0x7C01).map { bits in
        let exponent = bits >> 10
        let mantissa = Double(bits & 0x3FF)
        if exponent == 0 { return mantissa * pow(2, -24) }
        return (1 + mantissa / 1024) * pow(2, Double(exponent - 15))
    }

    static func half(_ value: Float) -> UInt16 {
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        let magnitude = abs(Double(value))
        if magnitude.isInfinite { return sign | 0x7C00 }
        var low = 0
        var high = halfTable.count - 1
        if magnitude >= halfTable[high] { return sign | 0x7C00 }
        while high - low > 1 {
            let middle = (low + high) / 2
            if halfTable[middle] <= magnitude { low = middle } else { high = middle }
        }
        let below = magnitude - halfTable[low]
        let above = halfTable[high] - magnitude
        let pick = below < above ? low : (above < below ? high : (low % 2 == 0 ? low : high))
        return sign | UInt16(pick)
    }

    static func bfloat16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let truncated = bits >> 16
        func decode(_ pattern: UInt32) -> Double {
            // 0x7F80 / 0xFF80 is where RNE overflows to: compare against ±2^128.
            if pattern & 0x7FFF == 0x7F80 { return (pattern & 0x8000 != 0 ? -1 : 1) * pow(2, 128) }
            return Double(Float(bitPattern: pattern << 16))
        }
        let exact = Double(value)
        let a = decode(truncated)
        if a == exact { return UInt16(truncated) }
        let b = decode(truncated + 1)
        let da = abs(exact - a)
        let db = abs(exact - b)
        if da < db { return UInt16(truncated) }
        if db < da { return UInt16(truncated + 1) }
        return UInt16(truncated % 2 == 0 ? truncated : truncated + 1)
    }
}

/// Deterministic test inputs (xorshift64*).
private struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}

@Suite struct NarrowingTests {
    @Test func everyHalfValueRoundTripsExactly() {
        var mismatches = 0
        for bits in 0...UInt16.max {
            let value = DTypeConversion.float(fromHalfBits: bits)
            let back = Narrowing.halfBits(value)
            if value.isNaN {
                if back & 0x7C00 != 0x7C00 || back & 0x03FF == 0 { mismatches += 1 }
            } else if back != bits {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test func everyBFloat16ValueRoundTripsExactly() {
        var mismatches = 0
        for bits in 0...UInt16.max {
            let value = DTypeConversion.float(fromBFloat16Bits: bits)
            let back = Narrowing.bfloat16Bits(value)
            if value.isNaN ? !DTypeConversion.float(fromBFloat16Bits: back).isNaN : back != bits { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func knownVectors() {
        let half: [(Float, UInt16)] = [
            (1, 0x3C00), (-2, 0xC000), (0.1, 0x2E66), (65504, 0x7BFF), (65519.996, 0x7BFF), (65520, 0x7C00),
            (1e10, 0x7C00), (-.infinity, 0xFC00), (0x1p-24, 0x0001), (0x1p-25, 0x0000), (0x1.8p-25, 0x0001),
            (0x1.8p-24, 0x0002), (0x1p-14, 0x0400), (0x1.ffcp-15, 0x0400), (-0.0, 0x8000), (1 + 0x1p-11, 0x3C00),
            (1 + 0x1.8p-10, 0x3C02),
        ]
        for (value, bits) in half { #expect(Narrowing.halfBits(value) == bits, "fp16 of \(value)") }
        let bf16: [(Float, UInt16)] = [
            (1, 0x3F80), (-1, 0xBF80), (.greatestFiniteMagnitude, 0x7F80), (1 + 0x1p-8, 0x3F80), (1 + 0x1.8p-8, 0x3F81),
            (1 + 0x1.8p-7, 0x3F82),
            (.infinity, 0x7F80), (0x1p-149, 0x0000), (0x1p-133, 0x0001),
        ]
        for (value, bits) in bf16 { #expect(Narrowing.bfloat16Bits(value) == bits, "bf16 of \(value)") }
        #expect(Narrowing.halfBits(.nan) & 0x7FFF > 0x7C00)
        #expect(Narrowing.bfloat16Bits(-.nan) & 0x7FFF > 0x7F80)
        #expect(Narrowing.bfloat16Bits(Float(bitPattern: 0x7F80_0001)) & 0x7FFF > 0x7F80)
    }

    @Test func randomFloatsMatchTheDoubleReference() {
        var random = TestRandom(state: 0x9E37_79B9_7F4A_7C15)
        var halfMismatches = 0
        var bf16Mismatches = 0
        var tested = 0
        for round in 0..<400_000 {
            let raw = UInt32(truncatingIfNeeded: random.next() >> 32)
            // Half of the inputs anywhere in Float, half concentrated on fp16's range and its
            // edges (exponents 2^-27 … 2^17), where rounding decisions are interesting.
            let value: Float
            if round % 2 == 0 {
                value = Float(bitPattern: raw)
            } else {
                let exponent = UInt32(127 - 27) + raw % 45
                value = Float(
                    bitPattern: (raw & 0x8000_0000) | (exponent << 23)
                        | (UInt32(truncatingIfNeeded: random.next()) & 0x7F_FFFF))
            }
            if value.isNaN { continue }
            tested += 1
            if Narrowing.halfBits(value) != ReferenceRounding.half(value) { halfMismatches += 1 }
            if Narrowing.bfloat16Bits(value) != ReferenceRounding.bfloat16(value) { bf16Mismatches += 1 }
        }
        #expect(tested > 390_000)
        #expect(halfMismatches == 0)
        #expect(bf16Mismatches == 0)
    }

    @Test func exactTiesRoundToEven() {
        // Every midpoint between adjacent positive fp16 values is exactly representable in
        // Float; each must go to the neighbour with the even bit pattern.
        var mismatches = 0
        for bits in 0..<0x7BFF {
            let low = Double(DTypeConversion.float(fromHalfBits: UInt16(bits)))
            let high = Double(DTypeConversion.float(fromHalfBits: UInt16(bits + 1)))
            let middle = Float((low + high) / 2)
            let expected = UInt16(bits % 2 == 0 ? bits : bits + 1)
            if Narrowing.halfBits(middle) != expected || Narrowing.halfBits(-middle) != expected | 0x8000 {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test func bytesAreLittleEndianAndRejectOtherTypes() throws {
        #expect(try Narrowing.bytes(of: [1, -2], as: .float16) == [0x00, 0x3C, 0x00, 0xC0])
        #expect(try Narrowing.bytes(of: [1], as: .bfloat16) == [0x80, 0x3F])
        #expect(try Narrowing.bytes(of: [1], as: .float32) == [0x00, 0x00, 0x80, 0x3F])
        #expect(throws: WeightsError.self) { try Narrowing.bytes(of: [1], as: .int8) }
    }
}

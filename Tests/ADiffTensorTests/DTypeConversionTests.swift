import Foundation
import Testing
@testable import ADiffTensor

/// `DTypeConversion.widen` is exact for every fp16, bf16, fp8 E4M3FN and fp8 E5M2 bit
/// pattern, checked against an independent decoder that rebuilds each value from sign,
/// exponent and mantissa in Double arithmetic. Finite values and infinities must match bit for
/// bit (±0 included); NaNs must be NaN with the right sign and, where the format has an IEEE
/// counterpart, the stored payload moved to the top of the Float mantissa.
@Suite struct DTypeConversionTests {
    /// The expected Float for a pattern, or the expected NaN bits (nil payload: any NaN of
    /// that sign).
    enum Expected {
        case value(Float)
        case nan(negative: Bool, bits: UInt32?)
    }

    /// Decodes a binary float with `exponentBits`/`mantissaBits`; `ieeeSpecials` selects IEEE
    /// Inf/NaN at the top exponent, otherwise E4M3FN's only-all-ones-is-NaN rule.
    static func decode(_ pattern: UInt32, exponentBits: Int, mantissaBits: Int, ieeeSpecials: Bool) -> Expected {
        let negative = (pattern >> (exponentBits + mantissaBits)) & 1 == 1
        let exponent = Int((pattern >> mantissaBits) & ((1 << exponentBits) - 1))
        let mantissa = Int(pattern & ((1 << mantissaBits) - 1))
        let bias = (1 << (exponentBits - 1)) - 1
        let topExponent = (1 << exponentBits) - 1
        let sign: Double = negative ? -1 : 1
        if ieeeSpecials, exponent == topExponent {
            if mantissa == 0 { return .value(Float(sign * .infinity)) }
            let payload = UInt32(mantissa) << (23 - mantissaBits)
            return .nan(negative: negative, bits: (negative ? 0x8000_0000 : 0) | 0x7F80_0000 | payload)
        }
        if !ieeeSpecials, exponent == topExponent, mantissa == (1 << mantissaBits) - 1 {
            return .nan(negative: negative, bits: nil)
        }
        let fraction = Double(mantissa) / Double(1 << mantissaBits)
        let magnitude =
            exponent == 0
            ? fraction * pow(2.0, Double(1 - bias))
            : (1 + fraction) * pow(2.0, Double(exponent - bias))
        return .value(Float(sign * magnitude))
    }

    static func matches(_ actual: Float, _ expected: Expected) -> Bool {
        switch expected {
        case .value(let v):
            return actual.bitPattern == v.bitPattern
        case .nan(let negative, let bits):
            guard actual.isNaN, (actual.sign == .minus) == negative else { return false }
            return bits.map { actual.bitPattern == $0 } ?? true
        }
    }

    struct Format: Sendable, CustomTestStringConvertible {
        let dtype: DType
        let exponentBits: Int
        let mantissaBits: Int
        let ieeeSpecials: Bool
        var patternCount: Int { 1 << (1 + exponentBits + mantissaBits) }
        var testDescription: String { dtype.rawValue }
    }

    static let formats = [
        Format(dtype: .float16, exponentBits: 5, mantissaBits: 10, ieeeSpecials: true),
        Format(dtype: .bfloat16, exponentBits: 8, mantissaBits: 7, ieeeSpecials: true),
        Format(dtype: .float8E4M3, exponentBits: 4, mantissaBits: 3, ieeeSpecials: false),
        Format(dtype: .float8E5M2, exponentBits: 5, mantissaBits: 2, ieeeSpecials: true),
    ]

    /// Little-endian bytes of `patterns` in `format`, preceded by `offset` junk bytes.
    static func bytes(_ patterns: [UInt32], _ format: Format, offset: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0xA5, count: offset)
        for p in patterns {
            out.append(UInt8(p & 0xFF))
            if format.dtype.byteSize == 2 { out.append(UInt8(p >> 8)) }
        }
        return out
    }

    static func widen(_ bytes: [UInt8], offset: Int, count: Int, dtype: DType) throws -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        try bytes.withUnsafeBytes { raw in
            try out.withUnsafeMutableBufferPointer { dst in
                try DTypeConversion.widen(UnsafeRawBufferPointer(rebasing: raw[offset...]), dtype: dtype, into: dst)
            }
        }
        return out
    }

    /// Every pattern, in buffers of several lengths (multiples of 16 and not, longer than one
    /// parallel chunk and not) starting at aligned and unaligned byte offsets.
    @Test(arguments: formats)
    func everyBitPatternWidensExactly(_ format: Format) throws {
        let all = (0..<UInt32(format.patternCount)).map { $0 }
        let expected = all.map {
            Self.decode(
                $0, exponentBits: format.exponentBits, mantissaBits: format.mantissaBits,
                ieeeSpecials: format.ieeeSpecials)
        }
        // All patterns three times plus 5 (crosses the 65,536-element parallel grain at a
        // boundary that is not a multiple of 16), and short odd lengths.
        let repeated = Array(repeating: all, count: 3).flatMap { $0 } + all.prefix(5)
        let lengths = [repeated.count, format.patternCount - 1, 17, 15, 1]
        var failures: [String] = []
        for offset in [0, 1, 2, 3] {
            for length in lengths {
                let patterns = Array(repeated.prefix(length))
                let result = try Self.widen(
                    Self.bytes(patterns, format, offset: offset), offset: offset, count: length, dtype: format.dtype)
                for (i, p) in patterns.enumerated() where !Self.matches(result[i], expected[Int(p)]) {
                    failures.append(
                        "0x\(String(p, radix: 16)) at \(i) (offset \(offset), length \(length)) → \(result[i])"
                            + " bits 0x\(String(result[i].bitPattern, radix: 16)), expected \(expected[Int(p)])"
                    )
                    if failures.count > 20 { break }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(5))")
    }

    /// The scalar entry points agree with the same reference for every pattern.
    @Test func scalarConversionsAreExact() {
        for bits in 0...UInt32(0xFFFF) {
            #expect(
                Self.matches(
                    DTypeConversion.float(fromHalfBits: UInt16(bits)),
                    Self.decode(bits, exponentBits: 5, mantissaBits: 10, ieeeSpecials: true)))
            #expect(
                Self.matches(
                    DTypeConversion.float(fromBFloat16Bits: UInt16(bits)),
                    Self.decode(bits, exponentBits: 8, mantissaBits: 7, ieeeSpecials: true)))
        }
        for bits in 0...UInt32(0xFF) {
            #expect(
                Self.matches(
                    DTypeConversion.float(fromFloat8E4M3: UInt8(bits)),
                    Self.decode(bits, exponentBits: 4, mantissaBits: 3, ieeeSpecials: false)))
            #expect(
                Self.matches(
                    DTypeConversion.float(fromFloat8E5M2: UInt8(bits)),
                    Self.decode(bits, exponentBits: 5, mantissaBits: 2, ieeeSpecials: true)))
        }
    }

    /// Known anchors, independent of the decoder above.
    @Test func knownValues() {
        #expect(DTypeConversion.float(fromHalfBits: 0x3C00) == 1)
        #expect(DTypeConversion.float(fromHalfBits: 0x7BFF) == 65504)
        #expect(DTypeConversion.float(fromHalfBits: 0x0001) == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(DTypeConversion.float(fromHalfBits: 0x8000).bitPattern == 0x8000_0000)
        #expect(DTypeConversion.float(fromBFloat16Bits: 0x3F80) == 1)
        #expect(DTypeConversion.float(fromFloat8E4M3: 0x7E) == 448)
        #expect(DTypeConversion.float(fromFloat8E4M3: 0x01) == Float(sign: .plus, exponent: -9, significand: 1))
        #expect(DTypeConversion.float(fromFloat8E4M3: 0x7F).isNaN)
        #expect(DTypeConversion.float(fromFloat8E4M3: 0x78) == 256)
        #expect(DTypeConversion.float(fromFloat8E5M2: 0x7B) == 57344)
        #expect(DTypeConversion.float(fromFloat8E5M2: 0x7C) == .infinity)
        #expect(DTypeConversion.float(fromFloat8E5M2: 0x01) == Float(sign: .plus, exponent: -16, significand: 1))
    }

    @Test func float32AndFloat64WidenFromUnalignedBytes() throws {
        var rng = SeededGenerator(seed: 37)
        let doubles = (0..<37).map { _ in rng.normal() * 1e3 } + [.infinity, -0.0, 1e300, -1e-300]
        var raw = [UInt8](repeating: 0, count: 3)
        for d in doubles { withUnsafeBytes(of: d.bitPattern.littleEndian) { raw += $0 } }
        let widened = try Self.widen(raw, offset: 3, count: doubles.count, dtype: .float64)
        #expect(zip(widened, doubles).allSatisfy { $0.bitPattern == Float($1).bitPattern })
        let floats = rng.normals(33)
        var raw32 = [UInt8](repeating: 0, count: 1)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { raw32 += $0 } }
        #expect(try Self.widen(raw32, offset: 1, count: floats.count, dtype: .float32) == floats)
    }

    @Test func rejectsIntegerTypesAndWrongByteCounts() {
        let bytes = [UInt8](repeating: 0, count: 8)
        let unsupported = #expect(throws: TensorError.self) {
            _ = try Self.widen(bytes, offset: 0, count: 8, dtype: .int8)
        }
        #expect(unsupported?.kind == .unsupportedDType)
        let mismatch = #expect(throws: TensorError.self) {
            _ = try Self.widen(bytes, offset: 0, count: 5, dtype: .float16)
        }
        #expect(mismatch?.kind == .byteCountMismatch)
    }
}

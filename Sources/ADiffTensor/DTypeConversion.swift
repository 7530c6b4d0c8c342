/// Widening of stored weight precisions to `Float32`, exact for every bit pattern.
///
/// fp16 and bf16 convert with 16-lane SIMD integer arithmetic (no lookup table, no F16C
/// requirement); fp8 E5M2 is the upper byte of an fp16 and goes through the same path; fp8
/// E4M3FN has no IEEE analogue and uses a 256-entry table that stays in L1.
public enum DTypeConversion {
    /// Converts `source`, holding `destination.count` elements of `dtype` in little-endian
    /// order, into `destination`.
    ///
    /// - Throws: ``TensorError`` `.unsupportedDType` for integer types, `.byteCountMismatch`
    ///   when the byte count is not `destination.count × dtype.byteSize`.
    public static func widen(
        _ source: UnsafeRawBufferPointer,
        dtype: DType,
        into destination: UnsafeMutableBufferPointer<Float>
    ) throws {
        guard dtype.isFloatingPoint else {
            throw TensorError(.unsupportedDType, "\(dtype.rawValue) does not widen to F32")
        }
        guard source.count == destination.count * dtype.byteSize else {
            throw TensorError(
                .byteCountMismatch,
                "\(source.count) bytes for \(destination.count) elements of \(dtype.rawValue)"
            )
        }
        let count = destination.count
        guard count > 0, let src = source.baseAddress, let dst = destination.baseAddress else { return }
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 16) { range in
            let out = dst + range.lowerBound
            let n = range.count
            switch dtype {
            case .float32:
                UnsafeMutableRawPointer(out).copyMemory(from: src + range.lowerBound * 4, byteCount: n * 4)
            case .float64:
                for i in 0..<n {
                    out[i] = Float(src.loadUnaligned(fromByteOffset: (range.lowerBound + i) * 8, as: Double.self))
                }
            case .float16:
                halfToFloat(src + range.lowerBound * 2, out, n)
            case .bfloat16:
                bfloat16ToFloat(src + range.lowerBound * 2, out, n)
            case .float8E5M2:
                float8E5M2ToFloat(src.assumingMemoryBound(to: UInt8.self) + range.lowerBound, out, n)
            case .float8E4M3:
                let bytes = src.assumingMemoryBound(to: UInt8.self) + range.lowerBound
                float8E4M3Table.withUnsafeBufferPointer { table in
                    for i in 0..<n { out[i] = table[Int(bytes[i])] }
                }
            default:
                break
            }
        }
    }

    /// Scalar fp16 (IEEE binary16) bit pattern to `Float`.
    @inlinable
    public static func float(fromHalfBits bits: UInt16) -> Float {
        Float(bitPattern: halfBitsToFloatBits(SIMD16<UInt32>(repeating: UInt32(bits)))[0])
    }

    /// Scalar bf16 bit pattern to `Float`.
    @inlinable
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Scalar fp8 E4M3FN byte to `Float` (no infinities; S.1111.111 is NaN).
    public static func float(fromFloat8E4M3 byte: UInt8) -> Float {
        float8E4M3Table[Int(byte)]
    }

    /// Scalar fp8 E5M2 byte to `Float` (the upper byte of an fp16).
    @inlinable
    public static func float(fromFloat8E5M2 byte: UInt8) -> Float {
        float(fromHalfBits: UInt16(byte) << 8)
    }

    // MARK: - Kernels

    /// ryg's exact half→float with the denormal fix-up done by a float subtraction.
    @usableFromInline
    static func halfBitsToFloatBits(_ h: SIMD16<UInt32>) -> SIMD16<UInt32> {
        let exponentMask = SIMD16<UInt32>(repeating: 0x7C00 << 13)
        var bits = (h & 0x7FFF) &<< 13
        let exponent = bits & exponentMask
        bits &+= SIMD16<UInt32>(repeating: (127 - 15) << 23)
        let isSpecial = exponent .== exponentMask
        bits.replace(with: bits &+ SIMD16<UInt32>(repeating: (128 - 16) << 23), where: isSpecial)
        let isSubnormal = exponent .== SIMD16<UInt32>(repeating: 0)
        if any(isSubnormal) {
            let adjusted = bits &+ SIMD16<UInt32>(repeating: 1 << 23)
            let magic = SIMD16<Float>(repeating: Float(bitPattern: 113 << 23))
            let asFloat = unsafeBitCast(adjusted, to: SIMD16<Float>.self) - magic
            bits.replace(with: unsafeBitCast(asFloat, to: SIMD16<UInt32>.self), where: isSubnormal)
        }
        return bits | ((h & 0x8000) &<< 16)
    }

    private static func halfToFloat(_ source: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            let h = SIMD16<UInt32>(
                truncatingIfNeeded: source.loadUnaligned(fromByteOffset: i * 2, as: SIMD16<UInt16>.self))
            UnsafeMutableRawPointer(out + i).storeBytes(of: halfBitsToFloatBits(h), as: SIMD16<UInt32>.self)
            i += 16
        }
        while i < n {
            out[i] = float(fromHalfBits: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            i += 1
        }
    }

    private static func bfloat16ToFloat(_ source: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            let h = SIMD16<UInt32>(
                truncatingIfNeeded: source.loadUnaligned(fromByteOffset: i * 2, as: SIMD16<UInt16>.self))
            UnsafeMutableRawPointer(out + i).storeBytes(of: h &<< 16, as: SIMD16<UInt32>.self)
            i += 16
        }
        while i < n {
            out[i] = float(fromBFloat16Bits: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            i += 1
        }
    }

    private static func float8E5M2ToFloat(_ bytes: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            let b = SIMD16<UInt32>(
                truncatingIfNeeded: UnsafeRawPointer(bytes + i).loadUnaligned(as: SIMD16<UInt8>.self))
            UnsafeMutableRawPointer(out + i).storeBytes(of: halfBitsToFloatBits(b &<< 8), as: SIMD16<UInt32>.self)
            i += 16
        }
        while i < n {
            out[i] = float(fromFloat8E5M2: bytes[i])
            i += 1
        }
    }

    /// E4M3FN: bias 7, 3 mantissa bits, subnormals at exponent 0, NaN at S.1111.111, no Inf.
    private static let float8E4M3Table: [Float] = (0..<256).map { value in
        let sign: Float = value & 0x80 != 0 ? -1 : 1
        let exponent = (value >> 3) & 0xF
        let mantissa = Float(value & 0x7)
        if exponent == 0xF && value & 0x7 == 0x7 { return value & 0x80 != 0 ? -Float.nan : Float.nan }
        if exponent == 0 { return sign * mantissa / 8 * Float(sign: .plus, exponent: -6, significand: 1) }
        return sign * (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
    }
}

import ADiffTensor

/// Narrowing of `Float32` weights to fp16 and bf16 with IEEE round-to-nearest-even, the
/// rounding PyTorch's `.half()` / `.bfloat16()` and numpy's `astype` apply.
///
/// NaN stays NaN (quieted, sign kept), values past the largest finite value round to ±Inf
/// exactly where RNE says so (≥ 65520 for fp16), and fp16 subnormals are rounded correctly.
public enum Narrowing {
    /// The fp16 bit pattern nearest to `value` (ties to even). Bulk callers should use
    /// ``bytes(of:as:)``, which runs this inside the module.
    public static func halfBits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let magnitude = bits & 0x7FFF_FFFF
        // 65536.0 and up (and Inf/NaN): nothing left to round into the finite range.
        if magnitude >= (127 + 16) << 23 {
            return sign | (magnitude > 0x7F80_0000 ? 0x7E00 : 0x7C00)
        }
        // Below 2^-14 the result is subnormal or zero: adding 0.5 (2^-1) shifts the 10 kept
        // mantissa bits to the bottom of a float, and the FPU's own RNE does the rounding.
        if magnitude < 113 << 23 {
            let magic = Float(bitPattern: (126 as UInt32) << 23)
            let shifted = Float(bitPattern: magnitude) + magic
            return sign | UInt16(truncatingIfNeeded: shifted.bitPattern &- magic.bitPattern)
        }
        // Normal range: rebias the exponent and add 0x0FFF plus the lowest kept bit, so a
        // carry out of the dropped 13 bits happens exactly for "above half" and "half, odd".
        let odd = (magnitude >> 13) & 1
        let rounded = magnitude &+ ((15 &- 127) << 23 as UInt32) &+ 0x0FFF &+ odd
        return sign | UInt16(truncatingIfNeeded: rounded >> 13)
    }

    /// The bf16 bit pattern nearest to `value` (ties to even).
    public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if bits & 0x7FFF_FFFF > 0x7F80_0000 {
            return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// `values` stored as `dtype`: fp32 is copied, fp16/bf16 are rounded to nearest even,
    /// little-endian.
    ///
    /// - Throws: ``WeightsError`` `.invalidArgument` for any other dtype.
    public static func bytes(of values: [Float], as dtype: DType) throws -> [UInt8] {
        switch dtype {
        case .float32:
            return values.withUnsafeBytes { Array($0) }
        case .float16:
            return narrow(values, halfBits)
        case .bfloat16:
            return narrow(values, bfloat16Bits)
        default:
            throw WeightsError(
                .invalidArgument, "cannot narrow F32 values to \(dtype.rawValue); only F32, F16 and BF16 are supported")
        }
    }

    private static func narrow(_ values: [Float], _ convert: (Float) -> UInt16) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count * 2) { buffer, initialized in
            values.withUnsafeBufferPointer { source in
                let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
                for index in source.indices {
                    raw.storeBytes(of: convert(source[index]).littleEndian, toByteOffset: index * 2, as: UInt16.self)
                }
            }
            initialized = values.count * 2
        }
    }

    /// A stored tensor holding `tensor`'s values narrowed to `dtype`.
    public static func stored(_ tensor: Tensor, as dtype: DType) throws -> StoredTensor {
        try StoredTensor(dtype: dtype, shape: tensor.shape, bytes: bytes(of: tensor.scalars, as: dtype))
    }
}

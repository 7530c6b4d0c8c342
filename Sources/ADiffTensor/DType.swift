/// Element types found in model files. Floating types widen to `Float` exactly; integer types
/// are recognised so a loader can keep or skip them deliberately.
public enum DType: String, Sendable, CaseIterable, Codable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case float8E4M3 = "F8_E4M3"
    case float8E5M2 = "F8_E5M2"
    case float64 = "F64"
    case int64 = "I64"
    case int32 = "I32"
    case int16 = "I16"
    case int8 = "I8"
    case uint8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .float8E4M3, .float8E5M2, .int8, .uint8, .bool: 1
        }
    }

    /// Whether ``DTypeConversion/widen(_:dtype:into:)`` turns this type into `Float`.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float8E4M3, .float8E5M2, .float64: true
        default: false
        }
    }
}

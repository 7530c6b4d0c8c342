import CADiffOneDNN

/// The arithmetic the GEMM-shaped kernels use for one piece of work.
///
/// Set for a scope with `ComputePrecision.$current.withValue(.bfloat16) { … }`; every
/// ``BLAS/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:bBFloat16:beta:c:ldc:)`` inside that scope
/// (on the same thread or child tasks) follows it. A task-local rather than a parameter because
/// the choice belongs to a whole job while the GEMMs sit many layers down every model.
public enum ComputePrecision: String, Sendable, CaseIterable, Codable {
    /// Products in fp32 through OpenBLAS (the reference-exact mode).
    case float32 = "fp32"
    /// Large products with bf16 operands and fp32 accumulation through oneDNN's AVX512-BF16
    /// kernels: about twice the fp32 throughput, with bf16's 8-bit mantissa on the operands.
    /// Everything else (norms, softmax, small and thin products) stays fp32.
    case bfloat16 = "bf16"

    /// The precision of the current task or thread scope; fp32 unless a caller set it.
    @TaskLocal public static var current: ComputePrecision = .float32

    /// Whether this machine runs the precision natively. bf16 needs a CPU with AVX512-BF16 (or
    /// AMX); elsewhere oneDNN would emulate it far slower than fp32, so it is refused instead.
    public var isSupported: Bool {
        switch self {
        case .float32: return true
        case .bfloat16: return cadiff_onednn_bf16_native()
        }
    }

    /// The kernel implementation the precision runs on, for logs and benchmark records.
    public var implementation: String {
        switch self {
        case .float32:
            return BLAS.fp32Backend == .oneDNN
                ? "oneDNN sgemm (OpenBLAS core \(BLAS.openBLASCore) lacks AVX-512)" : BLAS.configuration
        case .bfloat16: return "oneDNN " + String(cString: cadiff_onednn_bf16_implementation())
        }
    }
}

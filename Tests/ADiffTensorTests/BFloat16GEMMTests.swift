import CADiffKernels
import CADiffOneDNN
import CBLAS
import Testing
@testable import ADiffTensor

/// The bf16 compute mode's products (oneDNN matmul, bf16 operands, fp32 accumulation).
@Suite(.enabled(if: ComputePrecision.bfloat16.isSupported, "needs a CPU with AVX512-BF16"))
struct BFloat16GEMMTests {
    typealias Support = GemmKernelTestSupport

    /// op(A)·op(B) in Double from the given operands (row-major, leading dimensions).
    static func product(
        _ a: [Float], lda: Int, transposeA: Bool, _ b: [Float], ldb: Int, transposeB: Bool, m: Int, n: Int, k: Int
    ) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    static func roundedToBFloat16(_ values: [Float]) -> [Float] {
        var rounded = values
        values.withUnsafeBufferPointer { source in
            rounded.withUnsafeMutableBufferPointer {
                cadiff_round_to_bf16(source.baseAddress!, $0.baseAddress!, values.count)
            }
        }
        return rounded
    }

    /// The product equals the exact product of the bf16-rounded operands (so the rounding is
    /// round-to-nearest-even and accumulation is fp32), and differs from the fp32 product by
    /// bf16's rounding, which shows the bf16 path ran. Covers transposes, padded leading
    /// dimensions, alpha and beta.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matchesTheProductOfRoundedOperands(transposeA: Bool, transposeB: Bool) throws {
        let (m, n, k) = (37, 70, 129)
        let lda = (transposeA ? m : k) + 3
        let ldb = (transposeB ? k : n) + 5
        let a = Support.random([(transposeA ? k : m) * lda], seed: 21).scalars
        let b = Support.random([(transposeB ? n : k) * ldb], seed: 22).scalars
        let start = Support.random([m * n], seed: 23).scalars
        let (alpha, beta): (Float, Float) = (0.5, 0.75)
        var c = start
        BLAS.$bfloat16Routing.withValue(.everything) {
            ComputePrecision.$current.withValue(.bfloat16) {
                c.withUnsafeMutableBufferPointer { out in
                    BLAS.gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: out.baseAddress!, ldc: n)
                }
            }
        }
        let rounded = Self.product(
            Self.roundedToBFloat16(a), lda: lda, transposeA: transposeA, Self.roundedToBFloat16(b), ldb: ldb,
            transposeB: transposeB, m: m, n: n, k: k)
        let exact = Self.product(a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB, m: m, n: n, k: k)
        let expectedRounded = zip(rounded, start).map { Double(alpha) * $0 + Double(beta) * Double($1) }
        let expectedExact = zip(exact, start).map { Double(alpha) * $0 + Double(beta) * Double($1) }
        let tensor = Tensor(shape: [m, n], scalars: c)
        let errorToRounded = Support.relativeError(tensor, expectedRounded)
        let errorToExact = Support.relativeError(tensor, expectedExact)
        print("bf16 gemm tA \(transposeA) tB \(transposeB): vs rounded operands \(errorToRounded), vs fp32 \(errorToExact)")
        #expect(errorToRounded <= 1e-6)
        #expect(errorToExact > 1e-5, "bf16 rounding should show: the product did not take the bf16 path")
        #expect(errorToExact < 2e-2)
    }

    /// Products below the routing thresholds, and every product outside a bf16 scope, stay
    /// exact fp32 sgemm.
    @Test func smallProductsAndFP32ScopesStayFP32() {
        let (m, n, k) = (8, 8, 8)
        let a = Support.random([m * k], seed: 31).scalars
        let b = Support.random([k * n], seed: 32).scalars
        func run(_ precision: ComputePrecision) -> [Float] {
            var c = [Float](repeating: 0, count: m * n)
            ComputePrecision.$current.withValue(precision) {
                c.withUnsafeMutableBufferPointer {
                    BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: $0.baseAddress!, ldc: n)
                }
            }
            return c
        }
        #expect(run(.bfloat16) == run(.float32))
        #expect(BLAS.bfloat16Routing == .measured)
    }

    @Test func reportsANativeImplementation() {
        #expect(ComputePrecision.bfloat16.implementation.contains("bf16"))
        #expect(!ComputePrecision.bfloat16.implementation.contains("ref"))
    }
}

/// The fp32 backend choice: OpenBLAS unless its core lacks the CPU's AVX-512.
@Suite struct FP32BackendTests {
    @Test func followsOpenBLASCore() {
        let core = BLAS.openBLASCore.lowercased()
        let expected: BLAS.FP32Backend =
            cadiff_kernels_have_avx512() && !["skylakex", "cooperlake", "sapphirerapids"].contains(core)
            ? .oneDNN : .openBLAS
        print("OpenBLAS core \(core) → fp32 backend \(BLAS.fp32Backend)")
        #expect(BLAS.fp32Backend == expected)
    }

    /// oneDNN's sgemm agrees with OpenBLAS's to fp32 rounding, transposes, alpha and beta included.
    @Test(arguments: [(false, false), (true, true)])
    func oneDNNSgemmMatchesOpenBLAS(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (45, 33, 71)
        let lda = (transposeA ? m : k) + 2
        let ldb = (transposeB ? k : n) + 1
        let a = GemmKernelTestSupport.random([(transposeA ? k : m) * lda], seed: 41).scalars
        let b = GemmKernelTestSupport.random([(transposeB ? n : k) * ldb], seed: 42).scalars
        var viaOneDNN = GemmKernelTestSupport.random([m * n], seed: 43).scalars
        var viaOpenBLAS = viaOneDNN
        let status = viaOneDNN.withUnsafeMutableBufferPointer {
            cadiff_onednn_sgemm(transposeA, transposeB, m, n, k, 0.5, a, lda, b, ldb, 0.25, $0.baseAddress!, n)
        }
        viaOpenBLAS.withUnsafeMutableBufferPointer {
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 0.5, a, Int32(lda), b, Int32(ldb), 0.25, $0.baseAddress!, Int32(n))
        }
        #expect(status == 0)
        let error = GemmKernelTestSupport.relativeError(
            Tensor(shape: [m, n], scalars: viaOneDNN), viaOpenBLAS.map(Double.init))
        #expect(error <= 1e-6)
    }
}

import CADiffKernels
import Foundation
import Testing
@testable import ADiffTensor

@Suite struct AttentionTests {
    typealias Support = GemmKernelTestSupport

    /// softmax(q·kᵀ/√d [causal]) · v per batch and head over contiguous [B, L, heads·d], in Double.
    static func reference(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, causal: Bool) -> [Double] {
        let (batch, lq, channels, lk) = (q.shape[0], q.shape[1], q.shape[2], k.shape[1])
        let d = channels / heads
        let (qs, ks, vs) = (q.scalars, k.scalars, v.scalars)
        var out = [Double](repeating: 0, count: q.count)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<lq {
                    let visible = causal ? min(lk, i + 1) : lk
                    var scores = [Double](repeating: 0, count: visible)
                    for j in 0..<visible {
                        var s = 0.0
                        for c in 0..<d {
                            s += Double(qs[(b * lq + i) * channels + h * d + c]) * Double(ks[(b * lk + j) * channels + h * d + c])
                        }
                        scores[j] = s / Double(d).squareRoot()
                    }
                    let maximum = scores.max()!
                    let weights = scores.map { Foundation.exp($0 - maximum) }
                    let total = weights.reduce(0, +)
                    for c in 0..<d {
                        var sum = 0.0
                        for j in 0..<visible {
                            let value = Double(vs[(b * lk + j) * channels + h * d + c])
                            sum += weights[j] * value
                        }
                        out[(b * lq + i) * channels + h * d + c] = sum / total
                    }
                }
            }
        }
        return out
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var batch, queryTokens, keyTokens, heads, headDimension: Int
        var causal = false
        var queryBlock: Int?
        var testDescription: String {
            "B\(batch) Lq\(queryTokens) Lk\(keyTokens) h\(heads) d\(headDimension)\(causal ? " causal" : "") block \(queryBlock.map(String.init) ?? "auto")"
        }
    }

    static let cases: [Case] = [
        Case(batch: 2, queryTokens: 33, keyTokens: 33, heads: 3, headDimension: 5),
        Case(batch: 2, queryTokens: 33, keyTokens: 33, heads: 3, headDimension: 5, queryBlock: 8),
        Case(batch: 1, queryTokens: 1, keyTokens: 1, heads: 1, headDimension: 1),
        Case(batch: 1, queryTokens: 1, keyTokens: 1, heads: 1, headDimension: 1, queryBlock: 1),
        // CLIP's text encoder: 77 tokens, causal.
        Case(batch: 1, queryTokens: 77, keyTokens: 77, heads: 4, headDimension: 16, causal: true),
        Case(batch: 2, queryTokens: 77, keyTokens: 77, heads: 4, headDimension: 16, causal: true, queryBlock: 10),
        // Cross attention onto 77 text tokens: direct, explicitly blocked, and the automatic
        // blocked path (Lq·Lk above the direct-kernel limit).
        Case(batch: 2, queryTokens: 150, keyTokens: 77, heads: 2, headDimension: 40),
        Case(batch: 1, queryTokens: 150, keyTokens: 77, heads: 2, headDimension: 40, queryBlock: 32),
        Case(batch: 2, queryTokens: 300, keyTokens: 77, heads: 3, headDimension: 40),
        // Self attention long enough for the default block to be smaller than Lq.
        Case(batch: 1, queryTokens: 1100, keyTokens: 1100, heads: 2, headDimension: 17),
    ]

    @Test(arguments: cases)
    func matchesReference(_ c: Case) throws {
        let channels = c.heads * c.headDimension
        let q = Support.random([c.batch, c.queryTokens, channels], seed: 21)
        let k = Support.random([c.batch, c.keyTokens, channels], seed: 22, scale: 2)
        let v = Support.random([c.batch, c.keyTokens, channels], seed: 23)
        let out = try Attention.scaledDotProduct(
            query: q, key: k, value: v, heads: c.heads, causal: c.causal, queryBlock: c.queryBlock
        )
        #expect(out.shape == q.shape)
        let expected = Self.reference(q, k, v, heads: c.heads, causal: c.causal)
        #expect(Support.relativeError(out, expected) <= Support.tolerance)
    }

    @Test func defaultBlockIsSmallerThanLongSequences() {
        #expect(Attention.scoreBlockBytes / (4 * 1100) < 1100)
    }

    /// Temporal attention over the frames of [B, F, P, C], checked against the reference run on
    /// the explicitly transposed [B·P, F, C] sequences.
    @Test func temporalMatchesTransposedReference() throws {
        let (batch, frames, positions, heads, d) = (2, 16, 7, 2, 40)
        let channels = heads * d
        let shape = [batch, frames, positions, channels]
        let (q, k, v) = (
            Support.random(shape, seed: 24), Support.random(shape, seed: 25, scale: 2), Support.random(shape, seed: 26)
        )
        func sequences(_ t: Tensor) -> Tensor {
            let s = t.scalars
            var out = [Float]()
            for b in 0..<batch {
                for p in 0..<positions {
                    for f in 0..<frames {
                        let base = ((b * frames + f) * positions + p) * channels
                        out += s[base..<(base + channels)]
                    }
                }
            }
            return Tensor(shape: [batch * positions, frames, channels], scalars: out)
        }
        let transposed = Self.reference(sequences(q), sequences(k), sequences(v), heads: heads, causal: false)
        var expected = [Double](repeating: 0, count: q.count)
        for b in 0..<batch {
            for p in 0..<positions {
                for f in 0..<frames {
                    for c in 0..<channels {
                        expected[((b * frames + f) * positions + p) * channels + c] =
                            transposed[((b * positions + p) * frames + f) * channels + c]
                    }
                }
            }
        }
        let out = try Attention.temporal(query: q, key: k, value: v, heads: heads)
        #expect(out.shape == shape)
        #expect(Support.relativeError(out, expected) <= Support.tolerance)
    }

    /// Both implementations of the softmax numerator (AVX-512 when the CPU has it, and the
    /// portable one) against Double libm, on row lengths around the 16-lane vector width, with
    /// masked (−∞) entries and a wide value range.
    @Test(arguments: [1, 3, 15, 16, 17, 77, 1000])
    func softmaxExponentiateMatchesLibm(count: Int) {
        var generator = Support.Generator(seed: UInt64(count))
        let input = (0..<count).map { i in i % 7 == 5 ? -Float.infinity : generator.nextFloat() * 60 }
        // The shift is rounded to Float as in the kernel, so only the exponential is compared.
        let maximum = input.max()!
        let exact = input.map { Foundation.exp(Double($0 - maximum)) }
        for implementation in [cadiff_softmax_exponentiate, cadiff_softmax_exponentiate_portable] {
            var row = input
            let sum = row.withUnsafeMutableBufferPointer { implementation($0.baseAddress!, count) }
            let worst = zip(row, exact).map { abs(Double($0) - $1) / max($1, 1e-30) }.max()!
            #expect(worst < 1e-6)
            #expect(abs(Double(sum) - exact.reduce(0, +)) / exact.reduce(0, +) < 1e-6)
            #expect(zip(row, input).allSatisfy { $1 == -.infinity ? $0 == 0 : true })
        }
    }

    /// The portable C short-sequence kernel (taken on CPUs without AVX-512, so not reached
    /// through the public API on this machine), against the same reference.
    @Test(arguments: [false, true])
    func portableDirectKernelMatchesReference(causal: Bool) {
        let (batch, tokens, heads, d) = (2, 20, 3, 19)
        let channels = heads * d
        let q = Support.random([batch, tokens, channels], seed: 27)
        let k = Support.random([batch, tokens, channels], seed: 28, scale: 2)
        let v = Support.random([batch, tokens, channels], seed: 29)
        let layout = cadiff_sequence_layout(token_stride: channels, inner_batch: 1, inner_stride: 0, outer_stride: tokens * channels)
        var out = Tensor(zeros: q.shape)
        var scratch = [Float](repeating: 0, count: cadiff_attention_direct_scratch(heads, d, tokens, tokens))
        out.withUnsafeMutableBufferPointer { o in
            q.withUnsafeBufferPointer { qp in
                k.withUnsafeBufferPointer { kp in
                    v.withUnsafeBufferPointer { vp in
                        cadiff_attention_direct_portable(
                            0, batch, heads, d, tokens, tokens, 1 / Float(d).squareRoot(), causal,
                            qp.baseAddress!, layout, kp.baseAddress!, layout, vp.baseAddress!, layout,
                            o.baseAddress!, layout, &scratch
                        )
                    }
                }
            }
        }
        let expected = Self.reference(q, k, v, heads: heads, causal: causal)
        #expect(Support.relativeError(out, expected) <= Support.tolerance)
    }

    @Test func rejectsBadShapes() {
        let t = Tensor(zeros: [1, 4, 6])
        #expect(throws: TensorError.self) { try Attention.scaledDotProduct(query: t, key: t, value: t, heads: 4) }
        #expect(throws: TensorError.self) { try Attention.scaledDotProduct(query: t, key: Tensor(zeros: [1, 4, 3]), value: t, heads: 1) }
        #expect(throws: TensorError.self) { try Attention.scaledDotProduct(query: t, key: t, value: Tensor(zeros: [1, 5, 6]), heads: 1) }
        #expect(throws: TensorError.self) { try Attention.scaledDotProduct(query: t, key: t, value: t, heads: 2, queryBlock: 0) }
        #expect(throws: TensorError.self) { try Attention.temporal(query: t, key: t, value: t, heads: 1) }
    }
}

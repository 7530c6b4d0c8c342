import ADiffTensor
import Testing

@testable import ADiffModels

/// The WebUI's rules for conds of different lengths (a1111-compat.md §1.11), on small
/// hand-made contexts: rows of width 2 whose values say which row they are.
@Suite struct ConditioningPaddingTests {
    /// `rows` rows of width 2: row r is (base + r, −(base + r)).
    static func context(rows: Int, base: Float) -> Tensor {
        Tensor(shape: [rows, 2], scalars: (0..<rows).flatMap { [base + Float($0), -(base + Float($0))] })
    }

    @Test func stackingRepeatsTheLastRow() throws {
        let long = Self.context(rows: 4, base: 0)
        let short = Self.context(rows: 2, base: 10)
        let padded = try ConditioningPadding.repeatingLastRow([short, long])
        #expect(padded[1].scalars == long.scalars)
        #expect(padded[0].shape == [4, 2])
        #expect(padded[0].scalars == [10, -10, 11, -11, 11, -11, 11, -11])
    }

    @Test func padCondUncondAppendsEmptyPromptCopies() throws {
        let empty = Self.context(rows: 2, base: 100)
        let cond = Self.context(rows: 6, base: 0)
        let uncond = Self.context(rows: 2, base: 10)
        let (paddedCond, paddedUncond) = try ConditioningPadding.padWithEmptyPrompt(
            cond: cond, uncond: uncond, empty: empty)
        #expect(paddedCond.scalars == cond.scalars)
        #expect(paddedUncond.scalars == uncond.scalars + empty.scalars + empty.scalars)
        let (swappedCond, swappedUncond) = try ConditioningPadding.padWithEmptyPrompt(
            cond: uncond, uncond: cond, empty: empty)
        #expect(swappedUncond.scalars == cond.scalars)
        #expect(swappedCond.scalars == uncond.scalars + empty.scalars + empty.scalars)
    }

    @Test func padCondsV0RepeatsOrCutsTheUncond() throws {
        let cond = Self.context(rows: 3, base: 0)
        let short = Self.context(rows: 1, base: 10)
        let long = Self.context(rows: 5, base: 20)
        #expect(try ConditioningPadding.padUncondV0(cond: cond, uncond: short).scalars == [10, -10, 10, -10, 10, -10])
        #expect(try ConditioningPadding.padUncondV0(cond: cond, uncond: long).scalars == [20, -20, 21, -21, 22, -22])
        #expect(try ConditioningPadding.padUncondV0(cond: cond, uncond: cond).scalars == cond.scalars)
    }

    @Test func mismatchedWidthsAreRejected() throws {
        let narrow = Tensor(zeros: [2, 2])
        let wide = Tensor(zeros: [2, 3])
        #expect(throws: ModelError.self) { _ = try ConditioningPadding.repeatingLastRow([narrow, wide]) }
        #expect(throws: ModelError.self) { _ = try ConditioningPadding.repeatingLastRow([Tensor(zeros: [2, 0])]) }
        #expect(throws: ModelError.self) { _ = try ConditioningPadding.padUncondV0(cond: narrow, uncond: wide) }
        #expect(throws: ModelError.self) {
            _ = try ConditioningPadding.padWithEmptyPrompt(cond: narrow, uncond: narrow, empty: wide)
        }
    }
}

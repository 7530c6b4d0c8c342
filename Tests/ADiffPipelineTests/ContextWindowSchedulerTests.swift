import Testing
@testable import ADiffPipeline

/// Expected windows are the worked examples of animatediff-behaviour §4.2, produced there by
/// running the extension's algorithm.
@Suite struct ContextWindowSchedulerTests {
    private func range(_ bounds: ClosedRange<Int>) -> [Int] { Array(bounds) }
    private func wrap(_ a: ClosedRange<Int>, _ b: ClosedRange<Int>) -> [Int] { Array(a) + Array(b) }

    @Test func orderedHalvingIsTheBitReversedFraction() {
        let expected: [Double] = [0, 0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875, 0.0625]
        #expect((0..<9).map(ContextWindowScheduler.orderedHalving) == expected)
    }

    @Test func reducedLoopWindowsMatchTheExtension() throws {
        let scheduler = try ContextWindowScheduler(frameCount: 32, contextSize: 16, overlap: 4)
        #expect(scheduler.windows(step: 0) == [range(0...15), range(12...27), wrap(24...31, 0...7)])
        #expect(scheduler.windows(step: 1) == [range(16...31), wrap(28...31, 0...11), range(8...23)])
        #expect(scheduler.windows(step: 2) == [range(8...23), wrap(20...31, 0...3), range(0...15)])
        #expect(scheduler.windows(step: 3) == [wrap(24...31, 0...7), range(4...19), range(16...31)])
        #expect(scheduler.windows(step: 4) == [range(4...19), range(16...31), wrap(28...31, 0...11)])
        let aggressive = try ContextWindowScheduler(frameCount: 32, contextSize: 16, overlap: 4, closedLoop: .aggressive)
        #expect(aggressive.windows(step: 0) == scheduler.windows(step: 0))
    }

    @Test func noLoopWindowsMatchTheExtension() throws {
        let scheduler = try ContextWindowScheduler(frameCount: 32, contextSize: 16, overlap: 4, closedLoop: .none)
        #expect(scheduler.windows(step: 0) == [range(0...15), range(12...27), range(16...31), range(0...15)])
        #expect(scheduler.windows(step: 1) == [range(16...31), range(16...31), range(0...15), range(8...23)])
        #expect(scheduler.windows(step: 2) == [range(8...23), range(16...31), range(0...15)])
        #expect(scheduler.windows(step: 3) == [range(16...31), range(0...15), range(4...19), range(16...31)])
        let short = try ContextWindowScheduler(frameCount: 24, contextSize: 16, overlap: 4, closedLoop: .none)
        #expect(short.windows(step: 0) == [range(0...15), range(8...23)])
    }

    @Test func dilatedLevelFollowsTheContiguousWindows() throws {
        let scheduler = try ContextWindowScheduler(frameCount: 32, contextSize: 16, overlap: 4, stride: 2)
        #expect(scheduler.levels == 2)
        let step0 = scheduler.windows(step: 0)
        #expect(step0.count == 4)
        #expect(step0.last == Array(stride(from: 0, through: 30, by: 2)))
        #expect(scheduler.windows(step: 1).last == Array(stride(from: 17, through: 31, by: 2)) + Array(stride(from: 1, through: 15, by: 2)))
        #expect(scheduler.windows(step: 4).last == Array(stride(from: 4, through: 30, by: 2)) + [0, 2])
    }

    @Test func shortVideoAndOddLengthsMatchTheExtension() throws {
        let scheduler = try ContextWindowScheduler(frameCount: 24, contextSize: 16, overlap: 4)
        #expect(scheduler.windows(step: 0) == [range(0...15), wrap(12...23, 0...3)])
        #expect(scheduler.windows(step: 2) == [range(6...21), wrap(18...23, 0...9)])
        let single = try ContextWindowScheduler(frameCount: 16, contextSize: 16)
        #expect(single.windows(step: 7) == [range(0...15)])
        #expect(single.overlap == 4)
    }

    /// The extension emits [0,4,…,44,0,4,8,12] at L=48, B=16, S=3; the level that would
    /// repeat frames is dropped here.
    @Test func noWindowEverHoldsAFrameTwiceAndEveryFrameIsCovered() throws {
        let capped = try ContextWindowScheduler(frameCount: 48, contextSize: 16, overlap: 4, stride: 3)
        #expect(capped.levels == 2)
        for frameCount in [17, 24, 31, 32, 48, 61, 64, 100] {
            for contextSize in [8, 16] where contextSize < frameCount {
                for overlap in [0, 2, contextSize / 4, contextSize - 1] {
                    for stride in 1...4 {
                        for mode in ClosedLoop.allCases {
                            let scheduler = try ContextWindowScheduler(
                                frameCount: frameCount, contextSize: contextSize, overlap: overlap, stride: stride, closedLoop: mode
                            )
                            for step in 0..<9 {
                                let windows = scheduler.windows(step: step)
                                var covered = Set<Int>()
                                for window in windows {
                                    #expect(window.count == contextSize)
                                    #expect(Set(window).count == window.count, "duplicate frame L=\(frameCount) B=\(contextSize) S=\(stride) \(mode)")
                                    #expect(window.allSatisfy { (0..<frameCount).contains($0) })
                                    covered.formUnion(window)
                                }
                                #expect(covered.count == frameCount, "uncovered frames L=\(frameCount) B=\(contextSize) O=\(overlap) S=\(stride) \(mode) step \(step)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// The extension leaves frames 0–3 unvisited here (a zero prediction); the fix adds a window.
    @Test func noLoopModeVisitsFramesBeforeTheStartOffset() throws {
        let scheduler = try ContextWindowScheduler(frameCount: 64, contextSize: 16, overlap: 4, closedLoop: .none)
        #expect(scheduler.windows(step: 8) == [
            range(4...19), range(16...31), range(28...43), range(40...55), range(48...63), range(0...15),
        ])
    }

    @Test func invalidParametersNameTheirField() {
        func field(_ make: () throws -> ContextWindowScheduler) -> String? {
            do {
                _ = try make()
                return nil
            } catch let error as PipelineError {
                return error.field
            } catch {
                return "unexpected"
            }
        }
        #expect(field { try ContextWindowScheduler(frameCount: 32, contextSize: 16, overlap: 16) } == "animatediff.overlap")
        #expect(field { try ContextWindowScheduler(frameCount: 32, contextSize: 16, overlap: -2) } == "animatediff.overlap")
        #expect(field { try ContextWindowScheduler(frameCount: 0, contextSize: 16) } == "animatediff.video_length")
        #expect(field { try ContextWindowScheduler(frameCount: 32, contextSize: 0) } == "animatediff.batch_size")
        #expect(field { try ContextWindowScheduler(frameCount: 32, contextSize: 16, stride: 0) } == "animatediff.stride")
    }
}

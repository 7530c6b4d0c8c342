import Testing

@testable import ADiffPipeline

/// Prompt editing against the WebUI grammar run through Lark (fixture) and the spec's examples.
@Suite struct PromptScheduleTests {
    @Test func schedulesMatchTheWebUIGrammar() {
        for entry in PipelineFixture.shared.promptSchedules {
            let expected = entry.schedule.compactMap { pair -> PromptSchedule.Entry? in
                guard case .step(let step) = pair[0], case .text(let text) = pair[1] else { return nil }
                return PromptSchedule.Entry(endAtStep: step, text: text)
            }
            #expect(expected.count == entry.schedule.count, "fixture layout")
            let schedule = PromptSchedule(prompt: entry.prompt, steps: entry.steps)
            #expect(schedule.entries == expected, "\(entry.prompt)")
        }
    }

    @Test func activeEntryFollowsTheCallCounter() {
        // [a:b:5] with 20 steps: "a" for calls 0…5, "b" after.
        let schedule = PromptSchedule(prompt: "[a:b:5]", steps: 20)
        #expect(
            (0...19).map { schedule.entries[schedule.activeIndex(atCall: $0)].text } == Array(repeating: "a", count: 6)
                + Array(repeating: "b", count: 14))
        #expect(schedule.activeIndex(atCall: 25) == 0)
    }

    @Test func oldTimelinesReadNumbersBelowOneAsFractions() {
        let schedule = PromptSchedule(prompt: "[a:b:0.5] [c:d:3]", steps: 10, oldTimelines: true)
        #expect(schedule.entries.map(\.endAtStep) == [3, 5, 10])
    }
}

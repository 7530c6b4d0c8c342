import Foundation
import Testing
@testable import ADiffPipeline

@Suite struct PromptTravelTests {
    @Test func headMapAndTailFormEachKeyframePrompt() throws {
        let travel = try PromptTravel(prompt: """
            masterpiece
            best quality
            0: a cat
            8: a dog
            by artist
            """, frameCount: 16)
        #expect(travel.keyframes == [
            .init(frame: 0, prompt: "masterpiece, best quality, a cat, by artist"),
            .init(frame: 8, prompt: "masterpiece, best quality, a dog, by artist"),
        ])
        let plain = try PromptTravel(prompt: "just a prompt", frameCount: 16)
        #expect(!plain.isActive)
        let noHead = try PromptTravel(prompt: "0: sun\n5: moon", frameCount: 8)
        #expect(noHead.keyframes.map(\.prompt) == [", sun, ", ", moon, "])
    }

    @Test func malformedKeyframeListsAreRejectedWithTheLine() {
        func message(_ prompt: String, frames: Int = 16) -> String? {
            do {
                _ = try PromptTravel(prompt: prompt, frameCount: frames)
                return nil
            } catch let error as PipelineError {
                #expect(error.kind == .invalidPromptTravel)
                #expect(error.field == "prompt")
                return error.message
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(message("0: a\n16: b")?.contains("keyframe 16 is not below the frame count 16") == true)
        #expect(message("0: a\n8: b\n4: c")?.contains("line 3") == true)
        #expect(message("0: a\n0: b")?.contains("ascending") == true)
        #expect(message("0: a\n\n8: b")?.contains("after the keyframe list ended") == true)
        #expect(message("0: a\n5:b") == nil)
    }

    @Test func blendsFollowTheExtensionsExamples() throws {
        let open = try PromptTravel(prompt: "0: a\n8: b", frameCount: 16)
        #expect(open.blend(forFrame: 4, frameCount: 16, closed: false) == .init(from: 0, to: 1, t: 0.5))
        #expect(open.blend(forFrame: 12, frameCount: 16, closed: false) == .init(from: 1, to: 1, t: 0))
        // The extension's loop picks the next keyframe even on a keyframe; t = 0 selects it.
        #expect(open.blend(forFrame: 0, frameCount: 16, closed: false) == .init(from: 0, to: 1, t: 0))

        let closed = try PromptTravel(prompt: "0: a\n16: b", frameCount: 32)
        #expect(closed.blend(forFrame: 24, frameCount: 32, closed: true) == .init(from: 1, to: 0, t: 0.5))
        let late = try PromptTravel(prompt: "4: a\n12: b", frameCount: 16)
        #expect(late.blend(forFrame: 2, frameCount: 16, closed: false) == .init(from: 0, to: 0, t: 0))
        // Closed: frame 2 lies between keyframe 12 (6 back across the wrap) and keyframe 4 (2 ahead).
        #expect(late.blend(forFrame: 2, frameCount: 16, closed: true) == .init(from: 1, to: 0, t: 0.75))
    }
}

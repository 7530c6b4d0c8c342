import Testing

@testable import ADiffPipeline

/// The WebUI's trailing-weight rule for a single sub-prompt (cases checked with its regex).
@Suite struct ComposablePromptTests {
    @Test func trailingWeightsFollowTheWebUIRegex() throws {
        let cases: [(String, String, Float)] = [
            ("a cat:1.5", "a cat", 1.5), ("a cat: 1.5 ", "a cat", 1.5), ("a cat ", "a cat", 1), ("1.5", "1.5", 1),
            (":2", "", 2), ("a\nb:2", "a\nb:2", 1), ("(cat:1.2)", "(cat:1.2)", 1), ("x:1.", "x", 1),
            ("x:.5", "x", 0.5), ("x: -2", "x", -2), ("a:b:3", "a:b", 3), (" lead:2", " lead", 2),
        ]
        for (prompt, text, weight) in cases {
            let parsed = try ComposablePrompt.parse(prompt)
            #expect(parsed.text == text && parsed.weight == weight, "\(prompt)")
        }
        #expect(throws: PipelineError.self) { _ = try ComposablePrompt.parse("a cat AND a dog") }
        #expect(try ComposablePrompt.parse("BRAND ANDY").weight == 1)
    }
}

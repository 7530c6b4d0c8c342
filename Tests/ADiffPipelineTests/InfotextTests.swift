import Foundation
import Testing
@testable import ADiffPipeline

/// Cases from scripts/fixtures/make_infotext_fixtures.py: Python's `re`/`json` driven by the
/// WebUI's documented rules are the reference.
@Suite struct InfotextTests {
    private struct Parsed: Decodable {
        let prompt: String
        let negative: String
        let params: [[String]]
    }
    private struct FormatCase: Decodable {
        let prompt: String
        let negative: String
        let params: [[String]]
        let text: String
        let parsed: Parsed
    }
    private struct ParseCase: Decodable {
        let text: String
        let parsed: Parsed
    }
    private struct Fixture: Decodable {
        let format: [FormatCase]
        let parse: [ParseCase]
    }

    private func load() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Pipeline/infotext.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    private func expectParsed(_ infotext: Infotext, _ parsed: Parsed) {
        #expect(infotext.prompt == parsed.prompt)
        #expect(infotext.negativePrompt == parsed.negative)
        #expect(infotext.parameters.map { [$0.key, $0.value] } == parsed.params)
    }

    @Test func formattingMatchesTheWebUIByteForByte() throws {
        for entry in try load().format {
            let infotext = Infotext(
                prompt: entry.prompt, negativePrompt: entry.negative,
                parameters: entry.params.map { (key: $0[0], value: $0[1]) }
            )
            #expect(infotext.text == entry.text)
            expectParsed(Infotext(parsing: entry.text), entry.parsed)
        }
    }

    @Test func parsingMatchesTheWebUIOnOddInputs() throws {
        for entry in try load().parse {
            expectParsed(Infotext(parsing: entry.text), entry.parsed)
        }
    }

    @Test func animateDiffFieldRoundTripsInTheExtensionsOrder() {
        let fields = [
            "fps": "8", "model": "mm_sd15_v3.safetensors", "video_length": "16", "closed_loop": "R-P",
            "batch_size": "16", "request_id": "", "mm_hash": "1a2b3c4d", "overlap": "4",
        ]
        let text = AnimateDiffInfotext.format(fields)
        #expect(text == "model: mm_sd15_v3.safetensors, video_length: 16, fps: 8, closed_loop: R-P, batch_size: 16, overlap: 4, mm_hash: 1a2b3c4d")
        #expect(AnimateDiffInfotext.parse(text) == fields.filter { !$0.value.isEmpty })
        let infotext = Infotext(prompt: "p", parameters: [(key: "Steps", value: "1"), (key: "Seed", value: "2"), (key: "AnimateDiff", value: text)])
        #expect(Infotext(parsing: infotext.text)["AnimateDiff"] == text)
    }
}

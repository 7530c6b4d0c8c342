import Foundation
import Testing
@testable import ADiffModels

/// WebUI prompt syntax against the golden file made from the spec text (scripts/fixtures).
@Suite struct PromptSyntaxTests {
    static func tokenizer() throws -> CLIPTokenizer { try TextFixtures.tokenizer() }

    @Test func extraNetworkTagsEmphasisAndChunksMatchTheGoldenFile() throws {
        let file = try TextFixtures.load("prompts.json", as: TextFixtures.PromptsFile.self)
        let tokenizer = try Self.tokenizer()
        let table = try TextualInversionTable(vectorCounts: file.textualInversion, tokenizer: tokenizer)
        let chunkers = [
            (20, try PromptChunker(tokenizer: tokenizer, embeddings: table, commaBackoff: 20)),
            (0, try PromptChunker(tokenizer: tokenizer, embeddings: table, commaBackoff: 0)),
        ]
        #expect(file.cases.count >= 50)
        for entry in file.cases {
            let context = Comment(rawValue: entry.prompt.debugDescription)
            let (stripped, tags) = ExtraNetworkTag.extract(from: entry.prompt)
            #expect(stripped == entry.stripped, context)
            #expect(tags.map(\.kind) == entry.tags.map(\.name), context)
            #expect(tags.map(\.positional) == entry.tags.map(\.positional), context)
            #expect(tags.map(\.named) == entry.tags.map(\.named), context)

            guard let expectedFragments = entry.fragments else {
                #expect(entry.error != nil, context)
                #expect(throws: TextError.self, context) { try PromptEmphasisParser.parse(stripped) }
                continue
            }
            let fragments = try PromptEmphasisParser.parse(stripped)
            #expect(fragments.map(\.text) == expectedFragments.map(\.text), context)
            // Same Float64 operations in the same order: the weights must be bit-identical.
            #expect(fragments.map(\.weight) == expectedFragments.map(\.weight), context)

            for (backoff, chunker) in chunkers {
                let expected = try #require(backoff == 20 ? entry.chunks : entry.chunksNoBacktrack)
                let chunks = chunker.chunks(for: fragments)
                #expect(chunks.count == expected.count, context)
                for (chunk, golden) in zip(chunks, expected) {
                    #expect(chunk.tokenIDs == golden.ids, context)
                    #expect(chunk.tokenIDs.count == 77, context)
                    #expect(chunk.multipliers.count == golden.multipliers.count, context)
                    let worst = zip(chunk.multipliers, golden.multipliers).map { abs(Double($0) - $1) }.max() ?? 0
                    #expect(worst <= 1e-6, context)
                    #expect(chunk.embeddings.map(\.name) == golden.embeddings.map(\.name), context)
                    #expect(chunk.embeddings.map(\.position) == golden.embeddings.map(\.position), context)
                    #expect(chunk.embeddings.map(\.vectorCount) == golden.embeddings.map(\.vectors), context)
                }
            }
        }
    }

    /// The worked example of spec §1.4.
    @Test func specEmphasisExample() throws {
        let fragments = try PromptEmphasisParser.parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).")
        let expected: [(String, Double)] = [
            ("a ", 1), ("house", 1.573), (" ", 1.1), ("on", 1), (" a ", 1.1), ("hill", 0.55),
            (", sun, ", 1.1), ("sky", 1.4641), (".", 1.1),
        ]
        #expect(fragments.map(\.text) == expected.map(\.0))
        for (fragment, (_, weight)) in zip(fragments, expected) { #expect(abs(fragment.weight - weight) < 1e-12) }
        // Alone, three groups give 1.1³ (the example's 1.4641 includes its unclosed leading "(").
        #expect(try PromptEmphasisParser.parse("(((sky)))")[0].weight == 1.3310000000000004)
        #expect(try PromptEmphasisParser.parse("((((sky))))")[0].weight == 1.4641000000000006)
        #expect(try PromptEmphasisParser.parse("[[a]]")[0].weight == 0.8264462809917354)
        #expect(try PromptEmphasisParser.parse("x (y: 1.2 ) z").map(\.weight) == [1, 1.2, 1])
        #expect(try PromptEmphasisParser.parse("(unbalanced)") == [PromptFragment("unbalanced", weight: 1.1)])
    }

    @Test func breakClosesTheChunkEvenWhenEmpty() throws {
        let chunker = try PromptChunker(tokenizer: try Self.tokenizer())
        let chunks = chunker.chunks(for: try PromptEmphasisParser.parse("BREAK a photo of a cat"))
        #expect(chunks.count == 2)
        #expect(chunks[0] == PromptChunk.empty)
        #expect(Array(chunks[1].tokenIDs[0...6]) == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(chunker.chunks(for: try PromptEmphasisParser.parse("")) == [PromptChunk.empty])
        #expect(try EmphasisMode.none.fragments(of: "(a) BREAK b") == [PromptFragment("(a) BREAK b", weight: 1)])
    }

    @Test func loraTagArgumentsFollowTheSpecExamples() throws {
        let (prompt, tags) = ExtraNetworkTag.extract(
            from: "x <lora:foo:0.7>, <lora:bar:1:0.5> <lyco:baz:unet=0.3> <hypernet:h:0.4> <other:q> <lora:d:1:1:8>")
        #expect(prompt == "x ,     ")
        let activations = try NetworkActivation.activations(from: tags)
        #expect(activations.map(\.name) == ["foo", "bar", "baz", "h", "d"])
        #expect(activations.map(\.textEncoderMultiplier) == [0.7, 1.0, 1.0, 0.4, 1.0])
        #expect(activations.map(\.unetMultiplier) == [0.7, 0.5, 0.3, 0.4, 1.0])
        #expect(activations.map(\.dynamicDimension) == [nil, nil, nil, nil, 8])
        #expect(activations[3].family == .hypernetwork)
    }

    @Test func repeatedNetworkUsesTheLastTagsMultipliers() throws {
        let tags = ExtraNetworkTag.extract(from: "<lora:a:0.2> <lora:a:0.9:te=0.1>").tags
        let activations = try NetworkActivation.activations(from: tags)
        #expect(activations.count == 2)
        // te= overrides the positional 0.9, and unet defaults to the (overridden) te multiplier.
        #expect(activations.allSatisfy { $0.textEncoderMultiplier == 0.1 && $0.unetMultiplier == 0.1 })
    }

    @Test func badTagNumbersAreNamedErrors() {
        for prompt in ["<lora:w::>", "<lora:w:abc>", "<lora:w:1:1:x>", "<hypernet:h:1.2.3>"] {
            let tags = ExtraNetworkTag.extract(from: prompt).tags
            #expect(throws: TextError.self, "\(prompt)") { try NetworkActivation.activations(from: tags) }
        }
        #expect(throws: TextError.self) { try PromptEmphasisParser.parse("(a:1.2.3)") }
    }

    @Test func textualInversionTableRejectsUnusableEntries() throws {
        let tokenizer = try Self.tokenizer()
        #expect(throws: TextError.self) { try TextualInversionTable(vectorCounts: ["big": 76], tokenizer: tokenizer) }
        #expect(throws: TextError.self) { try TextualInversionTable(vectorCounts: ["zero": 0], tokenizer: tokenizer) }
        #expect(throws: TextError.self) { try TextualInversionTable(vectorCounts: ["   ": 1], tokenizer: tokenizer) }
        #expect(throws: TextError.self) { try PromptChunker(tokenizer: tokenizer, commaBackoff: -1) }
    }

    @Test func overlongPromptsAreRejected() throws {
        let processor = PromptTextProcessor(chunker: try PromptChunker(tokenizer: try Self.tokenizer()), maximumLength: 10)
        #expect(try processor.chunks(for: "0123456789").count == 1)
        #expect(throws: TextError.self) { try processor.chunks(for: "0123456789a") }
    }

    @Test func variantsArePaddedToTheSameChunkCount() throws {
        let processor = PromptTextProcessor(chunker: try PromptChunker(tokenizer: try Self.tokenizer()))
        let padded = try processor.chunks(for: ["short", String(repeating: "long ", count: 100)])
        #expect(padded.map(\.count) == [2, 2])
        #expect(padded[0][1] == PromptChunk.empty)
    }
}

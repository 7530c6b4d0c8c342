import ADiffTensor
import ADiffWeights
import Testing

@testable import ADiffModels

/// The CLIP text transformer and the WebUI conditioning against transformers' `CLIPTextModel`
/// driven by a plain-Python WebUI prompt pipeline (scripts/fixtures/make_clip_fixtures.py).
@Suite struct CLIPTextModelTests {
    static let prefix = "cond_stage_model.transformer."
    static let embeddingName = "tiny-embedding"
    /// The head count the tiny maker uses (`SD15CheckpointConfig.tiny().textEncoder.heads`).
    static let tinyHeads = SD15CheckpointConfig.tiny().textEncoder.heads

    /// The tiny text encoder's weights with the golden file's norm overrides.
    static func parameters() throws -> (ModelParameters, any WeightFile) {
        let fixture = try ModelFixtures.open("CLIP/conditioning.safetensors")
        let base = try ModelFixtures.checkpointParameters(prefix: prefix)
        return (base.replacing(try ModelFixtures.overrides(fixture)), fixture)
    }

    static func conditioner(
        _ encoder: CLIPTextModel, emphasis: EmphasisMode = .original, commaBackoff: Int = 20, clipSkip: Int = 1
    ) throws -> TextConditioner {
        try TextConditioner.webUI(
            encoder: encoder, tokenizer: try TextFixtures.tokenizer(),
            embeddings: [embeddingName: try ModelFixtures.embeddingVectors()], emphasis: emphasis,
            commaBackoff: commaBackoff, clipSkip: clipSkip
        ).conditioner
    }

    @Test func everyGoldenCaseMatches() throws {
        let (parameters, fixture) = try Self.parameters()
        let cases = try ModelFixtures.clipCases(fixture)
        #expect(cases.count == 16)
        let encoder = try CLIPTextModel(parameters: parameters, heads: Self.tinyHeads)
        for testCase in cases {
            var model = encoder
            if let ids = testCase.positionIDs {
                let stored = StoredTensor(Tensor(shape: [1, ids.count], scalars: ids))
                model = try CLIPTextModel(
                    parameters: parameters.replacing(["text_model.embeddings.position_ids": stored]),
                    heads: Self.tinyHeads)
            }
            let emphasis = try #require(EmphasisMode(rawValue: testCase.emphasis))
            let conditioner = try Self.conditioner(
                model, emphasis: emphasis, commaBackoff: testCase.commaBackoff, clipSkip: testCase.clipSkip)
            let reference = try ModelFixtures.tensor(fixture, "case.\(testCase.name)")
            let contexts: [Tensor]
            if let prompt = testCase.strippedFrom {
                let conditioning = try conditioner.condition(prompt: prompt)
                #expect(conditioning.encodedText == testCase.texts[0])
                let networks = conditioning.networks.map {
                    "\($0.name) \($0.textEncoderMultiplier) \($0.unetMultiplier)"
                }
                #expect(networks == (testCase.networks ?? []).map { "\($0.name) \($0.te) \($0.unet)" })
                contexts = [conditioning.context]
            } else {
                contexts = try conditioner.encode(testCase.texts)
            }
            let result = try Concat.batch(contexts).reshaped(reference.shape)
            let error = ModelFixtures.relativeError(result, reference)
            print("CLIP conditioning \(testCase.name): \(reference.shape), max rel err \(error)")
            #expect(error <= 1e-4, "\(testCase.name)")
        }
    }

    @Test func configurationComesFromTheWeights() throws {
        let (parameters, _) = try Self.parameters()
        let model = try CLIPTextModel(parameters: parameters)
        #expect(
            model.configuration
                == CLIPTextConfiguration(
                    vocabularySize: 49408, maximumPositions: 77, width: 32, layers: 2, heads: Self.tinyHeads,
                    intermediateSize: 128))
        #expect(model.positionIndices == Array(0..<77))
    }

    @Test func headCountConvention() {
        #expect(CLIPTextConfiguration.conventionalHeads(width: 768) == 12)
        #expect(CLIPTextConfiguration.conventionalHeads(width: 1024) == 16)
        #expect(CLIPTextConfiguration.conventionalHeads(width: 1280) == 20)
        #expect(CLIPTextConfiguration.conventionalHeads(width: 32) == 2)
        #expect(CLIPTextConfiguration.conventionalHeads(width: 48) == 3)
        #expect(CLIPTextConfiguration.conventionalHeads(width: 100) == nil)
        #expect(CLIPTextConfiguration.conventionalHeads(width: 0) == nil)
    }

    @Test func headCountChangesTheOutput() throws {
        let (parameters, _) = try Self.parameters()
        let ids: [[Int32]] = [[49406, 320, 1125, 539, 320, 2368] + Array(repeating: 49407, count: 71)]
        let two = try CLIPTextModel(parameters: parameters, heads: 2).encode(tokenIDs: ids)
        let one = try CLIPTextModel(parameters: parameters, heads: 1).encode(tokenIDs: ids)
        #expect(ModelFixtures.relativeError(one, two) > 1e-3)
    }

    @Test func filesWithoutTheTextModelLevelLoad() throws {
        let (parameters, _) = try Self.parameters()
        let flat = ModelParameters(
            entries: Dictionary(
                uniqueKeysWithValues: parameters.entries.map {
                    (String($0.key.dropFirst("text_model.".count)), $0.value)
                }),
            origin: "flat")
        let ids: [[Int32]] = [[49406, 320, 2368] + Array(repeating: 49407, count: 74)]
        let nested = try CLIPTextModel(parameters: parameters).encode(tokenIDs: ids)
        let flattened = try CLIPTextModel(parameters: flat).encode(tokenIDs: ids)
        #expect(nested.scalars == flattened.scalars)
    }

    @Test func halfPrecisionRowsWidenExactly() throws {
        let (parameters, _) = try Self.parameters()
        let half = ModelParameters(
            entries: try parameters.entries.mapValues { stored in
                stored.dtype == .float32 ? try Narrowing.stored(try stored.widened(), as: .float16) : stored
            }, origin: "f16")
        let ids: [[Int32]] = [[49406, 0, 49407, 320, 49405], [12, 13, 14, 15, 16]]
        let expected = try CLIPTextModel(parameters: parameters).tokenEmbeddings(ids).scalars.map { Float(Float16($0)) }
        #expect(try CLIPTextModel(parameters: half).tokenEmbeddings(ids).scalars == expected)
    }

    @Test func clipSkipBeyondTheLayersIsRejected() throws {
        let (parameters, _) = try Self.parameters()
        let model = try CLIPTextModel(parameters: parameters)
        let ids: [[Int32]] = [[49406, 49407]]
        for skip in [0, 4] {
            #expect(throws: ModelError.self) { _ = try model.encode(tokenIDs: ids, clipSkip: skip) }
        }
        // Clip skip layers + 1 is the embeddings themselves, then the final LayerNorm.
        let embeddingsOnly = try model.encode(tokenIDs: ids, clipSkip: 3)
        #expect(embeddingsOnly.shape == [1, 2, 32])
    }

    @Test func badTokenIDsAreRejected() throws {
        let (parameters, _) = try Self.parameters()
        let model = try CLIPTextModel(parameters: parameters)
        let cases: [[[Int32]]] = [[[49408]], [[-1]], [[1, 2], [3]], [Array(repeating: 1, count: 78)], []]
        for ids in cases {
            #expect {
                _ = try model.tokenEmbeddings(ids)
            } throws: { ($0 as? ModelError)?.kind == .invalidInput }
        }
    }

    @Test func outOfRangePositionIDsAreRejected() throws {
        let (parameters, _) = try Self.parameters()
        let ids = (0..<77).map { Float($0 == 5 ? 77 : $0) }
        let stored = StoredTensor(Tensor(shape: [1, 77], scalars: ids))
        #expect {
            _ = try CLIPTextModel(parameters: parameters.replacing(["text_model.embeddings.position_ids": stored]))
        } throws: { ($0 as? ModelError)?.kind == .weightShape }
    }

    @Test func embeddingsOfAnotherWidthStayText() throws {
        let (parameters, _) = try Self.parameters()
        let encoder = try CLIPTextModel(parameters: parameters)
        let tokenizer = try TextFixtures.tokenizer()
        let (conditioner, skipped) = try TextConditioner.webUI(
            encoder: encoder, tokenizer: tokenizer,
            embeddings: [
                "wide-one": Tensor(zeros: [2, 768]), Self.embeddingName: try ModelFixtures.embeddingVectors(),
            ])
        #expect(skipped == ["wide-one"])
        let plain = try TextConditioner.webUI(encoder: encoder, tokenizer: tokenizer).conditioner
        let prompt = "a photo, wide-one"
        #expect(try conditioner.encode(prompt).scalars == plain.encode(prompt).scalars)
        // The registered embedding does change the encoding.
        let withEmbedding = "a photo, \(Self.embeddingName)"
        #expect(try conditioner.encode(withEmbedding).scalars != plain.encode(withEmbedding).scalars)
    }

    @Test func anEmbeddingWithoutVectorsIsAnError() throws {
        let (parameters, _) = try Self.parameters()
        let encoder = try CLIPTextModel(parameters: parameters)
        let tokenizer = try TextFixtures.tokenizer()
        let table = try TextualInversionTable(vectorCounts: ["ghost": 2], tokenizer: tokenizer)
        let processor = PromptTextProcessor(chunker: try PromptChunker(tokenizer: tokenizer, embeddings: table))
        let conditioner = try TextConditioner(encoder: encoder, processor: processor)
        #expect {
            _ = try conditioner.encode("a ghost")
        } throws: { ($0 as? ModelError)?.kind == .invalidInput }
    }
}

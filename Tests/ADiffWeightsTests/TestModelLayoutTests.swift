import ADiffTensor
import Testing

@testable import ADiffWeights

/// Key sets and shapes against golden lists built from diffusers/transformers, and parameter
/// counts against published figures.
@Suite struct TestModelLayoutTests {
    @Test(arguments: [("sd15", SD15CheckpointConfig.sd15()), ("tiny", SD15CheckpointConfig.tiny())])
    func checkpointMatchesTheDiffusersGoldenList(preset: String, config: SD15CheckpointConfig) throws {
        let golden = try GoldenKeyList.load("\(preset)-checkpoint")
        let ours = GoldenKeyList.entries(try SD15CheckpointLayout.recipes(config))
        let differences = GoldenKeyList.differences(ours, golden)
        #expect(differences.isEmpty, "\(differences.prefix(10))")
        #expect(ours.count == (preset == "sd15" ? 1131 : 971))
    }

    @Test func tinyKeysAreTheRealKeysWithoutTheDeeperTextEncoderLayers() throws {
        let real = Set(try GoldenKeyList.load("sd15-checkpoint").keys)
        let tiny = Set(try SD15CheckpointLayout.recipes(.tiny()).map(\.name))
        let deeperLayers = real.filter { name in
            guard let range = name.range(of: "encoder.layers.") else { return false }
            return Int(name[range.upperBound...].prefix { $0.isNumber })! >= 2
        }
        #expect(tiny == real.subtracting(deeperLayers))
    }

    @Test(arguments: [MotionModuleVersion.v1, .v2, .hotshotXL])
    func motionModuleMatchesTheDiffusersGoldenList(version: MotionModuleVersion) throws {
        let golden = try GoldenKeyList.load("sd15-mm-\(version.rawValue)")
        let config = MotionModuleConfig.matching(.sd15, version: version, dtype: .float16)
        let differences = GoldenKeyList.differences(
            GoldenKeyList.entries(try MotionModuleLayout.recipes(config)), golden)
        #expect(differences.isEmpty, "\(differences.prefix(10))")
    }

    @Test func v3IsV1WithLongerTablesAndLCMIsV2WithoutTables() throws {
        var v3Expected = try GoldenKeyList.load("sd15-mm-v1")
        for (name, entry) in v3Expected where name.hasSuffix(".pe") {
            v3Expected[name] = .init(kind: entry.kind, shape: [1, 32, entry.shape[2]])
        }
        let v3 = GoldenKeyList.entries(try MotionModuleLayout.recipes(.matching(.sd15, version: .v3, dtype: .float16)))
        #expect(GoldenKeyList.differences(v3, v3Expected).isEmpty)

        let lcmExpected = try GoldenKeyList.load("sd15-mm-v2").filter { !$0.key.hasSuffix(".pe") }
        let lcm = GoldenKeyList.entries(
            try MotionModuleLayout.recipes(.matching(.sd15, version: .animateLCM, dtype: .float16)))
        #expect(GoldenKeyList.differences(lcm, lcmExpected).isEmpty)
    }

    private func parameters(_ recipes: [TensorRecipe], excluding: (String) -> Bool = { _ in false }) -> Int {
        recipes.filter { !excluding($0.name) }.reduce(0) { $0 + $1.elementCount }
    }

    @Test func parameterCountsMatchPublishedFigures() throws {
        // SD1.5: UNet 859,520,964, VAE 83,653,863, CLIP ViT-L/14 text 123,060,480.
        #expect(parameters(try UNetLDMLayout.recipes(.sd15, dtype: .float16)) == 859_520_964)
        #expect(parameters(try VAELDMLayout.recipes(.sd15, dtype: .float16)) == 83_653_863)
        #expect(
            parameters(try CLIPTextLayout.recipes(.sd15, dtype: .float16, includePositionIDs: false)) == 123_060_480)
        // animatediff-behaviour.md §1.2: v1/v3 417,137,600; v2 453,209,280; XL 236,779,200
        // (positional tables are buffers, not parameters).
        let isTable: (String) -> Bool = { $0.contains("pos_encoder") }
        let expected: [(MotionModuleVersion, Int)] = [
            (.v1, 417_137_600), (.v3, 417_137_600), (.v2, 453_209_280), (.animateLCM, 453_209_280),
            (.hotshotXL, 236_779_200),
        ]
        for (version, count) in expected {
            let recipes = try MotionModuleLayout.recipes(.matching(.sd15, version: version, dtype: .float16))
            #expect(parameters(recipes, excluding: isTable) == count, "\(version)")
        }
        // performance-baseline.md §3.2: a v2 module file holds 588 tensors.
        #expect(try MotionModuleLayout.recipes(.matching(.sd15, version: .v2, dtype: .float16)).count == 588)
    }

    @Test func hotshotUsesItsOriginalSpelling() throws {
        let names = try MotionModuleLayout.recipes(.matching(.sd15, version: .hotshotXL, dtype: .float16)).map(\.name)
        #expect(
            names.contains(
                "down_blocks.0.temporal_attentions.0.transformer_blocks.0.attention_blocks.1.pos_encoder.positional_encoding"
            ))
        #expect(names.contains("up_blocks.2.temporal_attentions.2.proj_out.weight"))
        let foreign = names.filter {
            $0.contains("temporal_transformer") || $0.contains("down_blocks.3") || $0.contains("mid_block")
        }
        #expect(foreign.isEmpty)
    }

    @Test func framesSetTheTableLength() throws {
        let recipes = try MotionModuleLayout.recipes(.matching(.sd15, version: .v2, frames: 16, dtype: .float16))
        let tables = recipes.filter { $0.name.hasSuffix("pos_encoder.pe") }
        #expect(tables.count == 42)
        let lengths = Set(tables.map { $0.shape.prefix(2) })
        #expect(lengths == [[1, 16]])
        let lcm = try MotionModuleLayout.recipes(.matching(.sd15, version: .animateLCM, frames: 16, dtype: .float16))
        #expect(lcm.filter { $0.name.contains("pos_encoder") }.isEmpty)
    }
}

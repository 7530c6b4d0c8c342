import ADiffTensor
import ADiffWeights
import Testing

@testable import ADiffModels

/// Family detection from tensor names and shapes (animatediff-behaviour.md §1.4), on every
/// file the test-model maker writes and on hand-made broken ones.
@Suite struct MotionModuleDetectionTests {
    typealias Version = ADiffModels.MotionModuleVersion

    static let sd15Channels = [32, 64, 128, 128]

    struct Family: Sendable, CustomTestStringConvertible {
        let file: String
        let version: Version
        let maximumFrames: Int
        let hasMid: Bool
        let groupNormHack: Bool
        var testDescription: String { file }
    }

    static let families: [Family] = [
        Family(file: "v1", version: .v1, maximumFrames: 24, hasMid: false, groupNormHack: true),
        Family(file: "v2", version: .v2, maximumFrames: 32, hasMid: true, groupNormHack: false),
        Family(file: "v3", version: .v3, maximumFrames: 32, hasMid: false, groupNormHack: false),
        Family(file: "lcm", version: .animateLCM, maximumFrames: 64, hasMid: true, groupNormHack: false),
        Family(file: "hotshot", version: .hotshotXL, maximumFrames: 24, hasMid: false, groupNormHack: true),
    ]

    static func expectError(
        _ kind: ModelError.Kind, containing fragments: [String], _ body: () throws -> Void
    ) {
        #expect {
            try body()
        } throws: { error in
            guard let error = error as? ModelError else { return false }
            return error.kind == kind && fragments.allSatisfy { error.message.contains($0) }
        }
    }

    @Test(arguments: families) func detectsEveryMakerFamily(_ family: Family) throws {
        // A misleading file name must not matter: detection reads names and shapes only.
        let file = try MotionFixtures.tinyFile(family.file)
        let parameters = ModelParameters(entries: file.entries, origin: "mm_sdxl_v10_beta.safetensors")
        let set = try MotionModuleSet(parameters: parameters)
        #expect(set.version == family.version)
        #expect(set.maximumFrames == family.maximumFrames)
        #expect(set.usesGroupNormHack == family.groupNormHack)
        #expect((set.mid != nil) == family.hasMid)
        #expect(set.hadHotShotSpelling == (family.version == .hotshotXL))
        let levels = family.version.isSDXL ? 3 : 4
        #expect(set.channelsPerLevel == Array(Self.sd15Channels.prefix(levels)))
        for level in 0..<levels {
            for index in 0..<2 {
                #expect(set.down(block: level, index: index)?.channels == set.channelsPerLevel[level])
            }
            for index in 0..<3 {
                #expect(set.up(block: level, index: index)?.channels == set.channelsPerLevel[levels - 1 - level])
            }
        }
        #expect(set.down(block: levels, index: 0) == nil)
        #expect(set.down(block: 0, index: 2) == nil)
        #expect(set.up(block: 0, index: 3) == nil)
        #expect(set.residentBytes == file.residentBytes)
    }

    @Test func residentBytesFollowThePerModuleParameterCount() throws {
        // 22·C² + 21·C parameters per module (animatediff-behaviour.md §1.2) plus two [1, 32, C] tables.
        let set = try MotionModuleSet(parameters: try MotionFixtures.tinyFile("v2"))
        let moduleChannels =
            Self.sd15Channels.flatMap { [$0, $0] } + [128] + Self.sd15Channels.reversed().flatMap { [$0, $0, $0] }
        let floats = moduleChannels.reduce(0) { $0 + 22 * $1 * $1 + 21 * $1 + 2 * 32 * $1 }
        #expect(set.residentBytes == 4 * floats)
    }

    @Test func animateDiffXLIsAThreeLevelFileWith32Positions() throws {
        let config = MotionModuleConfig(
            version: .v3, blockChannels: [32, 64, 128], positionalEncodingLength: 32, dtype: .float32)
        let parameters = try MotionFixtures.parameters(try MotionModuleLayout.recipes(config), seed: 1, origin: "xl")
        let set = try MotionModuleSet(parameters: parameters)
        #expect(set.version == .animateDiffXL)
        #expect(set.version.isSDXL)
        #expect(!set.usesGroupNormHack)
        #expect(set.maximumFrames == 32)
        #expect(set.version.displayName.contains("SDXL motion module"))
    }

    @Test func hotShotNamesAreRenamedToTheAnimateDiffSpelling() throws {
        let file = try MotionFixtures.tinyFile("hotshot")
        let set = try MotionModuleSet(parameters: file)
        let original =
            "up_blocks.1.temporal_attentions.2.transformer_blocks.0.attention_blocks.1.pos_encoder.positional_encoding"
        let renamed =
            "up_blocks.1.motion_modules.2.temporal_transformer.transformer_blocks.0.attention_blocks.1.pos_encoder.pe"
        #expect(file.contains(original))
        #expect(try set.parameters.stored(renamed) == file.stored(original))
        #expect(set.parameters.entries.count == file.entries.count)
        #expect(!set.parameters.entries.keys.contains { $0.contains("temporal_attentions") })
    }

    @Test func aV2FileWithoutPositionalTablesIsAnimateLCM() throws {
        let v2 = try MotionFixtures.tinyFile("v2")
        let stripped = ModelParameters(entries: v2.entries.filter { !$0.key.hasSuffix("pos_encoder.pe") }, origin: "v2")
        let set = try MotionModuleSet(parameters: stripped)
        #expect(set.version == .animateLCM)
        #expect(set.maximumFrames == 64)
    }

    @Test func aStateDictWrapperIsStripped() throws {
        let v3 = try MotionFixtures.tinyFile("v3")
        var entries: [String: StoredTensor] = [:]
        for (name, tensor) in v3.entries { entries["state_dict." + name] = tensor }
        #expect(try MotionModuleSet(parameters: ModelParameters(entries: entries, origin: "v3.ckpt")).version == .v3)
    }

    @Test func garbageNamesAreNotAMotionModule() throws {
        let tensor = StoredTensor(Tensor(zeros: [4]))
        let parameters = ModelParameters(
            entries: ["model.diffusion_model.out.0.weight": tensor, "first_stage_model.decoder.conv_in.bias": tensor],
            origin: "sd15.safetensors")
        Self.expectError(
            .unsupportedArchitecture, containing: ["sd15.safetensors", "not an AnimateDiff motion module"]
        ) {
            _ = try MotionModuleSet(parameters: parameters)
        }
        Self.expectError(.unsupportedArchitecture, containing: ["not an AnimateDiff motion module"]) {
            _ = try MotionModuleSet(parameters: ModelParameters(entries: [:], origin: "empty"))
        }
    }

    @Test func aDiffusersMotionAdapterGetsAHint() throws {
        // diffusers' layout drops the `temporal_transformer.` level (and renames the blocks).
        let v2 = try MotionFixtures.tinyFile("v2")
        var entries: [String: StoredTensor] = [:]
        for (name, tensor) in v2.entries {
            entries[name.replacingOccurrences(of: ".temporal_transformer", with: "")] = tensor
        }
        Self.expectError(.unsupportedArchitecture, containing: ["diffusers MotionAdapter"]) {
            _ = try MotionModuleSet(parameters: ModelParameters(entries: entries, origin: "adapter"))
        }
    }

    @Test func v1WithoutPositionalTablesIsAmbiguousUnlessDeclared() throws {
        let v1 = try MotionFixtures.tinyFile("v1")
        let stripped = ModelParameters(
            entries: v1.entries.filter { !$0.key.hasSuffix("pos_encoder.pe") }, origin: "pruned")
        Self.expectError(.unsupportedArchitecture, containing: ["pruned", "v1 or v3"]) {
            _ = try MotionModuleSet(parameters: stripped)
        }
        let declared = try MotionModuleSet(parameters: stripped, declaredVersion: .v3)
        #expect(declared.version == .v3)
        #expect(declared.maximumFrames == 32)
        Self.expectError(.unsupportedArchitecture, containing: ["declared", "no mid-block"]) {
            _ = try MotionModuleSet(parameters: stripped, declaredVersion: .v2)
        }
        Self.expectError(.unsupportedArchitecture, containing: ["declared", "4 levels"]) {
            _ = try MotionModuleSet(parameters: stripped, declaredVersion: .hotshotXL)
        }
    }

    @Test func aMissingModuleIsAnIrregularInventory() throws {
        let v2 = try MotionFixtures.tinyFile("v2")
        let entries = v2.entries.filter { !$0.key.hasPrefix("up_blocks.2.motion_modules.2.") }
        Self.expectError(.unsupportedArchitecture, containing: ["up_blocks.2"]) {
            _ = try MotionModuleSet(parameters: ModelParameters(entries: entries, origin: "broken"))
        }
    }

    @Test func aMissingTensorIsNamed() throws {
        let v2 = try MotionFixtures.tinyFile("v2")
        let name = "mid_block.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.1.to_k.weight"
        let entries = v2.entries.filter { $0.key != name }
        Self.expectError(.missingWeight, containing: [name]) {
            _ = try MotionModuleSet(parameters: ModelParameters(entries: entries, origin: "broken"))
        }
    }

    @Test func aMisshapenTensorIsNamed() throws {
        let v2 = try MotionFixtures.tinyFile("v2")
        let name = "down_blocks.1.motion_modules.0.temporal_transformer.transformer_blocks.0.ff.net.2.weight"
        let parameters = v2.replacing([name: StoredTensor(Tensor(zeros: [64, 64]))])
        Self.expectError(.weightShape, containing: [name, "[64, 64]", "[64, 256]"]) {
            _ = try MotionModuleSet(parameters: parameters)
        }
    }

    @Test func aStrayTensorInAModuleIsRejected() throws {
        let v2 = try MotionFixtures.tinyFile("v2")
        let name =
            "down_blocks.0.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.to_q.bias"
        let parameters = v2.replacing([name: StoredTensor(Tensor(zeros: [32]))])
        Self.expectError(.unsupportedArchitecture, containing: [name]) {
            _ = try MotionModuleSet(parameters: parameters)
        }
    }

    @Test func mismatchedChannelsBetweenLevelsAreRejected() throws {
        // Up level 0 must mirror the innermost down level.
        let v1 = try MotionFixtures.tinyFile("v1")
        let name = "up_blocks.0.motion_modules.1.temporal_transformer.norm.weight"
        let parameters = v1.replacing([name: StoredTensor(Tensor(zeros: [64]))])
        Self.expectError(.weightShape, containing: ["up_blocks.0"]) {
            _ = try MotionModuleSet(parameters: parameters)
        }
    }
}

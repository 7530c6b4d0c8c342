import ADiffTensor
import ADiffWeights
import Testing

@testable import ADiffModels

/// Temporal-module numerics against the original-AnimateDiff reference
/// (scripts/fixtures/make_motion_fixtures.py), frame limits, compatibility and precision.
@Suite struct MotionModuleTests {
    static let tolerance: Float = 1e-4

    /// The tiny v2 set with the fixture script's norm parameters, in `dtype`.
    static func referenceSet(dtype: DType = .float32) throws -> MotionModuleSet {
        try MotionModuleSet(parameters: MotionFixtures.withNormAffine(MotionFixtures.tinyFile("v2", dtype: dtype)))
    }

    /// The module at an AnimateDiff prefix such as `up_blocks.2.motion_modules.1`.
    static func module(_ set: MotionModuleSet, at prefix: String) -> MotionModule? {
        let parts = prefix.split(separator: ".")
        if parts.first == "mid_block" { return set.mid }
        guard parts.count == 4, let block = Int(parts[1]), let index = Int(parts[3]) else { return nil }
        return parts[0] == "down_blocks" ? set.down(block: block, index: index) : set.up(block: block, index: index)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let key: String
        var testDescription: String { key }
    }

    @Test(arguments: [Case(key: "single.f8"), Case(key: "single.f16")])
    func singleModuleMatchesTheOriginal(_ fixture: Case) throws {
        let golden = try MotionFixtures.goldenFile()
        let spec = try MotionFixtures.metadataObject(golden, fixture.key)
        let shape = try #require(spec["shape"] as? [Int])
        let frames = try #require(spec["frames"] as? Int)
        let salt = try #require(spec["salt"] as? Int)
        #expect(golden.metadata["single.module"] == "down_blocks.1.motion_modules.1.temporal_transformer")
        let module = try #require(try Self.referenceSet().down(block: 1, index: 1))
        #expect(module.name == "down_blocks.1.motion_modules.1.temporal_transformer")
        let expected = try golden.load(fixture.key).widened()
        let x = MotionFixtures.input(shape: shape, salt: salt)
        #expect(shape[0] == 2 * frames)

        let batched = try module(x, framesPerVideo: frames)
        let batchedError = MotionFixtures.relativeError(batched, expected)
        print("motion \(fixture.key) 2 videos × \(frames) frames: max rel err \(batchedError)")
        #expect(batchedError <= Self.tolerance)

        for video in 0..<2 {
            let rows = (video * frames)..<((video + 1) * frames)
            let single = try module(try MotionFixtures.rows(x, rows), framesPerVideo: frames)
            let error = MotionFixtures.relativeError(single, try MotionFixtures.rows(expected, rows))
            print("motion \(fixture.key) video \(video) alone: max rel err \(error)")
            #expect(error <= Self.tolerance)
        }
    }

    @Test func everyModuleOfTheSetMatchesTheOriginal() throws {
        let golden = try MotionFixtures.goldenFile()
        let salts = try #require(try MotionFixtures.metadataObject(golden, "set")["salts"] as? [String: Int])
        let set = try Self.referenceSet()
        #expect(salts.count == 21)
        var worst: Float = 0
        for (prefix, salt) in salts.sorted(by: { $0.key < $1.key }) {
            let module = try #require(Self.module(set, at: prefix), "no module at \(prefix)")
            #expect(module.name == prefix + ".temporal_transformer")
            let x = MotionFixtures.input(shape: [8, 2, 1, module.channels], salt: salt)
            let error = MotionFixtures.relativeError(
                try module(x, framesPerVideo: 8), try golden.load("set." + prefix).widened())
            #expect(error <= Self.tolerance, "\(prefix): \(error)")
            worst = max(worst, error)
        }
        print("motion set: 21 modules of tiny-mm-v2, worst max rel err \(worst)")
    }

    @Test func pixelChunksGiveTheSameResult() throws {
        let module = try #require(try Self.referenceSet().up(block: 3, index: 2))
        let x = MotionFixtures.input(shape: [2 * 6, 3, 5, module.channels], salt: 7)
        let whole = try module.apply(x, framesPerVideo: 6, chunkFloats: 1 << 30)
        // 8·C·rows floats per pixel: chunks of 2 pixels, the last one of 1.
        let chunked = try module.apply(x, framesPerVideo: 6, chunkFloats: 2 * 8 * module.channels * 12)
        #expect(MotionFixtures.relativeError(chunked, whole) <= 1e-6)
    }

    @Test func zeroProjectionOutIsTheIdentity() throws {
        let set = try Self.referenceSet()
        let prefix = "down_blocks.0.motion_modules.0.temporal_transformer.proj_out."
        let zeroed = try set.replacing([
            prefix + "weight": StoredTensor(Tensor(zeros: [32, 32])),
            prefix + "bias": StoredTensor(Tensor(zeros: [32])),
        ])
        let x = MotionFixtures.input(shape: [8, 2, 2, 32], salt: 3)
        let module = try #require(zeroed.down(block: 0, index: 0))
        #expect(try module(x, framesPerVideo: 8).scalars == x.scalars)
        #expect(zeroed.version == .v2)
    }

    @Test func framesAboveTheMaximumAreInvalidInput() throws {
        let set = try MotionModuleSet(parameters: MotionFixtures.tinyFile("v1"))
        #expect(set.maximumFrames == 24)
        let module = try #require(set.down(block: 0, index: 0))
        let x = MotionFixtures.input(shape: [25, 1, 2, 32], salt: 0)
        MotionModuleDetectionTests.expectError(.invalidInput, containing: ["25", "24"]) {
            _ = try module(x, framesPerVideo: 25)
        }
        MotionModuleDetectionTests.expectError(.invalidInput, containing: ["25", "24"]) {
            try set.validate(framesPerVideo: 25)
        }
        try set.validate(framesPerVideo: 24)
        #expect(
            try module(MotionFixtures.input(shape: [24, 1, 2, 32], salt: 0), framesPerVideo: 24).shape == [
                24, 1, 2, 32,
            ])
    }

    @Test func malformedInputsAreInvalidInput() throws {
        let module = try #require(try Self.referenceSet().down(block: 0, index: 0))
        let x = MotionFixtures.input(shape: [12, 2, 2, 32], salt: 0)
        MotionModuleDetectionTests.expectError(.invalidInput, containing: ["12 rows", "8-frame"]) {
            _ = try module(x, framesPerVideo: 8)
        }
        MotionModuleDetectionTests.expectError(.invalidInput, containing: ["at least 1"]) {
            _ = try module(x, framesPerVideo: 0)
        }
        MotionModuleDetectionTests.expectError(.invalidInput, containing: ["[12, 2, 2, 16]"]) {
            _ = try module(MotionFixtures.input(shape: [12, 2, 2, 16], salt: 0), framesPerVideo: 4)
        }
    }

    @Test func sdxlModulesDoNotFitAnSD15UNet() throws {
        let hotShot = try MotionModuleSet(parameters: MotionFixtures.tinyFile("hotshot"))
        MotionModuleDetectionTests.expectError(
            .incompatibleModel,
            containing: ["tiny-mm-hotshot.safetensors", "SDXL", "SD1.5", "3 levels", "4 levels", "dream.safetensors"]
        ) {
            try hotShot.checkCompatible(
                withChannelsPerLevel: [32, 64, 128, 128], contextWidth: 768, checkpointName: "dream.safetensors")
        }
        try hotShot.checkCompatible(withChannelsPerLevel: [32, 64, 128], contextWidth: 2048)

        let v2 = try MotionModuleSet(parameters: MotionFixtures.tinyFile("v2"))
        try v2.checkCompatible(withChannelsPerLevel: [32, 64, 128, 128], contextWidth: 768)
        MotionModuleDetectionTests.expectError(.incompatibleModel, containing: ["SD1.5", "SDXL"]) {
            try v2.checkCompatible(withChannelsPerLevel: [32, 64, 128], contextWidth: 2048)
        }
        MotionModuleDetectionTests.expectError(
            .incompatibleModel, containing: ["320, 640, 1280, 1280", "channels differ"]
        ) {
            try v2.checkCompatible(withChannelsPerLevel: [320, 640, 1280, 1280], contextWidth: 768)
        }
        MotionModuleDetectionTests.expectError(.incompatibleModel, containing: ["SD2.x"]) {
            try v2.checkCompatible(withChannelsPerLevel: [32, 64, 128, 128], contextWidth: 1024)
        }
    }

    @Test func fp16WeightsRunAsTheirExactWidening() throws {
        let half = try MotionFixtures.withNormAffine(MotionFixtures.tinyFile("v2", dtype: .float16))
        let halfSet = try MotionModuleSet(parameters: half)
        let wideSet = try MotionModuleSet(parameters: try MotionFixtures.widened(half))
        let floatSet = try Self.referenceSet()
        #expect(halfSet.residentBytes * 2 == wideSet.residentBytes)
        let x = MotionFixtures.input(shape: [16, 4, 4, 64], salt: 1)
        let halfModule = try #require(halfSet.down(block: 1, index: 1))
        let wideModule = try #require(wideSet.down(block: 1, index: 1))
        let floatModule = try #require(floatSet.down(block: 1, index: 1))
        let fromHalf = try halfModule(x, framesPerVideo: 8)
        let fromWide = try wideModule(x, framesPerVideo: 8)
        let fromFloat = try floatModule(x, framesPerVideo: 8)
        #expect(fromHalf.scalars == fromWide.scalars)
        // The fp16 file holds the F32 weights rounded to 11 bits: close, not equal.
        let roundingError = MotionFixtures.relativeError(fromHalf, fromFloat)
        print("motion fp16 weights vs F32 weights: max rel err \(roundingError)")
        #expect(roundingError > 0 && roundingError < 1e-2)
    }
}

import ADiffTensor
import ADiffWeights
import Testing

@testable import ADiffModels

/// The autoencoder against diffusers' `AutoencoderKL` loaded through its ldm converter
/// (scripts/fixtures/make_vae_fixtures.py), plus tiling and input checks.
@Suite struct VAEModelTests {
    /// The tiny checkpoint's VAE weights with the golden file's norm overrides.
    static func parameters() throws -> (ModelParameters, any WeightFile) {
        let fixture = try ModelFixtures.open("VAE/autoencoder.safetensors")
        let base = try ModelFixtures.checkpointParameters(prefix: "first_stage_model.")
        return (base.replacing(try ModelFixtures.overrides(fixture)), fixture)
    }

    static func report(_ label: String, _ value: Tensor, _ reference: Tensor) -> Float {
        let error = ModelFixtures.relativeError(value, reference)
        print("VAE \(label): \(reference.shape), max rel err \(error)")
        return error
    }

    @Test func architectureComesFromTheWeights() throws {
        let (parameters, _) = try Self.parameters()
        let vae = try VAEModel(parameters: parameters)
        #expect(vae.latentChannels == 4)
        #expect(vae.imageChannels == 3)
        #expect(vae.downscale == 8)
        #expect(vae.canEncode)
        #expect(vae.scaleFactor == 0.18215)
    }

    @Test func encodeMatchesTheReference() throws {
        let (parameters, fixture) = try Self.parameters()
        let vae = try VAEModel(parameters: parameters)
        let image = try ModelFixtures.tensor(fixture, "image")
        let mean = try vae.encode(image)
        #expect(Self.report("encode mean", mean, try ModelFixtures.tensor(fixture, "latentMean")) <= 1e-4)
        let sample = try vae.encode(image, noise: try ModelFixtures.tensor(fixture, "noise"))
        #expect(Self.report("encode sample", sample, try ModelFixtures.tensor(fixture, "latentSample")) <= 1e-4)
    }

    @Test func decodeMatchesTheReference() throws {
        let (parameters, fixture) = try Self.parameters()
        let vae = try VAEModel(parameters: parameters)
        let latents = try ModelFixtures.tensor(fixture, "latents")
        let reference = try ModelFixtures.tensor(fixture, "decoded")
        #expect(Self.report("decode (raw)", try vae.decode(latents, clamped: false), reference) <= 1e-4)
        var clampedReference = reference
        clampedReference.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = min(max(values[index], -1), 1) }
        }
        let clamped = try vae.decode(latents)
        #expect(Self.report("decode (clamped)", clamped, clampedReference) <= 1e-4)
        #expect(clamped.scalars.allSatisfy { (-1...1).contains($0) })
        // The random weights push some pixels past ±1, so the clamp is exercised.
        #expect(reference.scalars.contains { abs($0) > 1 })
    }

    @Test func framesAreDecodedOneByOne() throws {
        let (parameters, fixture) = try Self.parameters()
        let vae = try VAEModel(parameters: parameters)
        let latents = try ModelFixtures.tensor(fixture, "latents")
        let whole = try vae.decode(latents)
        var seen: [Int] = []
        try vae.decodeFrames(latents) { index, image in
            seen.append(index)
            let expected = try whole.batchSlice(index..<(index + 1))
            #expect(image.shape == [1, 24, 40, 3])
            #expect(image.scalars == expected.scalars)
        }
        #expect(seen == [0, 1])
    }

    @Test func linearAttentionWeightsGiveTheSameResult() throws {
        let (parameters, fixture) = try Self.parameters()
        var linear: [String: StoredTensor] = [:]
        for (name, stored) in parameters.entries
        where name.contains("attn_1.") && name.hasSuffix(".weight") && stored.shape.count == 4 {
            linear[name] = try StoredTensor(
                dtype: stored.dtype, shape: [stored.shape[0], stored.shape[1]], bytes: stored.bytes)
        }
        #expect(linear.count == 8)
        let latents = try ModelFixtures.tensor(fixture, "latents")
        let image = try ModelFixtures.tensor(fixture, "image")
        let convolutional = try VAEModel(parameters: parameters)
        let linearised = try VAEModel(parameters: parameters.replacing(linear))
        #expect(try linearised.decode(latents).scalars == convolutional.decode(latents).scalars)
        #expect(try linearised.encode(image).scalars == convolutional.encode(image).scalars)
    }

    @Test func decoderOnlyWeightsDecodeButDoNotEncode() throws {
        let (parameters, fixture) = try Self.parameters()
        let decoderOnly = ModelParameters(
            entries: parameters.entries.filter { !$0.key.hasPrefix("encoder.") && !$0.key.hasPrefix("quant_conv.") },
            origin: "decoder only")
        let vae = try VAEModel(parameters: decoderOnly)
        #expect(!vae.canEncode)
        let latents = try ModelFixtures.tensor(fixture, "latents")
        #expect(try vae.decode(latents).scalars == VAEModel(parameters: parameters).decode(latents).scalars)
        #expect {
            _ = try vae.encode(try ModelFixtures.tensor(fixture, "image"))
        } throws: { ($0 as? ModelError)?.kind == .unsupportedArchitecture }
    }

    @Test func tilingAFrameSmallerThanOneTileChangesNothing() throws {
        let (parameters, fixture) = try Self.parameters()
        let vae = try VAEModel(parameters: parameters)
        let latents = try ModelFixtures.tensor(fixture, "latents")
        let untiled = try vae.decode(latents, clamped: false)
        for tiling in [try VAETiling(), try VAETiling(tileSize: 5, overlap: 2)] {
            #expect(try vae.decode(latents, clamped: false, tiling: tiling).scalars == untiled.scalars)
        }
    }

    @Test func tilesArePlacedAndBlended() throws {
        let (parameters, _) = try Self.parameters()
        let vae = try VAEModel(parameters: parameters)
        // 7×7 latents in 4×4 tiles overlapping by 1: tiles start at 0 and 3 on both axes.
        let tiling = try VAETiling(tileSize: 4, overlap: 1)
        #expect(tiling.starts(extent: 7) == [0, 3])
        var random = SplitMix(seed: 11)
        let latents = Tensor(shape: [1, 7, 7, 4], scalars: (0..<196).map { _ in random.nextSigned() })
        let tiled = try vae.decode(latents, clamped: false, tiling: tiling)
        let untiled = try vae.decode(latents, clamped: false)
        #expect(tiled.shape == [1, 56, 56, 3])

        // Image pixels 0..<24 on both axes belong to the first tile only, at full weight.
        var firstTile = Tensor(uninitialized: [1, 4, 4, 4])
        firstTile.withUnsafeMutableBufferPointer { destination in
            latents.withUnsafeBufferPointer { source in
                for row in 0..<4 {
                    for value in 0..<16 { destination[row * 16 + value] = source[row * 28 + value] }
                }
            }
        }
        let alone = try vae.decode(firstTile, clamped: false)
        var maximum: Float = 0
        for y in 0..<24 {
            for x in 0..<24 {
                for c in 0..<3 {
                    maximum = max(maximum, abs(tiled[0, y, x, c] - alone[0, y, x, c]))
                }
            }
        }
        #expect(maximum == 0)
        // Tiles see less context than the whole frame (GroupNorm statistics, attention), so the
        // result differs from the untiled decode (documented on VAETiling).
        let difference = ModelFixtures.relativeError(tiled, untiled)
        print("VAE tiled (4×4 tiles, overlap 1) vs untiled on 7×7 latents: max rel diff \(difference)")
        #expect(difference > 0)
        let finite = tiled.scalars.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test func tilingOptionsAreChecked() throws {
        #expect(throws: ModelError.self) { _ = try VAETiling(tileSize: 4, overlap: 4) }
        #expect(throws: ModelError.self) { _ = try VAETiling(tileSize: 0, overlap: 0) }
        #expect(throws: ModelError.self) { _ = try VAETiling(tileSize: 4, overlap: -1) }
        let tiling = try VAETiling(tileSize: 64, overlap: 8)
        #expect(tiling.starts(extent: 64) == [0])
        #expect(tiling.starts(extent: 100) == [0, 36])
        #expect(tiling.starts(extent: 128) == [0, 56, 64])
    }

    @Test func badShapesAreRejected() throws {
        let (parameters, _) = try Self.parameters()
        let vae = try VAEModel(parameters: parameters)
        #expect {
            _ = try vae.decode(Tensor(zeros: [1, 2, 2, 3]))
        } throws: { ($0 as? ModelError)?.kind == .invalidInput }
        #expect {
            _ = try vae.encode(Tensor(zeros: [1, 12, 16, 3]))
        } throws: { ($0 as? ModelError)?.kind == .invalidInput }
        #expect {
            _ = try vae.encode(Tensor(zeros: [1, 16, 16, 3]), noise: Tensor(zeros: [1, 2, 2, 3]))
        } throws: { ($0 as? ModelError)?.kind == .invalidInput }
    }
}

/// A small deterministic generator for test inputs.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    /// Uniform in [−1, 1).
    mutating func nextSigned() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }
}

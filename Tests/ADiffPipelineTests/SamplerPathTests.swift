import ADiffModels
import ADiffTensor
import Testing
@testable import ADiffPipeline

/// Sampler families and noise options the Python reference does not cover: DPM++ SDE with its
/// per-frame Brownian trees, variation seeds with ENSD, NV noise.
@Suite struct SamplerPathTests {
    private func run(_ configure: (inout GenerationRequest) -> Void) throws -> [Float] {
        let fixture = PipelineFixture.shared
        var request = fixture.request(try #require(fixture.cases.first { $0.name == "dpmpp2m_karras_mode_n" }))
        configure(&request)
        let output = try Pipeline.generate(
            request, models: fixture.models(AnalyticPredictor()), options: GenerationOptions(returnLatents: true))
        return try #require(output.videos.first?.latents).scalars
    }

    @Test func dpmppSDEIsDeterministicPerSeed() throws {
        let a = try run { $0.samplerName = "DPM++ SDE" }
        let b = try run { $0.samplerName = "DPM++ SDE" }
        let c = try run {
            $0.samplerName = "DPM++ SDE"
            $0.seed = 43
        }
        #expect(a == b)
        #expect(a != c)
        #expect(a.allSatisfy { $0.isFinite })
    }

    @Test func variationSeedsAndENSDChangeOnlyWhatTheyShould() throws {
        let base = try run { $0.samplerName = "Euler a" }
        let ensd = try run {
            $0.samplerName = "Euler a"
            $0.etaNoiseSeedDelta = 31337
        }
        let variation = try run {
            $0.samplerName = "Euler a"
            $0.subseed = 5
            $0.subseedStrength = 0.3
        }
        let nv = try run {
            $0.samplerName = "Euler a"
            $0.randnSource = .nv
        }
        #expect(base != ensd && base != variation && base != nv)
        #expect([ensd, variation, nv].allSatisfy { frames in frames.allSatisfy { $0.isFinite } })
        // Without ancestral noise ENSD changes nothing.
        let plainENSD = try run { $0.etaNoiseSeedDelta = 31337 }
        let plain = try run { _ in }
        #expect(plainENSD == plain)
    }
}

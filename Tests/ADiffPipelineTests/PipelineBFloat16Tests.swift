import ADiffTensor
import Foundation
import Testing

@testable import ADiffPipeline

/// The bf16 compute mode on the whole tiny-model pipeline: its accuracy against the fp32
/// reference of `PipelineEndToEndTests` (scripts/fixtures/make_pipeline_e2e_fixtures.py).
@Suite(.enabled(if: ComputePrecision.bfloat16.isSupported, "needs a CPU with AVX512-BF16"))
struct PipelineBFloat16Tests {
    /// Every product of the tiny networks goes through bf16 (the measured thresholds would leave
    /// the tiny products in fp32). The final latents stay within 5e-2 relative of the fp32
    /// reference, and differ from it by more than fp32 rounding, which shows bf16 was used.
    @Test func txt2vidInBFloat16StaysCloseToTheFP32Reference() throws {
        let data = try Data(contentsOf: PipelineEndToEndTests.url)
        let cases = try JSONDecoder().decode(PipelineEndToEndTests.Fixture.self, from: data).cases
        let c = try #require(cases.first { $0.strength == nil })
        let models = try PipelineEndToEndTests.models()
        let request = PipelineFixture.shared.request(c)
        let output = try BLAS.$bfloat16Routing.withValue(.everything) {
            try Pipeline.generate(
                request, models: models, options: GenerationOptions(returnLatents: true, precision: .bfloat16))
        }
        let latents = try #require(output.videos.first?.latents)
        let error = PipelineFixture.relativeError(latents.scalars, c.latents)
        print("\(c.name) in bf16: final latents max relative error \(error) against the fp32 reference")
        #expect(error <= 5e-2)
        #expect(error > 1e-4, "bf16 rounding should show in the latents")
    }
}

import Foundation
import Testing
@testable import ADiffPipeline

/// Trajectories from scripts/fixtures/make_sampler_fixtures.py: k-diffusion's samplers and
/// CompVisDenoiser on a synthetic ε model, with the per-step noise recorded.
@Suite struct SamplerTests {
    private struct Fixture: Decodable {
        let weights: [Float]
        let noise: [Float]
        let sigmas: [Float]
        let lcmSigmas: [Float]
        let stepNoise: [[Float]]
        let results: [String: [Float]]
    }

    private let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Pipeline/samplers.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// The fixture's ε(x, t) = tanh(0.7 x + 0.001 t w) + 0.1 x.
    private func model(_ weights: [Float]) -> EpsilonModel {
        { x, t in zip(x, weights).map { tanhf(0.7 * $0 + 0.001 * t * $1) + 0.1 * $0 } }
    }

    /// Hands out the recorded draws in order.
    private final class Draws: @unchecked Sendable {
        private let draws: [[Float]]
        private(set) var taken = 0
        init(_ draws: [[Float]]) { self.draws = draws }
        func next() -> [Float] {
            defer { taken += 1 }
            return draws[taken]
        }
    }

    private func run(_ sampler: some Sampler, lcm: Bool = false) throws -> (result: [Float], draws: Int) {
        let sigmas = lcm ? fixture.lcmSigmas : fixture.sigmas
        let draws = Draws(fixture.stepNoise)
        let noise = SamplerNoise(draw: { draws.next() }, brownian: { _, _ in [] })
        let start = fixture.noise.map { $0 * sigmas[0] }
        var steps: [Int] = []
        let result: [Float]
        if lcm {
            var denoiser = LCMDenoiser(schedule: LCMSchedule(.stableDiffusion), model: model(fixture.weights))
            result = try sampler.sample(start, sigmas: sigmas, denoiser: &denoiser, noise: noise) { steps.append($0) }
        } else {
            var denoiser = KDiffusionDenoiser(schedule: .stableDiffusion, model: model(fixture.weights))
            result = try sampler.sample(start, sigmas: sigmas, denoiser: &denoiser, noise: noise) { steps.append($0) }
        }
        #expect(steps == Array(0..<(sigmas.count - 1)))
        return (result, draws.taken)
    }

    /// max |a − b| / max |b|, the error measure stated for every reference comparison.
    private func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    @Test(arguments: ["Euler", "Euler a", "Heun", "DPM++ 2M"])
    func kDiffusionSamplersMatchTheReference(name: String) throws {
        let sampler: any Sampler = switch name {
        case "Euler": EulerSampler()
        case "Euler a": EulerAncestralSampler()
        case "Heun": HeunSampler()
        default: DPMPP2MSampler()
        }
        #expect(sampler.name == name)
        let (result, draws) = try run(sampler)
        #expect(relativeError(result, fixture.results[name]!) <= 1e-5, "\(name)")
        // One draw per step for Euler/Heun (unused), one per step with σ' > 0 for Euler a.
        let expectedDraws = ["Euler": 10, "Heun": 10, "Euler a": 9, "DPM++ 2M": 0][name]!
        #expect(draws == expectedDraws)
    }

    @Test func lcmMatchesTheSpecFormula() throws {
        let (result, draws) = try run(LCMSampler(), lcm: true)
        #expect(relativeError(result, fixture.results["LCM"]!) <= 1e-5)
        #expect(draws == 5)
    }

    @Test func cancellationStopsWithinAStep() {
        struct Cancelled: Error {}
        var evaluations = 0
        var denoiser = KDiffusionDenoiser(schedule: .stableDiffusion) { x, _ in
            evaluations += 1
            if evaluations == 3 { throw Cancelled() }
            return x
        }
        let noise = SamplerNoise(draw: { [Float](repeating: 0, count: 4) }, brownian: { _, _ in [] })
        #expect(throws: Cancelled.self) {
            _ = try EulerSampler().sample([1, 2, 3, 4], sigmas: [3, 2, 1, 0.5, 0], denoiser: &denoiser, noise: noise) { _ in }
        }
        #expect(evaluations == 3)
    }
}

@Suite struct SamplerCatalogTests {
    @Test func namesResolveWithTheirDefaultSchedules() throws {
        #expect(try SamplerCatalog.resolve(sampler: "Euler a").schedule == .uniform)
        #expect(try SamplerCatalog.resolve(sampler: "DPM++ 2M").schedule == .karras)
        #expect(try SamplerCatalog.resolve(sampler: "DPM++ 2M", schedule: "Exponential").schedule == .exponential)
        let old = try SamplerCatalog.resolve(sampler: "DPM++ 2M Karras")
        #expect(old.sampler.name == "DPM++ 2M" && old.schedule == .karras)
        let oldUniform = try SamplerCatalog.resolve(sampler: "Euler Exponential")
        #expect(oldUniform.sampler.name == "Euler" && oldUniform.schedule == .exponential)
    }

    @Test func unknownNamesAreRejectedWithTheirField() {
        for (sampler, schedule, field) in [("Nope", "Automatic", "sampler_name"), ("Euler", "Wobbly", "scheduler")] {
            do {
                _ = try SamplerCatalog.resolve(sampler: sampler, schedule: schedule)
                Issue.record("\(sampler)/\(schedule) resolved")
            } catch let error as PipelineError {
                #expect(error.field == field)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}

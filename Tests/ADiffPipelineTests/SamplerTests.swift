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
        let brownianSeeds: [UInt64]
        let brownianQueries: [[Float]]
        let brownianNoise: [[Float]]
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

    /// torchsde's trees with its own CPU normals; ours use the torch-CPU generator, which is
    /// within a few ULP of torch's, hence a tolerance rather than bit equality.
    @Test func brownianTreeNoiseMatchesTorchsde() {
        let brownian = BrownianNoise(
            seeds: fixture.brownianSeeds, elementsPerFrame: fixture.noise.count / 2, sigmas: fixture.sigmas, source: .cpu
        )
        for (query, expected) in zip(fixture.brownianQueries, fixture.brownianNoise) {
            let noise = brownian.noise(from: query[0], to: query[1])
            #expect(relativeError(noise, expected) <= 1e-5, "query \(query)")
        }
    }

    @Test func dpmppSDEMatchesKDiffusionWithBrownianTrees() throws {
        let brownian = BrownianNoise(
            seeds: fixture.brownianSeeds, elementsPerFrame: fixture.noise.count / 2, sigmas: fixture.sigmas, source: .cpu
        )
        let noise = SamplerNoise(draw: { [] }, brownian: { brownian.noise(from: $0, to: $1) })
        var denoiser = KDiffusionDenoiser(schedule: .stableDiffusion, model: model(fixture.weights))
        let start = fixture.noise.map { $0 * fixture.sigmas[0] }
        let result = try DPMPPSDESampler().sample(start, sigmas: fixture.sigmas, denoiser: &denoiser, noise: noise) { _ in }
        #expect(relativeError(result, fixture.results["DPM++ SDE"]!) <= 1e-5)
    }

    /// The spec's values: NV source, seed 0, frame (4, 8, 8), Karras 20 steps on the SD
    /// schedule; the first noise of steps 0 and 1 (queried between consecutive σ).
    @Test func brownianTreeWithNVNoiseMatchesTheWebUIValues() {
        let sigmas = SigmaSchedule.karras.sigmas(steps: 20, schedule: .stableDiffusion)
        let brownian = BrownianNoise(seeds: [0], elementsPerFrame: 256, sigmas: sigmas, source: .nv)
        let step0 = brownian.noise(from: sigmas[0], to: sigmas[1])
        let step1 = brownian.noise(from: sigmas[1], to: sigmas[2])
        let expected0: [Float] = [-1.1387088, 0.0678464, -1.4543799, -0.7913652]
        let expected1: [Float] = [1.1544623, -1.7132686, -0.6101658, -0.3448367]
        #expect(zip(step0.prefix(4), expected0).allSatisfy { abs($0 - $1) < 2e-6 }, "\(step0.prefix(4))")
        #expect(zip(step1.prefix(4), expected1).allSatisfy { abs($0 - $1) < 2e-6 }, "\(step1.prefix(4))")
    }

    @Test func ddimMatchesTheSpecFormulaAndTheWebUIsTimesteps() throws {
        #expect(DDIMSampler.timesteps(steps: 20) == Array(stride(from: 1, through: 951, by: 50)))
        let thirty = DDIMSampler.timesteps(steps: 30)
        #expect(thirty.count == 31 && thirty.suffix(3) == [925, 958, 991])
        let draws = Draws(fixture.stepNoise + fixture.stepNoise)
        let noise = SamplerNoise(draw: { draws.next() }, brownian: { _, _ in [] })
        var calls = 0
        let result = try DDIMSampler(eta: 0.5).sample(
            fixture.noise, schedule: .stableDiffusion, steps: 20, model: model(fixture.weights), draws: noise
        ) { _ in calls += 1 }
        #expect(calls == 19 && draws.taken == 19)
        #expect(relativeError(result, fixture.results["DDIM"]!) <= 1e-5)
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

import ADiffModels
import ADiffTensor
import Testing

@testable import ADiffPipeline

/// Whole sampler loops (windows, CFG, prompt travel + editing, padding, samplers, img2vid,
/// per-frame CPU noise) against scripts/fixtures/make_pipeline_fixtures.py.
@Suite struct PipelineReferenceTests {
    private let fixture = PipelineFixture.shared

    @Test(arguments: PipelineFixture.shared.cases.map(\.name))
    func finalLatentsMatchTheReference(name: String) throws {
        let c = try #require(fixture.cases.first { $0.name == name })
        var options = GenerationOptions(returnLatents: true)
        options.guidance.windowCombine = c.average ? .average : .overwrite
        let predictor = AnalyticPredictor()
        let output = try Pipeline.generate(
            fixture.request(c), models: fixture.models(predictor), images: fixture.images(for: c), options: options)
        let latents = try #require(output.videos.first?.latents)
        let error = PipelineFixture.relativeError(latents.scalars, c.latents)
        print("\(name): max relative error \(error)")
        #expect(error <= 1e-5)
        let frames = output.videos[0].frames
        let expectedFrames = c.mode == "A" && c.L <= c.B ? 2 * c.L - 2 : c.L
        #expect(frames.count == expectedFrames)
        #expect(frames.allSatisfy { $0.width == c.width && $0.height == c.height })
        #expect(output.videos[0].seeds == (0..<UInt64(max(c.L, c.B))).map { UInt64(c.seed) + $0 })
    }

    @Test func batchedAndSequentialCFGAgree() throws {
        let c = try #require(fixture.cases.first { $0.name == "travel_euler_a" })
        var results: [[Float]] = []
        for batched in [true, false] {
            var options = GenerationOptions(returnLatents: true)
            options.guidance.batchCondUncond = batched
            let predictor = AnalyticPredictor()
            let output = try Pipeline.generate(fixture.request(c), models: fixture.models(predictor), options: options)
            results.append(output.videos[0].latents!.scalars)
            // Batched: one call of 2·B rows per window; sequential: two calls of B rows.
            #expect(predictor.calls.allSatisfy { $0.rows == (batched ? 2 : 1) * c.B && $0.framesPerVideo == c.B })
        }
        #expect(results[0] == results[1])
    }

    @Test func progressIsReportedPerWindowAndFrame() throws {
        let c = try #require(fixture.cases.first { $0.name == "dpmpp2m_karras_mode_n" })
        let reports = Reports()
        let predictor = AnalyticPredictor()
        _ = try Pipeline.generate(
            fixture.request(c), models: fixture.models(predictor), progress: { reports.append($0) })
        let sampling = reports.all.filter { $0.phase == .sampling }
        let decoding = reports.all.filter { $0.phase == .decoding }
        #expect(sampling.count == predictor.calls.count)
        #expect(sampling.allSatisfy { $0.window >= 1 && $0.window <= $0.windows && $0.steps == c.steps })
        #expect(sampling.map(\.step).max() == c.steps - 1)
        #expect(decoding.map(\.step) == Array(1...c.L))
    }

    @Test func cancellationStopsWithinOneWindow() throws {
        let c = try #require(fixture.cases.first { $0.name == "travel_euler_a" })
        let reports = Reports()
        let predictor = AnalyticPredictor()
        #expect(throws: PipelineError.cancelledByCaller) {
            _ = try Pipeline.generate(
                fixture.request(c), models: fixture.models(predictor), progress: { reports.append($0) },
                isCancelled: { reports.all.filter { $0.phase == .sampling }.count >= 5 })
        }
        #expect(predictor.calls.count == 5)
    }

    @Test func guidanceScaleOneSkipsTheUncondBranch() throws {
        let c = try #require(fixture.cases.first { $0.name == "lcm_single_window" })
        var request = fixture.request(c)
        request.cfgScale = 1
        let predictor = AnalyticPredictor()
        _ = try Pipeline.generate(request, models: fixture.models(predictor))
        #expect(predictor.calls.count == c.steps && predictor.calls.allSatisfy { $0.rows == c.B })
    }

    @Test func badInputsNameTheirField() throws {
        let c = try #require(fixture.cases.first { $0.name == "lcm_single_window" })
        let predictor = AnalyticPredictor()
        var request = fixture.request(c)
        request.initImages = ["x"]
        #expect(throws: PipelineError.self) { _ = try Pipeline.generate(request, models: fixture.models(predictor)) }
        request = fixture.request(c)
        request.animatediff.batchSize = 40
        do {
            _ = try Pipeline.generate(request, models: fixture.models(predictor))
            Issue.record("a context above the motion module's 32 positions must fail")
        } catch let error as PipelineError {
            #expect(error.field == "animatediff.batch_size")
        }
        request = fixture.request(c)
        request.prompt = "a\n0: b\n9: c"
        do {
            _ = try Pipeline.generate(request, models: fixture.models(predictor))
            Issue.record("a keyframe beyond the video must fail")
        } catch let error as PipelineError {
            #expect(error.kind == .invalidPromptTravel)
        }
        #expect(predictor.calls.isEmpty)
    }
}

import Foundation
import Testing
@testable import ADiffPipeline

/// Reference values from a1111-compat §4.1/§4.3 and animatediff-behaviour §2.2/§12.1
/// (computed there with torch/k-diffusion; printed to 6–7 significant digits).
@Suite struct ScheduleTests {
    /// `printedDigits`-decimal reference values carry up to half a unit of rounding.
    private func expectClose(_ actual: [Float], _ expected: [Float], relative: Float = 2e-6, printedDecimals: Int = 6, _ label: String) {
        #expect(actual.count == expected.count, "\(label): \(actual.count) values")
        let printRounding = Float(0.5 * pow(10, -Double(printedDecimals))) * 1.01
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            let tolerance = max(abs(e) * relative, printRounding)
            #expect(abs(a - e) <= tolerance, "\(label)[\(index)]: \(a) vs \(e)")
        }
    }

    /// k-diffusion takes `(…) ** 0.5`, which torch's vectorised pow rounds differently from a
    /// correctly rounded square root in 168 of the 1000 entries (by one ULP; measured with
    /// torch 2.13); ᾱ itself is bit-exact.
    @Test func stableDiffusionTableEndPointsMatchWithinOneULP() {
        let schedule = NoiseSchedule.stableDiffusion
        #expect(schedule.sigmas.count == 1000)
        #expect(schedule.alphasCumprod[0].bitPattern == 0x3F7F_C84B)
        #expect(abs(Int(schedule.sigmaMin.bitPattern) - 0x3CEE_F0C1) <= 1)
        #expect(schedule.sigmaMax.bitPattern == 0x4169_D593)
    }

    @Test func animateDiffSchedulesMatchTheirReferenceValues() {
        let linear = NoiseSchedule.animateDiffLinear
        #expect(abs(linear.alphasCumprod[499] - 0.161812) < 2e-6)
        #expect(abs(linear.alphasCumprod[999] - 1.5790e-3) < 1e-7)
        #expect(abs(linear.sigmaMax - 25.1461) < 2e-4)
        let xl = NoiseSchedule.animateDiffXL
        #expect(abs(xl.alphasCumprod[499] - 0.170146) < 2e-6)
        #expect(abs(xl.sigmaMax - 65.9287) < 1e-3)
        #expect(abs(NoiseSchedule.stableDiffusion.alphasCumprod[499] - 0.277670) < 2e-6)
        let downcast = NoiseSchedule.stableDiffusion.downcastToHalf()
        #expect(abs(downcast.sigmaMin - 0.031265) < 2e-6)
        #expect(abs(downcast.sigmaMax - 14.612339) < 2e-5)
    }

    @Test func twentyStepSchedulesMatchKDiffusion() {
        let schedule = NoiseSchedule.stableDiffusion
        expectClose(SigmaSchedule.uniform.sigmas(steps: 20, schedule: schedule), [
            14.614643, 10.7468, 8.081519, 6.204935, 4.855653, 3.865378, 3.123761, 2.557166, 2.115658, 1.764822,
            1.480581, 1.245813, 1.048142, 0.878428, 0.729719, 0.596434, 0.473585, 0.355545, 0.232164, 0.029168, 0,
        ], "Uniform")
        expectClose(SigmaSchedule.karras.sigmas(steps: 20, schedule: schedule), [
            14.614643, 11.725368, 9.340208, 7.383627, 5.789421, 4.499844, 3.464755, 2.640847, 1.990921, 1.483217,
            1.090791, 0.790949, 0.564725, 0.396392, 0.27304, 0.184169, 0.121342, 0.077861, 0.048482, 0.029168, 0,
        ], "Karras")
        expectClose(SigmaSchedule.exponential.sigmas(steps: 20, schedule: schedule), [
            14.614643, 10.536318, 7.596079, 5.476335, 3.948123, 2.84637, 2.052068, 1.479423, 1.066579,
            0.768942, 0.554363, 0.399664, 0.288135, 0.207729, 0.14976, 0.107969, 0.077839, 0.056118, 0.040458, 0.029168, 0,
        ], "Exponential")
        expectClose(SigmaSchedule.sgmUniform.sigmas(steps: 20, schedule: schedule), [
            14.614643, 10.907317, 8.307173, 6.44769, 5.092408, 4.086081, 3.325069, 2.739083, 2.279731,
            1.91321, 1.61558, 1.369643, 1.162865, 0.985955, 0.831884, 0.69515, 0.571189, 0.455736, 0.343705, 0.225452, 0,
        ], "SGM Uniform")
    }

    @Test func sigmaAndTimestepMapsInvertEachOther() {
        let schedule = NoiseSchedule.stableDiffusion
        for t in stride(from: Float(0), through: 999, by: 37.25) {
            let roundTrip = schedule.timestep(forSigma: schedule.sigma(forTimestep: t))
            #expect(abs(roundTrip - t) < 2e-3, "t = \(t) → \(roundTrip)")
        }
        #expect(schedule.timestep(forSigma: schedule.sigmaMax) == 999)
        #expect(schedule.timestep(forSigma: 1e-6) == 0)
    }

    @Test func lcmEightStepSchedulesMatchTheSpec() {
        expectClose(LCMSchedule(.stableDiffusion).sigmas(steps: 8), [
            14.6146, 6.7684, 3.6010, 2.1204, 1.3231, 0.8299, 0.4765, 0.1345, 0,
        ], relative: 1e-5, printedDecimals: 4, "LCM scaled-linear")
        expectClose(LCMSchedule(.animateDiffLinear).sigmas(steps: 8), [
            25.1461, 11.3759, 5.7006, 3.1191, 1.8121, 1.0636, 0.5664, 0.1390, 0,
        ], relative: 1e-5, printedDecimals: 4, "LCM AnimateDiff linear")
        let lcm = LCMSchedule(.animateDiffLinear)
        #expect(lcm.timestep(forSigma: lcm.sigmas[10]) == 219)
    }

    @Test func otherSchedulesHaveTheirShapes() {
        let schedule = NoiseSchedule.stableDiffusion
        // DDIM keeps the WebUI's stride rule: 1000 div 12 = 83 gives 13 σ values for 12 steps.
        #expect(SigmaSchedule.ddim.sigmas(steps: 12, schedule: schedule).count == 14)
        #expect(SigmaSchedule.ddim.sigmas(steps: 20, schedule: schedule).count == 21)
        for kind in SigmaSchedule.allCases where kind != .ddim {
            let values = kind.sigmas(steps: 12, schedule: schedule)
            #expect(values.count == 13, "\(kind)")
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 }, "\(kind) descends")
            if kind == .klOptimal {
                #expect(abs(values.last! - schedule.sigmaMin) < 1e-6)
            } else {
                #expect(values.last == 0, "\(kind) ends in 0")
            }
        }
        #expect(SigmaSchedule(webUIName: "sgm_uniform") == .sgmUniform)
        #expect(SigmaSchedule(webUIName: "Karras") == .karras)
        #expect(SigmaSchedule(webUIName: "nonsense") == nil)
    }
}

/// ᾱ tables from scripts/fixtures/make_schedule_fixtures.py (torch, built as ldm and the
/// extension build them).
@Suite struct ScheduleTableTests {
    private struct Tables: Decodable {
        let stableDiffusion: [UInt32]
        let animateDiffLinear: [UInt32]
        let animateDiffXL: [UInt32]
    }

    @Test func alphasCumprodTablesAreBitExactAgainstTorch() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Pipeline/schedules.json")
        let tables = try JSONDecoder().decode(Tables.self, from: Data(contentsOf: url))
        func mismatches(_ schedule: NoiseSchedule, _ reference: [UInt32]) -> Int {
            guard schedule.alphasCumprod.count == reference.count else { return -1 }
            return zip(schedule.alphasCumprod, reference).filter { $0.bitPattern != $1 }.count
        }
        #expect(mismatches(.stableDiffusion, tables.stableDiffusion) == 0)
        #expect(mismatches(.animateDiffLinear, tables.animateDiffLinear) == 0)
        #expect(mismatches(.animateDiffXL, tables.animateDiffXL) == 0)
    }
}

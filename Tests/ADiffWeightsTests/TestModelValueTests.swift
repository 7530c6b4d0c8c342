import ADiffTensor
import Foundation
import Testing

@testable import ADiffWeights

/// Generated values: the random source against SplitMix64's published outputs, initialisation
/// scales against PyTorch's defaults, fixed tensors against their formulas.
@Suite struct TestModelValueTests {
    @Test func randomSourceIsSplitMix64() {
        // Published outputs of Vigna's splitmix64.c seeded with 1234567.
        let expected: [UInt64] = [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423, 4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ]
        let random = SeededRandom(key: 1_234_567)
        #expect((0..<5).map { random.bits(at: $0) } == expected)
        #expect(SeededRandom(seed: 1, stream: "a") != SeededRandom(seed: 1, stream: "b"))
        #expect(SeededRandom(seed: 1, stream: "a") != SeededRandom(seed: 2, stream: "a"))
    }

    @Test func uniformAndNormalHaveTheRightMoments() {
        let count = 1 << 20
        let uniform = TensorRecipe(name: "u", shape: [count], dtype: .float32, fill: .uniform(bound: 2)).values(seed: 5)
        let normal = TensorRecipe(name: "n", shape: [count], dtype: .float32, fill: .normal(standardDeviation: 3))
            .values(seed: 5)
        func moments(_ values: [Float]) -> (mean: Double, variance: Double) {
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            return (mean, values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count))
        }
        let u = moments(uniform)
        #expect(abs(u.mean) < 0.01)
        #expect(abs(u.variance - 4.0 / 3) < 0.01)  // U(−b, b): b²/3
        #expect(uniform.allSatisfy { abs($0) <= 2 })
        let n = moments(normal)
        #expect(abs(n.mean) < 0.015)
        #expect(abs(n.variance.squareRoot() - 3) < 0.015)
        let beyondThreeSigma = Double(normal.filter { abs($0) > 9 }.count) / Double(count)
        #expect(abs(beyondThreeSigma - 0.0027) < 0.0005)
    }

    private static let normNames = [
        ".norm.", ".norm1.", ".norm2.", ".norm3.", "in_layers.0.", "out_layers.0.", ".out.0.", "layer_norm", "norm_out",
        "ff_norm", ".norms.",
    ]

    @Test func tinyCheckpointValuesFollowPyTorchDefaults() throws {
        let recipes = try SD15CheckpointLayout.recipes(.tiny(dtype: .float16))
        let parsed = try ParsedSafeTensors(TestModelWriter.serialize(recipes, seed: 11))
        #expect(parsed.tensors.count == recipes.count)
        var weightFanIn: [String: Int] = [:]
        for (name, tensor) in parsed.tensors where name.hasSuffix(".weight") && tensor.shape.count >= 2 {
            weightFanIn[String(name.dropLast(".weight".count))] = tensor.shape.dropFirst().reduce(1, *)
        }
        var checked = 0
        for (name, tensor) in parsed.tensors {
            let bytes = parsed.bytes(of: name)
            if name.hasSuffix("position_ids") {
                #expect(tensor.dtype == "I64")
                let ids = (0..<77).map { i in (0..<8).reduce(Int64(0)) { $0 | Int64(bytes[8 * i + $1]) << (8 * $1) } }
                #expect(ids == (0..<77).map(Int64.init))
                continue
            }
            #expect(tensor.dtype == "F16", "\(name)")
            let values = try StoredTensor(dtype: .float16, shape: tensor.shape, bytes: bytes).widened().scalars
            let isNorm = tensor.shape.count == 1 && Self.normNames.contains { ("." + name).contains($0) }
            if name.contains("embedding") {
                let variance = values.reduce(0.0) { $0 + Double($1 * $1) } / Double(values.count)
                #expect(abs(variance - 1) < 0.05, "\(name)")
            } else if isNorm {
                #expect(values.allSatisfy { $0 == (name.hasSuffix(".weight") ? 1 : 0) }, "\(name)")
            } else {
                let module = String(name[..<name.lastIndex(of: ".")!])
                let fanIn = try #require(weightFanIn[module], "\(name)")
                let bound = 1 / Float(fanIn).squareRoot()
                // fp16 rounding can move a value by half an ulp past the bound.
                let largest = values.map(abs).max() ?? 0
                #expect(largest <= bound * (1 + 0x1p-11), "\(name)")
                if values.count >= 1000 { #expect(largest >= bound * 0.99, "\(name)") }
            }
            checked += 1
        }
        #expect(checked == recipes.count - 1)
    }

    @Test func positionalTablesHoldTheSinusoids() throws {
        let config = MotionModuleConfig(
            version: .v2, blockChannels: [32, 64], modulesPerDownBlock: 1, positionalEncodingLength: 24, dtype: .float32
        )
        let table = try #require(
            try MotionModuleLayout.recipes(config).first {
                $0.name
                    == "up_blocks.0.motion_modules.1.temporal_transformer.transformer_blocks.0.attention_blocks.1.pos_encoder.pe"
            })
        #expect(table.shape == [1, 24, 64])
        let values = table.values(seed: 0)
        var worst = 0.0
        for position in 0..<24 {
            for channel in 0..<64 {
                let rate = pow(10000.0, -Double(channel - channel % 2) / 64)
                let expected = channel % 2 == 0 ? sin(Double(position) * rate) : cos(Double(position) * rate)
                worst = max(worst, abs(Double(values[position * 64 + channel]) - expected))
            }
        }
        #expect(worst < 1e-6)
    }
}

import ADiffTensor
import ADiffWeights
import Testing
@testable import ADiffModels

/// The stored-weight store and the layer wrappers that widen on use.
@Suite struct ModelParametersTests {
    static func fp16(_ values: [Float], shape: [Int]) throws -> StoredTensor {
        let bytes = values.flatMap { value -> [UInt8] in
            let bits = Float16(value).bitPattern
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        return try StoredTensor(dtype: .float16, shape: shape, bytes: bytes)
    }

    @Test func missingTensorNamesTheKeyAndOrigin() throws {
        let parameters = ModelParameters(entries: [:], origin: "model.safetensors")
        #expect {
            _ = try parameters.scope("block.0").tensor("weight")
        } throws: { error in
            guard let error = error as? ModelError else { return false }
            return error.kind == .missingWeight && error.message.contains("block.0.weight")
                && error.message.contains("model.safetensors")
        }
    }

    @Test func replacingLeavesTheBaseUntouched() throws {
        let base = ModelParameters(entries: ["w": try Self.fp16([1, 2], shape: [2])], origin: "base")
        let merged = base.replacing(["w": try Self.fp16([5, 6], shape: [2])])
        #expect(try base.tensor("w").scalars == [1, 2])
        #expect(try merged.tensor("w").scalars == [5, 6])
        #expect(base.residentBytes == 4)
    }

    @Test func linearLayerTakesAOneByOneConvWeight() throws {
        let weight: [Float] = [1, 0.5, -2, 0.25, 3, -1]
        let parameters = ModelParameters(
            entries: [
                "proj.weight": try Self.fp16(weight, shape: [3, 2, 1, 1]),
                "proj.bias": try Self.fp16([0.5, -0.5, 1], shape: [3]),
            ], origin: "test")
        let layer = try LinearLayer(parameters.scope("proj"))
        let output = try layer(Tensor(shape: [1, 2], scalars: [2, 4]))
        let expected: [Float] = [4.5, -3.5, 3]
        #expect(output.scalars == expected)
    }

    @Test func linearLayerRejectsAThreeByThreeWeight() throws {
        let parameters = ModelParameters(
            entries: ["conv.weight": try Self.fp16(Array(repeating: 0, count: 9), shape: [1, 1, 3, 3])], origin: "test")
        #expect(throws: ModelError.self) { _ = try LinearLayer(parameters.scope("conv")) }
    }

    /// A conv layer transforms its weights to the Winograd domain on the first Winograd call
    /// and keeps them: a second call reuses the transform and gives the same result.
    @Test func convLayerKeepsItsWinogradTransform() throws {
        let (cout, cin) = (8, 64)
        let weights = (0..<(cout * cin * 9)).map { Float(($0 * 37) % 17) / 17 - 0.5 }
        let parameters = ModelParameters(
            entries: ["conv.weight": try Self.fp16(weights, shape: [cout, cin, 3, 3])], origin: "test")
        let layer = try Conv2dLayer(parameters.scope("conv"), padding: 1)
        let input = Tensor(shape: [1, 32, 32, cin], scalars: (0..<(32 * 32 * cin)).map { Float($0 % 29) / 29 })
        #expect(!layer.winogradWeights.isTransformed)
        let first = try layer(input)
        #expect(layer.winogradWeights.isTransformed)
        let second = try layer(input)
        let im2col = try Conv2d(weights: layer.widened().weights, padding: .init(1), algorithm: .im2col)(input)
        #expect(first.scalars == second.scalars)
        let scale = im2col.scalars.map(abs).max()!
        #expect(zip(first.scalars, im2col.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
    }
}

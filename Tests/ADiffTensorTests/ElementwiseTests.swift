import Testing
@testable import ADiffTensor

/// Element-wise ops against Double references; relative error max|a − b| / max|ref| ≤ 1e-5.
@Suite struct ElementwiseTests {
    static let shapes: [[Int]] = [[1], [3], [77], [5, 17], [2, 3, 5, 7], [70_001]]

    @Test(arguments: shapes)
    func binaryOpsMatchReference(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(7, *)))
        let a = rng.tensor(shape), b = rng.tensor(shape, std: 3)
        let (x, y) = (a.scalars.map(Double.init), b.scalars.map(Double.init))
        let sum = try Elementwise.add(a, b)
        let difference = try Elementwise.subtract(a, b)
        let product = try Elementwise.multiply(a, b)
        let scaled = Elementwise.scale(a, by: -0.18215)
        #expect(relativeError(sum.scalars, zip(x, y).map(+)) <= kernelTolerance)
        #expect(relativeError(difference.scalars, zip(x, y).map(-)) <= kernelTolerance)
        #expect(relativeError(product.scalars, zip(x, y).map(*)) <= kernelTolerance)
        #expect(relativeError(scaled.scalars, x.map { $0 * Double(Float(-0.18215)) }) <= kernelTolerance)
        #expect(sum.shape == shape && product.shape == shape && scaled.shape == shape)
    }

    @Test(arguments: shapes)
    func inPlaceOpsMatchReference(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(9, *)))
        let x = rng.tensor(shape), y0 = rng.tensor(shape)
        let shared = y0
        var y = y0
        try Elementwise.addScaled(x, alpha: 7.5, to: &y)
        #expect(
            relativeError(y.scalars, zip(x.scalars, y0.scalars).map { 7.5 * Double($0) + Double($1) })
                <= kernelTolerance)
        var z = y0
        try Elementwise.addInPlace(x, to: &z)
        #expect(relativeError(z.scalars, zip(x.scalars, y0.scalars).map { Double($0) + Double($1) }) <= kernelTolerance)
        // Copy-on-write: the tensors that shared y0's storage are unchanged.
        #expect(shared.scalars == y0.scalars)
    }

    @Test(arguments: [[1, 1], [3, 77], [2, 5, 5, 320], [4097, 3]])
    func biasIsAddedToEveryRow(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(11, *)))
        let channels = shape.last!
        var x = rng.tensor(shape)
        let original = x.scalars
        let bias = rng.tensor([channels])
        try Elementwise.addBias(bias, to: &x)
        let expected = original.enumerated().map { Double($0.element) + Double(bias.scalars[$0.offset % channels]) }
        #expect(relativeError(x.scalars, expected) <= kernelTolerance)
    }

    @Test func rejectsShapeMismatch() {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [3, 2])
        #expect(throws: TensorError.self) { try Elementwise.add(a, b) }
        #expect(throws: TensorError.self) { try Elementwise.multiply(a, b) }
        var c = a
        #expect(throws: TensorError.self) { try Elementwise.addScaled(b, alpha: 1, to: &c) }
        #expect(throws: TensorError.self) { try Elementwise.addInPlace(b, to: &c) }
        #expect(throws: TensorError.self) { try Elementwise.addBias(Tensor(zeros: [2]), to: &c) }
    }
}

import ADiffTensor
import Testing
@testable import ADiffWeights

@Suite struct StoredTensorTests {
    @Test func float32RoundTripsExactly() throws {
        let tensor = Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, 0, Float(bitPattern: 0x0001_2345)])
        let stored = StoredTensor(tensor)
        #expect(stored.dtype == .float32)
        #expect(stored.bytes.count == 24)
        #expect(try stored.widened().scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
    }

    @Test func rejectsByteCountThatDoesNotMatchTheShape() {
        #expect(throws: WeightsError.self) { try StoredTensor(dtype: .float16, shape: [3], bytes: [0, 0, 0, 0]) }
    }

    @Test func float16WidensThroughTheTensorModule() throws {
        // 1.0 = 0x3C00, -2.0 = 0xC000 (little-endian)
        let stored = try StoredTensor(dtype: .float16, shape: [2], bytes: [0x00, 0x3C, 0x00, 0xC0])
        #expect(try stored.widened().scalars == [1, -2])
    }
}

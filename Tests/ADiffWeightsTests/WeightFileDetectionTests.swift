import ADiffTensor
import Testing

@testable import ADiffWeights

/// Which reader `WeightFiles.open` picks from a file's first bytes.
@Suite struct WeightFileDetectionTests {
    /// A safetensors file's first byte is its header length's low byte, so one in 256 header
    /// sizes starts with the pickle PROTO opcode 0x80; such a file is still safetensors.
    @Test func safetensorsWithA0x80FirstByteIsNotTakenForAPickle() throws {
        let tensor = StoredTensor(Tensor(shape: [2], scalars: [1, -2]))
        var image: [UInt8]?
        for padding in 0..<512 {
            let bytes = try SafeTensorsWriter.serialize(
                [(name: "a", tensor: tensor)], metadata: ["pad": String(repeating: "x", count: padding)])
            if bytes[0] == 0x80 {
                image = bytes
                break
            }
        }
        let bytes = try #require(image)
        let file = try WeightFiles.open(MemoryByteSource(bytes))
        #expect(try file.load("a").widened().scalars == [1, -2])
    }
}

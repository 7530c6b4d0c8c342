import ADiffTensor
import Foundation
import Testing

@testable import ADiffWeights

@Suite struct SafeTensorsWriterTests {
    private func tensor(_ dtype: DType, _ shape: [Int], _ bytes: [UInt8]) throws -> StoredTensor {
        try StoredTensor(dtype: dtype, shape: shape, bytes: bytes)
    }

    @Test func serializesExactBytesForAKnownFile() throws {
        let b = StoredTensor(Tensor(shape: [2], scalars: [1, 2]))
        let a = try tensor(.float16, [1], [0x00, 0x3C])
        let ids = try tensor(.int64, [], [7, 0, 0, 0, 0, 0, 0, 0])
        let file = try SafeTensorsWriter.serialize([("b", b), ("a", a), ("ids", ids)], metadata: ["k": "v"])
        // Written by hand from the format description: 8-byte tensors first, then 4, then 2.
        let json =
            #"{"__metadata__":{"k":"v"},"ids":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"#
            + #""a":{"dtype":"F16","shape":[1],"data_offsets":[16,18]}}"#
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var expected: [UInt8] = [UInt8(header.count), 0, 0, 0, 0, 0, 0, 0] + header
        expected += [7, 0, 0, 0, 0, 0, 0, 0]
        expected += [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40]
        expected += [0x00, 0x3C]
        #expect(header.count < 256)
        #expect(file == expected)

        let parsed = try ParsedSafeTensors(file)
        #expect(parsed.metadata == ["k": "v"])
        #expect(parsed.tensors["a"] == .init(dtype: "F16", shape: [1], begin: 16, end: 18))
        #expect(parsed.bytes(of: "b") == b.bytes)
    }

    @Test func roundTripsOddNamesAndManyTensorsThroughJSONSerialization() throws {
        var tensors: [(name: String, tensor: StoredTensor)] = []
        let names = [
            "quote\"d", "back\\slash", "ünïcödé.wéight", "tab\u{2028}sep", "x", "model.diffusion_model.out.2.weight",
        ]
        for (index, name) in names.enumerated() {
            let values = (0..<(index + 1) * 3).map { Float($0) * 0.5 - Float(index) }
            tensors.append((name, StoredTensor(Tensor(shape: [index + 1, 3], scalars: values))))
        }
        let file = try SafeTensorsWriter.serialize(tensors, metadata: ["format": "pt", "ss_network_dim": "4"])
        let parsed = try ParsedSafeTensors(file)
        #expect(parsed.headerLength % 8 == 0)
        #expect(parsed.tensors.count == names.count)
        #expect(parsed.metadata == ["format": "pt", "ss_network_dim": "4"])
        var covered = 0
        for (name, stored) in tensors {
            let entry = try #require(parsed.tensors[name])
            #expect(entry.shape == stored.shape)
            #expect(entry.dtype == "F32")
            #expect(parsed.bytes(of: name) == stored.bytes)
            covered += entry.end - entry.begin
        }
        #expect(covered == parsed.data.count)
    }

    @Test func paddingIsSpacesToAMultipleOfEight() throws {
        for nameLength in 1...16 {
            let name = String(repeating: "n", count: nameLength)
            let file = try SafeTensorsWriter.serialize([(name, StoredTensor(Tensor(shape: [1], scalars: [3])))])
            let parsed = try ParsedSafeTensors(file)
            #expect(parsed.headerLength % 8 == 0)
            let unpadded = #"{"\#(name)":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8.count
            #expect(parsed.rawHeader.count - unpadded < 8)
            #expect(parsed.rawHeader[unpadded...].allSatisfy { $0 == 0x20 })
        }
    }

    @Test func rejectsBadNamesAndOversizedHeaders() throws {
        let t = StoredTensor(Tensor(shape: [1], scalars: [0]))
        for bad in ["", "__metadata__", "new\nline", "nul\u{0}", String(repeating: "a", count: 1025)] {
            #expect(throws: WeightsError.self) { try SafeTensorsWriter.serialize([(bad, t)]) }
        }
        #expect {
            try SafeTensorsWriter.serialize([("w", t), ("w", t)])
        } throws: { ($0 as? WeightsError)?.kind == .invalidName }
        #expect(throws: WeightsError.self) { try SafeTensorsWriter.serialize([("w", t)], metadata: ["": "x"]) }
        // A header past the readers' limit (100,000,000 bytes; 64 here) is refused, not written.
        let entries = [SafeTensorsWriter.Entry(name: "w", dtype: .float32, shape: [1])]
        #expect(SafeTensorsWriter.maximumHeaderLength == 100_000_000)
        #expect(
            try SafeTensorsWriter.serializedHeader(orderedEntries: entries, metadata: [:], limit: 64).count == 8 + 56)
        #expect {
            try SafeTensorsWriter.serializedHeader(orderedEntries: entries, metadata: ["k": "v"], limit: 64)
        } throws: { ($0 as? WeightsError)?.kind == .invalidArgument }
    }

    @Test func writesAtomicallyAndLeavesNoTemporaryFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.safetensors").path
        let tensors: [(name: String, tensor: StoredTensor)] = [
            ("w", StoredTensor(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])))
        ]
        try SafeTensorsWriter.write(tensors, metadata: ["a": "b"], to: path)
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == (try SafeTensorsWriter.serialize(tensors, metadata: ["a": "b"])))

        // A producer returning the wrong byte count aborts: the old file survives intact.
        #expect {
            try SafeTensorsWriter.write(
                entries: [.init(name: "w", dtype: .float32, shape: [3])], to: path
            ) { _ in [0, 0, 0, 0] }
        } throws: { ($0 as? WeightsError)?.kind == .invalidArgument }
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == written)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["m.safetensors"])

        #expect {
            try SafeTensorsWriter.write(tensors, to: directory.appendingPathComponent("missing/x.safetensors").path)
        } throws: { ($0 as? WeightsError)?.kind == .io }
    }
}

import ADiffTensor
import Foundation
import Testing

@testable import ADiffWeights

/// The PyTorch zip container, checked by walking it with the ZIP format's own rules and an
/// independent bitwise CRC (`torch.load` of the same files is in scripts/fixtures/check_layouts.py).
@Suite struct TorchZipWriterTests {
    private func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    private func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }

    private func bitwiseCRC(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    @Test func crcMatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        #expect(CRC32.checksum(data) == bitwiseCRC(data))
    }

    @Test func archiveHasAlignedStoredMembersAndAConsistentDirectory() throws {
        let vectors = try StoredTensor(dtype: .float16, shape: [2, 3], bytes: (0..<12).map(UInt8.init))
        let file = try TorchZipWriter.serialize(
            .dict([("string_to_param", .dict([("*", .tensor(vectors))])), ("step", .int(70000))]))
        // End of central directory record: last 22 bytes.
        let end = file.count - 22
        #expect(u32(file, end) == 0x0605_4B50)
        let entries = u16(file, end + 10)
        var cursor = u32(file, end + 16)
        var members: [String: [UInt8]] = [:]
        for _ in 0..<entries {
            #expect(u32(file, cursor) == 0x0201_4B50)
            let nameLength = u16(file, cursor + 28)
            let name = String(decoding: file[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
            let local = u32(file, cursor + 42)
            #expect(u32(file, local) == 0x0403_4B50)
            #expect(u16(file, local + 8) == 0)  // STORED
            let size = u32(file, local + 22)
            let dataStart = local + 30 + u16(file, local + 26) + u16(file, local + 28)
            #expect(dataStart % 64 == 0, "\(name)")
            let data = Array(file[dataStart..<(dataStart + size)])
            #expect(UInt32(u32(file, local + 14)) == bitwiseCRC(data), "\(name)")
            #expect(u32(file, cursor + 16) == u32(file, local + 14))
            members[name] = data
            cursor += 46 + nameLength
        }
        #expect(Set(members.keys) == ["archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/version"])
        #expect(members["archive/data/0"] == vectors.bytes)
        #expect(members["archive/version"] == Array("3\n".utf8))
        let pickle = try #require(members["archive/data.pkl"])
        #expect(pickle.prefix(2) == [0x80, 2])
        #expect(pickle.last == 0x2E)
        let text = String(decoding: pickle, as: UTF8.self)
        for needle in [
            "torch._utils\n_rebuild_tensor_v2\n", "torch\nHalfStorage\n", "collections\nOrderedDict\n",
            "string_to_param",
        ] {
            #expect(text.contains(needle), "\(needle)")
        }
    }

    @Test func ckptHoldsTheSafetensorsCheckpointsWeights() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("adiff-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try ModelFolderMaker.make(
            in: root.path, .init(preset: .tiny, seed: 5, components: [.checkpoint, .ckpt]))
        #expect(paths.map { $0.hasSuffix(".ckpt") } == [false, true])
        let safetensors = try ParsedSafeTensors([UInt8](try Data(contentsOf: URL(fileURLWithPath: paths[0]))))
        let ckpt = [UInt8](try Data(contentsOf: URL(fileURLWithPath: paths[1])))
        let end = ckpt.count - 22
        var cursor = u32(ckpt, end + 16)
        var storages: [[UInt8]] = []
        var pickle: [UInt8] = []
        for _ in 0..<u16(ckpt, end + 10) {
            let nameLength = u16(ckpt, cursor + 28)
            let name = String(decoding: ckpt[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
            let local = u32(ckpt, cursor + 42)
            let start = local + 30 + u16(ckpt, local + 26) + u16(ckpt, local + 28)
            let data = Array(ckpt[start..<(start + u32(ckpt, local + 22))])
            if name.hasPrefix("archive/data/") { storages.append(data) }
            if name == "archive/data.pkl" { pickle = data }
            cursor += 46 + nameLength
        }
        // One storage per tensor, byte-identical to the safetensors data (same weights).
        let expected = safetensors.tensors.keys.map { safetensors.bytes(of: $0) }
        #expect(storages.count == expected.count)
        #expect(Set(storages) == Set(expected))
        let text = String(decoding: pickle, as: UTF8.self)
        #expect(text.contains("state_dict") && text.contains("global_step"))
        #expect(safetensors.tensors.keys.allSatisfy { text.contains($0) })
    }
}

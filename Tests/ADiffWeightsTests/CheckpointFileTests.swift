import ADiffTensor
import Foundation
import Testing
@testable import ADiffWeights

@Suite struct CheckpointFileTests {
    @Test(arguments: ["plain.ckpt", "wrapped.ckpt", "lightning.ckpt"])
    func torchSavedCheckpointReadsBackExactly(file: String) throws {
        let checkpoint = try WeightFiles.open(WeightFixtures.path(file))
        #expect(checkpoint is CheckpointFile)
        let expected = try WeightFixtures.expectedTensors("ckpt_tensors.json")
        #expect(Set(checkpoint.tensorNames) == Set(expected.keys))
        for (name, reference) in expected {
            let tensor = try checkpoint.load(name)
            #expect(tensor.dtype.rawValue == reference.dtype, "\(name)")
            #expect(tensor.shape == reference.shape, "\(name)")
            #expect(tensor.bytes == reference.bytes, "\(name)")
            if let floats = reference.float32 {
                #expect(try tensor.widened().scalars.map(\.bitPattern) == floats.map(\.bitPattern), "\(name)")
            }
        }
    }

    @Test func viewsKeepTheirStridesAndShareStorages() throws {
        let checkpoint = try CheckpointFile(path: WeightFixtures.path("plain.ckpt"))
        let views = checkpoint.stateDict.tensors
        #expect(views["transposed"]!.strides == [1, 6])
        #expect(!views["transposed"]!.isContiguous)
        #expect(views["offset_view"]!.storageOffset == 8)
        #expect(views["shared_a"]!.storage == views["shared_b"]!.storage)
        #expect(views["shared_b"]!.storageOffset == 4)
    }

    @Test func wrapperScalarsBecomeMetadata() throws {
        let wrapped = try CheckpointFile(path: WeightFixtures.path("wrapped.ckpt"))
        #expect(wrapped.metadata == ["global_step": "470000", "epoch": "6"])
        let lightning = try CheckpointFile(path: WeightFixtures.path("lightning.ckpt"))
        #expect(lightning.metadata["pytorch-lightning_version"] == "1.4.2")
        #expect(try CheckpointFile(path: WeightFixtures.path("plain.ckpt")).metadata.isEmpty)
    }

    @Test func handMadeCheckpointLoads() throws {
        let checkpoint = try CheckpointFile(path: WeightFixtures.path("ck_handmade_valid.ckpt"))
        let tensor = try checkpoint.load("w")
        #expect(try tensor.widened().scalars == [1, 2, 3, 4])
    }

    @Test(arguments: WeightFixtures.invalid("ckpt_invalid"))
    func invalidCheckpointIsRejectedWithItsRule(file: String, kind: String) throws {
        let path = WeightFixtures.path(file)
        let error = #expect(throws: WeightsError.self) {
            let checkpoint = try WeightFiles.open(path)
            for name in checkpoint.tensorNames { _ = try checkpoint.load(name) }
        }
        #expect(error?.kind.rawValue == kind, "\(file): \(String(describing: error))")
        #expect(error?.message.contains(path) == true)
    }

    @Test func maliciousPicklesExecuteNothing() throws {
        let marker = "/tmp/pwned"
        try? FileManager.default.removeItem(atPath: marker)
        for file in ["ck_os_system.ckpt", "ck_builtins_eval.ckpt", "ck_stack_global.ckpt", "ck_inst.ckpt"] {
            #expect(throws: WeightsError.self) { try CheckpointFile(path: WeightFixtures.path(file)) }
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func everyTruncationIsRejected() throws {
        let bytes = try WeightFixtures.bytes("plain.ckpt")
        for length in 0..<bytes.count {
            #expect(throws: WeightsError.self) {
                let checkpoint = try CheckpointFile(source: MemoryByteSource(Array(bytes[..<length])))
                for name in checkpoint.tensorNames { _ = try checkpoint.load(name) }
            }
        }
    }

    @Test func everyPickleTruncationIsRejected() throws {
        let archive = try ZipArchive(source: MemoryByteSource(try WeightFixtures.bytes("plain.ckpt")))
        let pickle = try archive.read(archive.members.first { $0.name.hasSuffix("data.pkl") }!)
        #expect(try TorchStateDict.parse(pickle: pickle).names.count == 10)
        for length in 0..<pickle.count {
            #expect(throws: WeightsError.self) { try TorchStateDict.parse(pickle: Array(pickle[..<length])) }
        }
    }

    @Test func cyclicAndDeeplyNestedPicklesFailCleanly() {
        // A list appended to itself, then a dict holding it: legal pickle, no tensors, no leak or hang.
        let cycle: [UInt8] = [0x80, 0x02, 0x7D, 0x71, 0x00, 0x5D, 0x71, 0x01, 0x68, 0x01, 0x61, 0x73, 0x2E]
        let error = #expect(throws: WeightsError.self) { try TorchStateDict.parse(pickle: cycle) }
        #expect(error?.kind == .corruptPickle || error?.kind == .notAStateDict)
        // 100,000 nested TUPLE1s would overflow the stack on release without the nesting cap.
        let deep: [UInt8] = [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E]
        let nested = #expect(throws: WeightsError.self) { try TorchStateDict.parse(pickle: deep) }
        #expect(nested?.kind == .pickleLimitExceeded)
    }

    @Test func legacyFormatIsRejectedClearly() throws {
        let error = #expect(throws: WeightsError.self) { try WeightFiles.open(WeightFixtures.path("ck_legacy.pt")) }
        #expect(error?.kind == .unsupportedCheckpointFormat)
        #expect(error?.message.contains("legacy") == true)
    }

    @Test func crcMatchesKnownVector() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var crc = CRC32()
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        data.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<333])) }
        data.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[333...])) }
        #expect(crc.value == CRC32.checksum(data))
        #expect(CRC32.checksum(data) == naiveCRC32(data))
    }

    private func naiveCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

@Suite struct ZipArchiveTests {
    @Test func zip64CentralDirectoryIsRead() throws {
        let checkpoint = try CheckpointFile(path: WeightFixtures.path("ck_zip64.ckpt"))
        #expect(try checkpoint.load("w").widened().scalars == [1, 2, 3, 4])
    }

    @Test func torchArchiveMembersAreCrossChecked() throws {
        let archive = try ZipArchive(source: FileByteSource(path: WeightFixtures.path("plain.ckpt")))
        let names = Set(archive.members.map(\.name))
        #expect(names.contains("plain/data.pkl") && names.contains("plain/version"))
        // torch aligns storage data to 64 bytes through local-header padding.
        for member in archive.members where member.name.contains("/data/") {
            #expect(member.dataOffset % 64 == 0)
            #expect(try archive.read(member).count == Int(member.size))
        }
    }
}

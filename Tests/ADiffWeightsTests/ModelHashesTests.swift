import Foundation
import Testing
@testable import ADiffWeights

@Suite struct ModelHashesTests {
    /// a1111-compat §11 item 8: the 66-byte file (54-byte header) holding one F32 1.0.
    @Test func specSafetensorsVector() throws {
        let path = WeightFixtures.path("spec_vector.safetensors")
        #expect(try WeightFixtures.bytes("spec_vector.safetensors").count == 66)
        #expect(try ModelHashes.sha256(path: path) == "938a1286932d19c8c3799f0861ecdee467405712d99a11a69e79dd47387d40de")
        #expect(try ModelHashes.addnetHash(path: path) == "e00e5eb9444182f352323374ef4e08ebcb784725fdd4fd612d7730540b3e0c8c")
        #expect(try ModelHashes.legacyHash(path: path) == "e3b0c442")
    }

    /// a1111-compat §11 item 8: 2 MiB of the pattern 0, 1, …, 255.
    @Test func specTwoMebibytePatternVector() throws {
        let bytes = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0) }
        let path = try WeightFixtures.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ModelHashes.legacyHash(path: path) == "7daca209")
        #expect(ModelHashes.shortHash(sha256: try ModelHashes.sha256(path: path)) == "91d3beb88a")
    }

    @Test(arguments: ["mixed.safetensors", "spec_vector.safetensors", "plain.ckpt", "wrapped.ckpt"])
    func hashesMatchPythonHashlib(file: String) throws {
        let expected = (WeightFixtures.manifest["hashes"] as! [String: [String: String]])[file]!
        let path = WeightFixtures.path(file)
        let sha = try ModelHashes.sha256(path: path)
        #expect(sha == expected["sha256"])
        #expect(ModelHashes.shortHash(sha256: sha) == expected["short"])
        #expect(try ModelHashes.legacyHash(path: path) == expected["legacy"])
        #expect(try ModelHashes.addnetHash(path: path) == expected["addnet"])
    }

    @Test func hashStreamsAcrossChunkBoundaries() throws {
        // Longer than one 16 MiB chunk and not a multiple of it; reference is the whole-buffer hash via hashlib's value.
        let bytes = (0..<(ModelHashes.chunkSize + 12_345)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let path = try WeightFixtures.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return }
        process.waitUntilExit()
        let reference = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(try ModelHashes.sha256(path: path) == String(reference))
    }
}

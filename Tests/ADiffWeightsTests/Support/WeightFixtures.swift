import ADiffTensor
import Foundation
@testable import ADiffWeights

/// Access to the committed fixtures of `Tests/Fixtures/Weights` (made by
/// `scripts/fixtures/make_weights_fixtures.py`).
enum WeightFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Weights")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: directory.appendingPathComponent(name))) }

    static func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name))) as! [String: Any]
    }

    static var manifest: [String: Any] { (try? json("manifest.json")) ?? [:] }

    /// `(file, expected kind)` pairs of one manifest section, sorted by file.
    static func invalid(_ section: String) -> [(String, String)] {
        ((manifest[section] as? [String: String]) ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A tensor as the fixture script recorded it.
    struct Expected {
        let dtype: String
        let shape: [Int]
        let bytes: [UInt8]
        let float32: [Float]?
    }

    static func expectedTensors(_ name: String) throws -> [String: Expected] {
        try json(name).mapValues { value in
            let record = value as! [String: Any]
            let hex = Array((record["hex"] as! String).utf8)
            var bytes: [UInt8] = []
            for i in stride(from: 0, to: hex.count, by: 2) { bytes.append(UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16)!) }
            return Expected(
                dtype: record["dtype"] as! String,
                shape: record["shape"] as! [Int],
                bytes: bytes,
                float32: (record["float32"] as? [Double])?.map { Float($0) }
            )
        }
    }

    /// Writes `bytes` to a fresh temporary file and returns its path.
    static func temporaryFile(_ bytes: [UInt8], name: String = "fixture") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adiff-weights-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url.path
    }
}

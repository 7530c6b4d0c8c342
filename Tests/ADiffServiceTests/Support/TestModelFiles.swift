import ADiffWeights
import Foundation

/// Small valid and invalid model files for the catalog and cache tests.
enum TestModelFiles {
    /// A valid safetensors file with one F32 tensor of `count` values (`seed` varies its bytes).
    static func safetensors(count: Int = 4, seed: Float = 1) -> [UInt8] {
        let header = #"{"w":{"dtype":"F32","shape":[\#(count)],"data_offsets":[0,\#(count * 4)]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init)
        bytes += Array(header.utf8)
        for index in 0..<count {
            bytes += withUnsafeBytes(of: (Float(index) + seed).bitPattern.littleEndian, Array.init)
        }
        return bytes
    }

    /// A file that claims to be safetensors but whose header lies about its length.
    static let corrupt: [UInt8] = withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init) + Array("{}".utf8)
}

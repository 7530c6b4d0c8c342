import Foundation

/// Test-only safetensors parser (the real reader lives elsewhere): splits a file into its
/// header dictionary and data section with Foundation's JSON parser.
struct ParsedSafeTensors {
    struct Tensor: Equatable {
        var dtype: String
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    var headerLength: Int
    var rawHeader: [UInt8]
    var metadata: [String: String]
    var tensors: [String: Tensor]
    var data: [UInt8]

    init(_ bytes: [UInt8]) throws {
        struct Malformed: Error { var why: String }
        guard bytes.count >= 8 else { throw Malformed(why: "short file") }
        var length = 0
        for index in 0..<8 { length |= Int(bytes[index]) << (8 * index) }
        guard bytes.count >= 8 + length else { throw Malformed(why: "header past end") }
        headerLength = length
        rawHeader = Array(bytes[8..<(8 + length)])
        data = Array(bytes[(8 + length)...])
        guard let object = try JSONSerialization.jsonObject(with: Data(rawHeader)) as? [String: Any] else {
            throw Malformed(why: "header is not an object")
        }
        metadata = [:]
        tensors = [:]
        for (key, value) in object {
            if key == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let entry = value as? [String: Any],
                let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int],
                let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw Malformed(why: "bad entry \(key)") }
            tensors[key] = Tensor(dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
        }
    }

    /// Parses only the header of a file on disk (enough for multi-gigabyte checkpoints).
    init(headerOf path: String) throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let prefix = [UInt8](try handle.read(upToCount: 8) ?? Data())
        var length = 0
        for index in 0..<min(8, prefix.count) { length |= Int(prefix[index]) << (8 * index) }
        let header = [UInt8](try handle.read(upToCount: length) ?? Data())
        try self.init(prefix + header)
    }

    func bytes(of name: String) -> [UInt8] {
        guard let tensor = tensors[name] else { return [] }
        return Array(data[tensor.begin..<tensor.end])
    }
}

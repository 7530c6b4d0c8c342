import ADiffTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes safetensors files: `u64 LE header length`, a JSON header padded with spaces to a
/// multiple of 8 bytes, then the raw little-endian tensor data.
///
/// Output is byte-for-byte deterministic for a given input: tensors are laid out by element
/// size (largest first, so every tensor starts at a multiple of its own element size, as the
/// reference Rust implementation does) and then by the UTF-8 bytes of their names; the header
/// lists `__metadata__` first and the tensors in data order. Files are written atomically: a
/// temporary file in the destination directory is filled, fsynced and renamed over the target,
/// then the directory is fsynced, so a crash leaves either the old file or the complete new one.
public enum SafeTensorsWriter {
    /// Name, element type and shape of one tensor, without its data.
    public struct Entry: Sendable, Equatable {
        /// Tensor name as it appears in the header.
        public let name: String
        /// Element type.
        public let dtype: DType
        /// Extent of each dimension, outermost first (empty for a scalar).
        public let shape: [Int]

        /// Describes a tensor.
        public init(name: String, dtype: DType, shape: [Int]) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
        }

        /// Bytes the tensor's data occupies.
        public var byteCount: Int { shape.reduce(1, *) * dtype.byteSize }
    }

    /// Longest accepted tensor or metadata name, in UTF-8 bytes. Real checkpoints stay under
    /// 200; the bound keeps a runaway caller from producing a header readers refuse.
    public static let maximumNameLength = 1024

    /// Largest header readers accept (the reference implementation's `HeaderTooLarge` limit).
    public static let maximumHeaderLength = 100_000_000

    /// Writes `tensors` (and optional string metadata) to `path` atomically.
    ///
    /// - Throws: ``WeightsError`` `.invalidName` for an empty, reserved, duplicate or
    ///   control-character name; `.io` when the file cannot be written.
    public static func write(
        _ tensors: [(name: String, tensor: StoredTensor)],
        metadata: [String: String] = [:],
        to path: String
    ) throws {
        let entries = tensors.map { Entry(name: $0.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) }
        var byName: [String: StoredTensor] = [:]
        for (name, tensor) in tensors { byName[name] = tensor }
        try write(entries: entries, metadata: metadata, to: path) { entry in
            // Duplicates were rejected before any data is requested, so the lookup is total.
            byName[entry.name]?.bytes ?? []
        }
    }

    /// Writes tensors whose data is produced one at a time by `data`, in file order, so a
    /// multi-gigabyte checkpoint never has to be resident at once.
    ///
    /// - Parameters:
    ///   - entries: The tensors' names, dtypes and shapes, in any order.
    ///   - metadata: `__metadata__` string pairs (omitted from the header when empty).
    ///   - path: Destination file; its directory must exist.
    ///   - data: Returns the little-endian bytes of one entry; must return exactly
    ///     `entry.byteCount` bytes.
    /// - Throws: ``WeightsError`` `.invalidName`, `.invalidArgument` (bad shape or wrong
    ///   byte count from `data`), `.io`; errors thrown by `data` are passed through. On any
    ///   error the destination is untouched and the temporary file removed.
    public static func write(
        entries: [Entry],
        metadata: [String: String] = [:],
        to path: String,
        data: (Entry) throws -> [UInt8]
    ) throws {
        let ordered = try layout(entries)
        let header = try serializedHeader(orderedEntries: ordered, metadata: metadata)
        let file = try AtomicFile(destination: path)
        do {
            try file.append(header)
            for entry in ordered {
                let bytes = try data(entry)
                guard bytes.count == entry.byteCount else {
                    throw WeightsError(
                        .invalidArgument,
                        "\(path): tensor '\(entry.name)' has \(bytes.count) bytes, shape \(entry.shape) of \(entry.dtype.rawValue) needs \(entry.byteCount)"
                    )
                }
                try file.append(bytes)
            }
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
    }

    /// The complete file contents for `tensors`, as ``write(_:metadata:to:)`` would write them.
    public static func serialize(
        _ tensors: [(name: String, tensor: StoredTensor)],
        metadata: [String: String] = [:]
    ) throws -> [UInt8] {
        let entries = tensors.map { Entry(name: $0.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) }
        let ordered = try layout(entries)
        var byName: [String: StoredTensor] = [:]
        for (name, tensor) in tensors { byName[name] = tensor }
        var output = try serializedHeader(orderedEntries: ordered, metadata: metadata)
        for entry in ordered { output += byName[entry.name]?.bytes ?? [] }
        return output
    }

    /// Validates `entries` and puts them in file order.
    static func layout(_ entries: [Entry]) throws -> [Entry] {
        var seen = Set<String>()
        for entry in entries {
            try validate(name: entry.name, what: "tensor")
            guard seen.insert(entry.name).inserted else {
                throw WeightsError(.invalidName, "tensor name '\(entry.name)' appears twice")
            }
            var elements = 1
            for extent in entry.shape {
                guard extent >= 0 else {
                    throw WeightsError(
                        .invalidArgument, "tensor '\(entry.name)': negative extent in shape \(entry.shape)")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
                guard !overflow, product.multipliedReportingOverflow(by: 8).overflow == false else {
                    throw WeightsError(.invalidArgument, "tensor '\(entry.name)': shape \(entry.shape) overflows")
                }
                elements = product
            }
        }
        return entries.sorted { a, b in
            if a.dtype.byteSize != b.dtype.byteSize { return a.dtype.byteSize > b.dtype.byteSize }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
    }

    /// Length prefix plus padded JSON header for entries already in file order.
    static func serializedHeader(
        orderedEntries: [Entry], metadata: [String: String], limit: Int = maximumHeaderLength
    ) throws -> [UInt8] {
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            for (index, key) in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                try validate(name: key, what: "metadata key")
                if index > 0 { json += "," }
                json += jsonString(key) + ":" + jsonString(metadata[key] ?? "")
            }
            json += "}"
            first = false
        }
        var offset = 0
        for entry in orderedEntries {
            if !first { json += "," }
            first = false
            let end = offset + entry.byteCount
            json += jsonString(entry.name)
            json += ":{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":["
            json += entry.shape.map(String.init).joined(separator: ",")
            json += "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var headerBytes = Array(json.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        guard headerBytes.count <= limit else {
            throw WeightsError(
                .invalidArgument, "header of \(headerBytes.count) bytes exceeds the \(limit)-byte limit readers enforce"
            )
        }
        var output: [UInt8] = []
        output.reserveCapacity(8 + headerBytes.count)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { output.append(contentsOf: $0) }
        output += headerBytes
        return output
    }

    private static func validate(name: String, what: String) throws {
        guard !name.isEmpty else { throw WeightsError(.invalidName, "empty \(what) name") }
        guard name.utf8.count <= maximumNameLength else {
            throw WeightsError(.invalidName, "\(what) name of \(name.utf8.count) bytes exceeds \(maximumNameLength)")
        }
        guard name != "__metadata__" else {
            throw WeightsError(.invalidName, "\(what) name '__metadata__' is reserved for the metadata block")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw WeightsError(.invalidName, "\(what) name '\(name.debugDescription)' contains a control character")
        }
    }

    /// JSON string literal; non-ASCII characters stay raw UTF-8 (valid JSON, and what the
    /// Rust implementation emits).
    private static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

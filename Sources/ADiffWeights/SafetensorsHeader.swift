import ADiffTensor

/// The validated header of a safetensors file: every tensor's dtype, shape and byte range, and
/// the `__metadata__` strings.
///
/// A header is only constructed when the whole file layout is valid (reliability checklist
/// M1–M9): length prefix within the cap and the file, UTF-8 JSON object starting with `{`
/// (trailing whitespace allowed), no duplicate keys, string-only metadata, known dtypes,
/// shape products computed with overflow checks, offsets that are two non-negative integers
/// with begin ≤ end, byte spans equal to element count × dtype size, and spans that tile the
/// data section exactly from 0 to its last byte (no gaps, overlaps or trailing bytes).
public struct SafetensorsHeader: Sendable, Equatable {
    /// One tensor as the header describes it.
    public struct Entry: Sendable, Equatable {
        /// Tensor name.
        public let name: String
        /// Element type.
        public let dtype: DType
        /// Extents, outermost first.
        public let shape: [Int]
        /// Byte range relative to the start of the data section.
        public let dataOffsets: Range<UInt64>
    }

    /// Header lengths above this are rejected before anything is allocated (the reference
    /// implementation's limit).
    public static let maximumHeaderByteCount: UInt64 = 100_000_000

    /// Tensors in data-section order.
    public let entries: [Entry]
    /// The `__metadata__` object, empty when absent.
    public let metadata: [String: String]
    /// Length of the JSON header (the value of the 8-byte prefix).
    public let headerByteCount: Int

    /// Offset of the data section in the file.
    public var dataStart: UInt64 { 8 + UInt64(headerByteCount) }

    /// Validates the 8-byte little-endian length prefix of a file of `fileSize` bytes and
    /// returns the header length.
    ///
    /// - Throws: ``WeightsError`` `.fileTooShort`, `.headerTooLarge`, `.headerPastEndOfFile`.
    public static func headerLength(prefix: [UInt8], fileSize: UInt64, path: String) throws -> Int {
        guard fileSize >= 8, prefix.count >= 8 else {
            throw WeightsError(.fileTooShort, "\(path): \(fileSize) bytes is shorter than the 8-byte safetensors header length")
        }
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(prefix[i]) }
        guard length <= maximumHeaderByteCount else {
            throw WeightsError(
                .headerTooLarge,
                "\(path): safetensors header length \(length) exceeds the limit of \(maximumHeaderByteCount) bytes"
            )
        }
        guard length <= fileSize - 8 else {
            throw WeightsError(
                .headerPastEndOfFile,
                "\(path): safetensors header length \(length) runs past the end of the \(fileSize)-byte file"
            )
        }
        return Int(length)
    }

    /// Validates a whole file image held in memory (tests and fuzzing).
    public static func parse(fileImage: [UInt8], path: String = "<memory>") throws -> SafetensorsHeader {
        let length = try headerLength(prefix: Array(fileImage.prefix(8)), fileSize: UInt64(fileImage.count), path: path)
        return try SafetensorsHeader(
            headerBytes: Array(fileImage[8..<8 + length]),
            dataByteCount: UInt64(fileImage.count - 8 - length),
            path: path
        )
    }

    /// Parses and validates `headerBytes` (the JSON) for a data section of `dataByteCount` bytes.
    ///
    /// - Throws: ``WeightsError`` with the kind of the first rule that fails, naming `path`.
    public init(headerBytes: [UInt8], dataByteCount: UInt64, path: String) throws {
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw WeightsError(.headerNotObject, "\(path): safetensors header does not start with {")
        }
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw WeightsError(.headerNotUTF8, "\(path): safetensors header is not valid UTF-8")
        }
        guard case .object(let members) = try HeaderJSON.parse(headerBytes, path: path) else {
            throw WeightsError(.headerNotObject, "\(path): safetensors header is not a JSON object")
        }
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.metadata(value, path: path)
            } else {
                entries.append(try Self.entry(name: key, value, path: path))
            }
        }
        entries.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var position: UInt64 = 0
        for entry in entries {
            guard entry.dataOffsets.lowerBound == position else {
                let problem = entry.dataOffsets.lowerBound > position ? "a gap" : "an overlap"
                throw WeightsError(
                    .offsetsNotContiguous,
                    "\(path): tensor \"\(entry.name)\" starts at \(entry.dataOffsets.lowerBound) but the previous data ends at \(position) (\(problem))"
                )
            }
            position = entry.dataOffsets.upperBound
        }
        guard position == dataByteCount else {
            throw WeightsError(
                .dataLengthMismatch,
                "\(path): the tensors cover \(position) bytes but the data section has \(dataByteCount)"
                    + (dataByteCount > position ? " (trailing bytes)" : " (file too short)")
            )
        }
        self.entries = entries
        self.metadata = metadata
        self.headerByteCount = headerBytes.count
    }

    private static func metadata(_ value: HeaderJSON, path: String) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw WeightsError(.metadataNotStrings, "\(path): __metadata__ is not an object")
        }
        var result: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw WeightsError(.metadataNotStrings, "\(path): __metadata__ value of \"\(key)\" is not a string")
            }
            result[key] = text
        }
        return result
    }

    /// A non-negative integer without sign, fraction or exponent.
    private static func unsignedInteger(_ value: HeaderJSON) -> UInt64? {
        guard case .number(let lexeme) = value, lexeme.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return UInt64(lexeme)
    }

    private static func entry(name: String, _ value: HeaderJSON, path: String) throws -> Entry {
        guard case .object(let fields) = value else {
            throw WeightsError(.invalidTensorEntry, "\(path): tensor \"\(name)\" is not an object")
        }
        var dtypeValue: HeaderJSON?
        var shapeValue: HeaderJSON?
        var offsetsValue: HeaderJSON?
        for (key, field) in fields {
            switch key {
            case "dtype": dtypeValue = field
            case "shape": shapeValue = field
            case "data_offsets": offsetsValue = field
            default: throw WeightsError(.invalidTensorEntry, "\(path): tensor \"\(name)\" has an unknown field \"\(key)\"")
            }
        }
        guard let dtypeValue, let shapeValue, let offsetsValue else {
            throw WeightsError(.invalidTensorEntry, "\(path): tensor \"\(name)\" lacks dtype, shape or data_offsets")
        }
        guard case .string(let dtypeName) = dtypeValue else {
            throw WeightsError(.invalidTensorEntry, "\(path): tensor \"\(name)\" dtype is not a string")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw WeightsError(.unknownDType, "\(path): tensor \"\(name)\" has unknown dtype \"\(dtypeName)\"")
        }
        guard case .array(let extents) = shapeValue else {
            throw WeightsError(.invalidTensorEntry, "\(path): tensor \"\(name)\" shape is not an array")
        }
        var shape: [Int] = []
        var elementCount: UInt64 = 1
        for extentValue in extents {
            guard let extent = unsignedInteger(extentValue) else {
                throw WeightsError(.invalidTensorEntry, "\(path): tensor \"\(name)\" shape has a non-integer or negative extent")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: extent)
            guard !overflow, extent <= UInt64(Int.max) else {
                throw WeightsError(.shapeOverflow, "\(path): tensor \"\(name)\" element count overflows")
            }
            elementCount = product
            shape.append(Int(extent))
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: UInt64(dtype.byteSize))
        guard !overflow, byteCount <= UInt64(Int.max) else {
            throw WeightsError(.shapeOverflow, "\(path): tensor \"\(name)\" byte count overflows")
        }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
            let begin = unsignedInteger(offsets[0]), let end = unsignedInteger(offsets[1])
        else {
            throw WeightsError(.invalidOffsets, "\(path): tensor \"\(name)\" data_offsets is not two non-negative integers")
        }
        guard begin <= end else {
            throw WeightsError(.invalidOffsets, "\(path): tensor \"\(name)\" data_offsets begin \(begin) > end \(end)")
        }
        guard end - begin == byteCount else {
            throw WeightsError(
                .byteLengthMismatch,
                "\(path): tensor \"\(name)\" spans \(end - begin) bytes but \(shape) of \(dtype.rawValue) needs \(byteCount)"
            )
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }
}

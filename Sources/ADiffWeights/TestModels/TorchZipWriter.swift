import ADiffTensor

/// Writes PyTorch's zip serialization (`torch.save` since 1.6): a STORED zip with
/// `<archive>/data.pkl` (a protocol-2 pickle), one `<archive>/data/<n>` member per tensor
/// storage, `<archive>/byteorder` and `<archive>/version`.
///
/// The pickle uses only what A1111's restricted unpickler and `torch.load(weights_only=True)`
/// accept: `torch._utils._rebuild_tensor_v2`, `torch.<Type>Storage`, `collections.OrderedDict`
/// (empty backward hooks), and plain dicts, strings, ints, booleans and None.
public enum TorchZipWriter {
    /// The complete file for `root`.
    ///
    /// - Throws: ``WeightsError`` `.invalidArgument` for a tensor dtype PyTorch has no storage
    ///   class for here, or an archive past 4 GiB.
    public static func serialize(_ root: TorchPickleValue, archiveName: String = "archive") throws -> [UInt8] {
        var pickle = PickleEncoder()
        var storages: [[UInt8]] = []
        pickle.op(0x80, [2])  // PROTO 2
        try pickle.value(root, storages: &storages)
        pickle.op(0x2E)  // STOP
        var archive = StoredZipArchive()
        try archive.add("\(archiveName)/data.pkl", pickle.bytes)
        try archive.add("\(archiveName)/byteorder", Array("little".utf8))
        for (index, storage) in storages.enumerated() {
            try archive.add("\(archiveName)/data/\(index)", storage)
        }
        try archive.add("\(archiveName)/version", Array("3\n".utf8))
        return archive.finished()
    }

    /// Writes `root` to `path` atomically.
    public static func write(_ root: TorchPickleValue, to path: String, archiveName: String = "archive") throws {
        let bytes = try serialize(root, archiveName: archiveName)
        let file = try AtomicFile(destination: path)
        do {
            try file.append(bytes)
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
    }

    /// PyTorch's storage class for a dtype.
    static func storageClass(_ dtype: DType) throws -> String {
        switch dtype {
        case .float32: "FloatStorage"
        case .float16: "HalfStorage"
        case .bfloat16: "BFloat16Storage"
        case .float64: "DoubleStorage"
        case .int64: "LongStorage"
        case .int32: "IntStorage"
        case .int16: "ShortStorage"
        case .int8: "CharStorage"
        case .uint8: "ByteStorage"
        case .bool: "BoolStorage"
        default: throw WeightsError(.invalidArgument, "no PyTorch storage class for \(dtype.rawValue)")
        }
    }
}

/// Emits pickle protocol-2 opcodes.
private struct PickleEncoder {
    private(set) var bytes: [UInt8] = []

    mutating func op(_ code: UInt8, _ payload: [UInt8] = []) {
        bytes.append(code)
        bytes += payload
    }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        op(0x58, Self.le32(UInt32(utf8.count)) + utf8)  // BINUNICODE
    }

    mutating func int(_ value: Int64) {
        if value >= 0 && value < 256 {
            op(0x4B, [UInt8(value)])  // BININT1
        } else if value >= Int64(Int32.min) && value <= Int64(Int32.max) {
            op(0x4A, Self.le32(UInt32(bitPattern: Int32(value))))  // BININT
        } else {
            op(0x8A, [8] + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * Int64($0))) })  // LONG1
        }
    }

    mutating func global(_ module: String, _ name: String) {
        op(0x63, Array("\(module)\n\(name)\n".utf8))  // GLOBAL
    }

    mutating func tuple(_ items: [Int]) {
        op(0x28)  // MARK
        for item in items { int(Int64(item)) }
        op(0x74)  // TUPLE
    }

    mutating func value(_ value: TorchPickleValue, storages: inout [[UInt8]]) throws {
        switch value {
        case .none: op(0x4E)
        case .bool(let flag): op(flag ? 0x88 : 0x89)
        case .int(let number): int(number)
        case .string(let text): string(text)
        case .dict(let entries):
            op(0x7D)  // EMPTY_DICT
            if !entries.isEmpty {
                op(0x28)  // MARK
                for (key, item) in entries {
                    string(key)
                    try self.value(item, storages: &storages)
                }
                op(0x75)  // SETITEMS
            }
        case .tensor(let tensor):
            let storageClass = try TorchZipWriter.storageClass(tensor.dtype)
            global("torch._utils", "_rebuild_tensor_v2")
            op(0x28)  // MARK: arguments
            op(0x28)  // MARK: persistent id ('storage', class, key, location, numel)
            string("storage")
            global("torch", storageClass)
            string(String(storages.count))
            string("cpu")
            int(Int64(tensor.elementCount))
            op(0x74)  // TUPLE
            op(0x51)  // BINPERSID
            int(0)  // storage offset
            tuple(tensor.shape)
            var strides = [Int](repeating: 1, count: tensor.shape.count)
            for axis in stride(from: tensor.shape.count - 2, through: 0, by: -1) {
                strides[axis] = strides[axis + 1] * tensor.shape[axis + 1]
            }
            tuple(strides)
            op(0x89)  // requires_grad False
            global("collections", "OrderedDict")
            op(0x29)  // EMPTY_TUPLE
            op(0x52)  // REDUCE: empty backward hooks
            op(0x74)  // TUPLE
            op(0x52)  // REDUCE
            storages.append(tensor.bytes)
        }
    }

    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}

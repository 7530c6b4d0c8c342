import ADiffTensor

/// What a model file says about one tensor, known without reading its data.
public struct TensorInfo: Sendable, Equatable {
    /// Element type as stored.
    public let dtype: DType
    /// Extents, outermost first.
    public let shape: [Int]

    /// Creates a description.
    public init(dtype: DType, shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    /// Bytes the loaded tensor occupies (`elementCount × dtype.byteSize`); the readers
    /// validated that this does not overflow.
    public var byteCount: Int { shape.reduce(1, *) * dtype.byteSize }
}

/// A validated, opened model file whose tensors are read lazily by name.
///
/// Opening validates the whole layout (header or pickle, and the container); ``load(_:)``
/// reads only the bytes of one tensor, so a caller that keeps tensors one at a time needs
/// memory for the largest tensor, not the file.
public protocol WeightFile: Sendable {
    /// The file, as given to the reader.
    var path: String { get }
    /// Tensor names in file order.
    var tensorNames: [String] { get }
    /// String metadata (safetensors `__metadata__`; scalar extras of a checkpoint wrapper).
    var metadata: [String: String] { get }
    /// Dtype and shape of `name`, or `nil` when the file has no such tensor.
    func info(_ name: String) -> TensorInfo?
    /// Reads tensor `name`.
    ///
    /// - Throws: ``WeightsError`` `.tensorNotFound`, or a read/integrity error naming the file.
    func load(_ name: String) throws -> StoredTensor
}

extension WeightFile {
    /// Total bytes of all tensors, for refusing files that exceed a memory budget before loading.
    public var tensorByteCount: Int {
        tensorNames.reduce(0) { $0 + (info($1)?.byteCount ?? 0) }
    }
}

/// Opens model files, choosing the reader from the first bytes rather than the extension.
public enum WeightFiles {
    /// Opens `path`: a zip (`PK\u{3}\u{4}`) is a PyTorch checkpoint, a pickle (`0x80`) is a
    /// legacy torch file (rejected), anything else is read as safetensors. A safetensors file
    /// can start with `0x80` too (its first byte is the header length's low byte): one whose
    /// ninth byte opens the JSON header (`{`) is read as safetensors.
    ///
    /// - Throws: ``WeightsError`` naming the file and the first rule it breaks.
    public static func open(_ path: String) throws -> any WeightFile {
        try open(FileByteSource(path: path))
    }

    /// Opens an already opened source (a file or an in-memory image).
    public static func open(_ source: any ByteSource) throws -> any WeightFile {
        let magic = try source.read(at: 0, count: Int(min(source.byteCount, 9)))
        // A legacy torch file's pickle has the magic number's bytes there, never "{".
        let safetensorsHeader = magic.count == 9 && magic[8] == UInt8(ascii: "{")
        if magic.starts(with: ZipArchive.localHeaderMagic) || (magic.first == 0x80 && !safetensorsHeader) {
            return try CheckpointFile(source: source)
        }
        return try SafetensorsFile(source: source)
    }
}

import ADiffTensor

/// A validated safetensors file whose tensors are read on demand.
///
/// Data is read with `pread` into each ``StoredTensor``'s own array (see ``FileByteSource``)
/// rather than mapped: a mapping of a file that is truncated while in use turns the next
/// access into SIGBUS and kills the daemon, while a short `pread` is an ordinary error. The
/// copy costs one memcpy-speed pass, which is small next to widening and compute, and the
/// resident size stays what the caller keeps (loading a 2 GB file tensor by tensor needs the
/// largest tensor, not 4 GB).
public struct SafetensorsFile: WeightFile {
    /// The validated header.
    public let header: SafetensorsHeader
    private let source: any ByteSource
    private let index: [String: Int]

    public var path: String { source.path }
    public var tensorNames: [String] { header.entries.map(\.name) }
    public var metadata: [String: String] { header.metadata }

    /// Opens and validates the file at `path`.
    public init(path: String) throws {
        try self.init(source: FileByteSource(path: path))
    }

    /// Validates the safetensors layout of `source`.
    ///
    /// - Throws: ``WeightsError`` with the kind of the failed rule (M1–M9), naming the file.
    public init(source: any ByteSource) throws {
        let prefix = try source.read(at: 0, count: Int(min(source.byteCount, 8)))
        let length = try SafetensorsHeader.headerLength(prefix: prefix, fileSize: source.byteCount, path: source.path)
        let headerBytes = try source.read(at: 8, count: length)
        header = try SafetensorsHeader(
            headerBytes: headerBytes,
            dataByteCount: source.byteCount - 8 - UInt64(length),
            path: source.path
        )
        self.source = source
        index = Dictionary(uniqueKeysWithValues: header.entries.enumerated().map { ($1.name, $0) })
    }

    public func info(_ name: String) -> TensorInfo? {
        guard let i = index[name] else { return nil }
        return TensorInfo(dtype: header.entries[i].dtype, shape: header.entries[i].shape)
    }

    public func load(_ name: String) throws -> StoredTensor {
        guard let i = index[name] else { throw WeightsError(.tensorNotFound, "\(path): no tensor \"\(name)\"") }
        let entry = header.entries[i]
        let bytes = try source.read(
            at: header.dataStart + entry.dataOffsets.lowerBound,
            count: Int(entry.dataOffsets.count)
        )
        return try StoredTensor(dtype: entry.dtype, shape: entry.shape, bytes: bytes)
    }
}

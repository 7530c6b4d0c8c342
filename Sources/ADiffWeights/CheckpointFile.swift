import ADiffTensor

/// A PyTorch zip checkpoint (`.ckpt`, `.pt`, `.pth` written by `torch.save` ≥ 1.6) read through
/// the restricted unpickler; tensors are read lazily by name.
///
/// Opening validates the zip directory (``ZipArchive``), the member set (one top folder with
/// `data.pkl`, `data/<key>` storages and torch's bookkeeping files; TorchScript archives are
/// refused), `byteorder` (little only), the pickle (``TorchStateDict``), and that every
/// storage a tensor references exists with exactly numel × element size bytes. Loading reads
/// the tensor's storage member with `pread` (see ``FileByteSource`` for why not `mmap`),
/// verifies its CRC-32 and materialises non-contiguous views (transposes, offsets) into
/// row-major bytes. Pre-1.6 (non-zip) files are rejected with `.unsupportedCheckpointFormat`.
public struct CheckpointFile: WeightFile {
    /// The tensors and storages the pickle describes.
    public let stateDict: TorchStateDict
    private let archive: ZipArchive
    private let storagePrefix: String

    public var path: String { archive.path }
    public var tensorNames: [String] { stateDict.names }
    public var metadata: [String: String] { stateDict.metadata }

    /// `data.pkl` larger than this is refused; an SDXL checkpoint's is about 300 KB.
    public static let maximumPickleByteCount: UInt64 = 256 << 20

    /// Member names torch writes besides `data.pkl` and `data/<key>`.
    private static let bookkeepingMembers: Set<String> = [
        "version", ".format_version", ".storage_alignment", "byteorder", ".data/serialization_id", ".data/version",
    ]

    /// Opens and validates the checkpoint at `path`.
    public init(path: String) throws {
        try self.init(source: FileByteSource(path: path))
    }

    /// Validates the checkpoint in `source`.
    ///
    /// - Throws: ``WeightsError`` with the kind of the failed rule (K1–K7, Z1–Z3), naming the file.
    public init(source: any ByteSource) throws {
        let path = source.path
        let magic = try source.read(at: 0, count: Int(min(source.byteCount, 4)))
        guard magic.starts(with: ZipArchive.localHeaderMagic) else {
            if magic.first == 0x80 {
                throw WeightsError(
                    .unsupportedCheckpointFormat,
                    "\(path): legacy (pre-1.6, non-zip) torch checkpoint; re-save it with a current torch or convert it to safetensors"
                )
            }
            throw WeightsError(.zipCorrupt, "\(path): not a zip archive")
        }
        let archive = try ZipArchive(source: source)
        guard let pickleMember = archive.members.first(where: { $0.name.hasSuffix("/data.pkl") || $0.name == "data.pkl" }) else {
            throw WeightsError(.zipUnexpectedMember, "\(path): archive has no data.pkl")
        }
        let prefix = String(pickleMember.name.dropLast("data.pkl".count))
        guard !prefix.dropLast().contains("/") else {
            throw WeightsError(.zipUnexpectedMember, "\(path): data.pkl is nested below \(prefix)")
        }
        for member in archive.members {
            guard member.name.hasPrefix(prefix) else {
                throw WeightsError(.zipUnexpectedMember, "\(path): member \"\(member.name)\" is outside the top folder \(prefix)")
            }
            let relative = member.name.dropFirst(prefix.count)
            if relative == "constants.pkl" || relative.hasPrefix("code/") {
                throw WeightsError(.unsupportedCheckpointFormat, "\(path): TorchScript archives are not supported")
            }
            let isStorage = relative.hasPrefix("data/") && relative.count > 5 && !relative.dropFirst(5).contains("/")
            guard relative == "data.pkl" || isStorage || Self.bookkeepingMembers.contains(String(relative)) else {
                throw WeightsError(.zipUnexpectedMember, "\(path): unexpected member \"\(member.name)\" in a torch checkpoint")
            }
        }
        if let byteorder = archive.member(named: prefix + "byteorder") {
            guard try archive.read(byteorder) == Array("little".utf8) else {
                throw WeightsError(.unsupportedCheckpointFormat, "\(path): big-endian checkpoints are not supported")
            }
        }
        guard pickleMember.size <= Self.maximumPickleByteCount else {
            throw WeightsError(.pickleLimitExceeded, "\(path): data.pkl is \(pickleMember.size) bytes")
        }
        let stateDict = try TorchStateDict.parse(pickle: try archive.read(pickleMember), path: path)
        for name in stateDict.names {
            let storage = stateDict.tensors[name]!.storage
            guard let member = archive.member(named: prefix + "data/" + storage.key) else {
                throw WeightsError(.storageMissing, "\(path): tensor \"\(name)\" uses storage \(storage.key), which is not in the archive")
            }
            guard member.size == UInt64(storage.byteCount) else {
                throw WeightsError(
                    .storageSizeMismatch,
                    "\(path): storage \(storage.key) has \(member.size) bytes but its reference declares \(storage.byteCount)"
                )
            }
        }
        self.archive = archive
        self.stateDict = stateDict
        storagePrefix = prefix + "data/"
    }

    public func info(_ name: String) -> TensorInfo? {
        stateDict.tensors[name].map { TensorInfo(dtype: $0.dtype, shape: $0.shape) }
    }

    public func load(_ name: String) throws -> StoredTensor {
        guard let view = stateDict.tensors[name] else { throw WeightsError(.tensorNotFound, "\(path): no tensor \"\(name)\"") }
        guard let member = archive.member(named: storagePrefix + view.storage.key) else {
            throw WeightsError(.storageMissing, "\(path): storage \(view.storage.key) is not in the archive")
        }
        let storage = try archive.read(member)
        let size = view.dtype.byteSize
        let count = view.elementCount
        if count == 0 {
            return try StoredTensor(dtype: view.dtype, shape: view.shape, bytes: [])
        }
        if view.isContiguous {
            let start = view.storageOffset * size
            let bytes = start == 0 && count * size == storage.count ? storage : Array(storage[start..<start + count * size])
            return try StoredTensor(dtype: view.dtype, shape: view.shape, bytes: bytes)
        }
        // Strided view: gather elements in row-major order (offsets were bounds-checked at parse time).
        var bytes = [UInt8](repeating: 0, count: count * size)
        do {
            var coordinate = [Int](repeating: 0, count: view.shape.count)
            var source = view.storageOffset
            storage.withUnsafeBytes { from in
                bytes.withUnsafeMutableBytes { to in
                    for element in 0..<count {
                        (to.baseAddress! + element * size).copyMemory(from: from.baseAddress! + source * size, byteCount: size)
                        var axis = view.shape.count - 1
                        while axis >= 0 {
                            coordinate[axis] += 1
                            source += view.strides[axis]
                            if coordinate[axis] < view.shape[axis] { break }
                            source -= view.strides[axis] * view.shape[axis]
                            coordinate[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
        }
        return try StoredTensor(dtype: view.dtype, shape: view.shape, bytes: bytes)
    }
}

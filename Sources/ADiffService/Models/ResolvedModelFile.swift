import ADiffProtocol

/// A model name resolved to an open, hashed file: what loaders receive.
public struct ResolvedModelFile: Sendable {
    /// The catalog entry.
    public let file: ModelFile
    /// The file, open beneath its root; hashing and loading read this descriptor.
    public let handle: ConfinedFile
    /// Full sha256 of the open file (64 lower-case hex digits).
    public let sha256: String

    /// Creates a resolved file.
    public init(file: ModelFile, handle: ConfinedFile, sha256: String) {
        self.file = file
        self.handle = handle
        self.sha256 = sha256
    }

    /// A byte source over the open descriptor for `WeightFiles.open`.
    public var byteSource: DescriptorByteSource { DescriptorByteSource(file: handle) }

    /// The WebUI title, `name [shorthash]`.
    public var title: String { "\(file.name) [\(sha256.prefix(10))]" }
}

import ADiffProtocol

/// A model file found under a root while scanning.
public struct ModelFile: Sendable, Equatable, Hashable {
    /// Its kind (the folder it is in).
    public var kind: ModelKind
    /// The kind's folder under the root it was found in (`<root>/Stable-diffusion`).
    public var folder: String
    /// Path relative to ``folder``, with extension.
    public var name: String
    /// Size in bytes when scanned.
    public var size: Int64

    /// Creates an entry.
    public init(kind: ModelKind, folder: String, name: String, size: Int64) {
        self.kind = kind
        self.folder = folder
        self.name = name
        self.size = size
    }

    /// The absolute path (the hash cache's key).
    public var path: String { folder + "/" + name }

    /// The name without its extension.
    public var stem: String {
        guard let dot = name.lastIndex(of: "."), !name[..<dot].hasSuffix("/") else { return name }
        return String(name[..<dot])
    }

    /// The last path component.
    public var baseName: String { String(name.split(separator: "/").last ?? Substring(name)) }
}

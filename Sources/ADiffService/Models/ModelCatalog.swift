import ADiffProtocol
import ADiffWeights
import Foundation

/// The model files under the configured roots and their hashes.
///
/// Names resolve as the WebUI resolves them: a title `name.safetensors [abcdef1234]`, a path
/// relative to the kind's folder with or without extension, a bare file name, a 10-hex short
/// hash, an 8-hex legacy hash or the full sha256. Hashes are cached in the registry keyed by
/// path and file identity (device, inode, size, mtime), so a replaced or rewritten file is
/// hashed again, and every hash is taken from the same descriptor that is later loaded.
public actor ModelCatalog {
    private let roots: [String]
    private let registry: Registry
    private var files: [ModelFile] = []
    private var legacyHashes: [String: (identity: FileIdentity, hash: String)] = [:]

    /// Creates a catalog over `roots` (each holding WebUI folders) and scans them.
    public init(roots: [String], registry: Registry) {
        self.roots = roots
        self.registry = registry
        files = ModelCatalog.scan(roots: roots)
    }

    /// Scans the roots again.
    @discardableResult
    public func rescan() -> [ModelFile] {
        files = ModelCatalog.scan(roots: roots)
        return files
    }

    /// The files found by the last scan, optionally of one kind.
    public func list(kind: ModelKind? = nil) -> [ModelFile] {
        files.filter { kind == nil || $0.kind == kind }
    }

    /// The cached sha256 of `file` if it is still valid (no hashing).
    public func cachedHash(of file: ModelFile) -> String? {
        guard let identity = FileIdentity(path: file.path) else { return nil }
        return try? registry.cachedHash(path: file.path, identity: identity)
    }

    /// Hashes every file whose cached hash is missing or stale.
    public func hashAll() async {
        for file in files {
            _ = try? await open(file)
        }
    }

    /// Resolves `name` of `kind` to an open, hashed file.
    ///
    /// - Throws: ``RPCError`` `.pathOutsideRoot` for names that try to leave the roots,
    ///   `.modelNotFound` when nothing matches, `.invalidModel` for ambiguous names.
    public func resolve(_ name: String, kind: ModelKind) async throws(RPCError) -> ResolvedModelFile {
        guard !name.isEmpty else { throw RPCError(.modelNotFound, "empty \(kind.rawValue) name") }
        guard !name.hasPrefix("/"), !name.split(separator: "/").contains(".."), !name.utf8.contains(0) else {
            throw RPCError(.pathOutsideRoot, "\"\(name)\" is not a name beneath the \(kind.folderName) folders")
        }
        var target = name
        var hashHint: String?
        if let open = name.lastIndex(of: "["), name.hasSuffix("]"), open > name.startIndex {
            let hint = name[name.index(after: open)..<name.index(before: name.endIndex)]
            if hint.allSatisfy(\.isHexDigit) {
                hashHint = hint.lowercased()
                target = String(name[..<open]).trimmingCharacters(in: .whitespaces)
            }
        }
        if let match = try await find(target, kind: kind, hashHint: hashHint) { return match }
        rescan()
        if let match = try await find(target, kind: kind, hashHint: hashHint) { return match }
        throw RPCError(.modelNotFound, "no \(kind.rawValue) named \"\(name)\" under the \(kind.folderName) folders")
    }

    private func find(_ name: String, kind: ModelKind, hashHint: String?) async throws(RPCError) -> ResolvedModelFile? {
        let candidates = files.filter { $0.kind == kind }
        var matches = candidates.filter { $0.name == name }
        if matches.isEmpty { matches = candidates.filter { $0.stem == name } }
        if matches.isEmpty { matches = candidates.filter { $0.baseName == name || ($0.baseName as NSString).deletingPathExtension == name } }
        if !matches.isEmpty {
            if matches.count > 1 {
                let list = matches.map(\.name).joined(separator: ", ")
                throw RPCError(.modelNotFound, "\"\(name)\" matches several \(kind.rawValue) files: \(list); name one by its path")
            }
            let resolved = try await open(matches[0])
            if let hashHint, !resolved.sha256.hasPrefix(hashHint), try legacyHash(of: resolved) != hashHint {
                throw RPCError(.modelNotFound, "\(resolved.file.name) has hash \(resolved.sha256.prefix(10)), not \(hashHint)")
            }
            return resolved
        }
        let lower = name.lowercased()
        guard [8, 10, 12, 64].contains(lower.count), lower.allSatisfy(\.isHexDigit) else { return nil }
        // A hash: cached hashes first, then hash the rest.
        for file in candidates {
            if let cached = cachedHash(of: file), cached.hasPrefix(lower) { return try await open(file) }
        }
        for file in candidates {
            let resolved = try await open(file)
            if resolved.sha256.hasPrefix(lower) { return resolved }
            if lower.count == 8, try legacyHash(of: resolved) == lower { return resolved }
        }
        return nil
    }

    /// Opens `file` beneath its folder and hashes it (cache first).
    public func open(_ file: ModelFile) async throws(RPCError) -> ResolvedModelFile {
        let handle = try ConfinedFile(root: file.folder, relativePath: file.name, missingKind: .modelNotFound)
        let path = file.path
        let identity = handle.identity
        if let cached = try? registry.cachedHash(path: path, identity: identity) {
            return ResolvedModelFile(file: file, handle: handle, sha256: cached)
        }
        let registry = self.registry
        do {
            let sha = try await Blocking.run { try ModelHashes.sha256(path: handle.procPath) }
            try? registry.storeHash(path: path, identity: identity, sha256: sha)
            return ResolvedModelFile(file: file, handle: handle, sha256: sha)
        } catch {
            throw RPCError(.invalidModel, "\(file.name) cannot be read: \(error)")
        }
    }

    private func legacyHash(of resolved: ResolvedModelFile) throws(RPCError) -> String {
        let path = resolved.file.path
        if let cached = legacyHashes[path], cached.identity == resolved.handle.identity { return cached.hash }
        do {
            let hash = try ModelHashes.legacyHash(path: resolved.handle.procPath)
            legacyHashes[path] = (resolved.handle.identity, hash)
            return hash
        } catch {
            throw RPCError(.invalidModel, "\(resolved.file.name) cannot be read: \(error)")
        }
    }

    /// Lists model files of every kind under `roots`, sorted by kind then name.
    static func scan(roots: [String]) -> [ModelFile] {
        var found: [ModelFile] = []
        let manager = FileManager.default
        for root in roots {
            for kind in ModelKind.allCases {
                let folder = (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/" + kind.folderName
                guard let enumerator = manager.enumerator(atPath: folder) else { continue }
                while let relative = enumerator.nextObject() as? String {
                    if enumerator.level > 6 { enumerator.skipDescendants() }
                    let base = (relative as NSString).lastPathComponent
                    guard !base.hasPrefix("."), kind.fileExtensions.contains((base as NSString).pathExtension.lowercased())
                    else { continue }
                    guard let identity = FileIdentity(path: folder + "/" + relative) else { continue }
                    found.append(ModelFile(kind: kind, folder: folder, name: relative, size: identity.size))
                }
            }
        }
        return found.sorted { ($0.kind.rawValue, $0.name, $0.folder) < ($1.kind.rawValue, $1.name, $1.folder) }
    }
}

import ADiffProtocol

/// A model named with its kind, as in the `preload` setting: `checkpoint:sd15.safetensors`.
public struct ModelReference: Sendable, Equatable {
    /// The kind (folder).
    public var kind: ModelKind
    /// The name, resolved like `models.load` names.
    public var name: String

    /// Creates a reference.
    public init(kind: ModelKind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `kind:name`.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = ModelKind(rawValue: String(text[..<colon])) else {
            return nil
        }
        let name = String(text[text.index(after: colon)...])
        guard !name.isEmpty else { return nil }
        self.init(kind: kind, name: name)
    }
}

/// `models.list` params.
public struct ModelsListParams: Sendable, Equatable, Codable {
    /// Only this kind.
    public var kind: ModelKind?

    /// Creates the params.
    public init(kind: ModelKind? = nil) {
        self.kind = kind
    }
}

/// `models.list` and `models.rescan` result.
public struct ModelsListResult: Sendable, Equatable, Codable {
    /// Model files, by kind then name.
    public var models: [ModelInfo]

    /// Creates the result.
    public init(models: [ModelInfo]) {
        self.models = models
    }
}

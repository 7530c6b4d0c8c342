/// `models.rescan` params.
public struct ModelsRescanParams: Sendable, Equatable, Codable {
    /// Also hash every file whose cached hash is missing or stale (slow for large files).
    public var hash: Bool?

    /// Creates the params.
    public init(hash: Bool? = nil) {
        self.hash = hash
    }
}

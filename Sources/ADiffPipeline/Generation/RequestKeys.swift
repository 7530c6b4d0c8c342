/// Rejects JSON object keys a request type does not know, naming the first.
enum RequestKeys {
    /// A coding key made from any string.
    struct AnyKey: CodingKey {
        let stringValue: String
        let intValue: Int? = nil
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// - Throws: ``PipelineError`` `.invalidParameter` for the first unknown key (sorted).
    static func rejectUnknown(in decoder: any Decoder, known: Set<String>, path: String) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.map(\.stringValue).filter({ !known.contains($0) }).sorted().first {
            throw PipelineError(.invalidParameter, "unknown parameter \"\(path)\(unknown)\"", field: path + unknown)
        }
    }
}

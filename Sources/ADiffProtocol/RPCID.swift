/// A JSON-RPC request id: the client's choice of integer or string, unique per connection.
public enum RPCID: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    /// Decodes an integer or a string id.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes the id as it arrived.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    /// The id as text, for logs.
    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .string(let value): value
        }
    }
}

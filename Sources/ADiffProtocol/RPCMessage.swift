import Foundation

/// One JSON-RPC 2.0 message as it travels on a line: a request (with an id), a notification
/// (no id, no reply) or a response (result or error for an id).
public enum RPCMessage: Sendable, Equatable {
    case request(id: RPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case response(id: RPCID?, outcome: Result<JSONValue, RPCError>)

    /// Parses one line (without its LF).
    ///
    /// - Throws: ``RPCError`` `.parseError` when the line is not JSON, `.invalidRequest` when it
    ///   is JSON but not a single JSON-RPC 2.0 message (batches are not supported).
    public static func decode(line: some Collection<UInt8>) throws(RPCError) -> RPCMessage {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        } catch {
            throw RPCError(.parseError, "the line is not valid JSON")
        }
        guard case .object(let members) = value else {
            throw RPCError(.invalidRequest, "a message must be one JSON object (batches are not supported)")
        }
        guard members["jsonrpc"] == .string("2.0") else {
            throw RPCError(.invalidRequest, "\"jsonrpc\" must be \"2.0\"")
        }
        let id = try decodeID(members["id"])
        if let method = members["method"] {
            guard case .string(let name) = method, !name.isEmpty else {
                throw RPCError(.invalidRequest, "\"method\" must be a non-empty string")
            }
            let params = members["params"]
            if let params, !params.isStructured {
                throw RPCError(.invalidRequest, "\"params\" must be an object or an array")
            }
            if let id { return .request(id: id, method: name, params: params) }
            return .notification(method: name, params: params)
        }
        if let error = members["error"] {
            guard let decoded = try? JSONDecoder().decode(RPCError.self, from: JSONEncoder().encode(error)) else {
                throw RPCError(.invalidRequest, "\"error\" must be {code, message, data: {kind}}")
            }
            return .response(id: id, outcome: .failure(decoded))
        }
        if let result = members["result"] {
            return .response(id: id, outcome: .success(result))
        }
        throw RPCError(.invalidRequest, "a message needs \"method\", \"result\" or \"error\"")
    }

    /// The message as one line of compact JSON, LF-terminated.
    public func encodedLine() throws -> [UInt8] {
        var object: [String: JSONValue] = ["jsonrpc": .string("2.0")]
        switch self {
        case .request(let id, let method, let params):
            object["id"] = id.jsonValue
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .notification(let method, let params):
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .response(let id, let outcome):
            object["id"] = id?.jsonValue ?? .null
            switch outcome {
            case .success(let result): object["result"] = result
            case .failure(let error): object["error"] = try JSONValue(encoding: error)
            }
        }
        var bytes = try RPCMessage.encoder.encode(JSONValue.object(object))
        bytes.append(0x0A)
        return Array(bytes)
    }

    /// Compact, key-sorted output: no raw newlines ever appear inside a message.
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    private static func decodeID(_ value: JSONValue?) throws(RPCError) -> RPCID? {
        switch value {
        case nil, .null?: return nil
        case .int(let number)?: return .int(number)
        case .string(let text)?: return .string(text)
        default: throw RPCError(.invalidRequest, "\"id\" must be an integer or a string")
        }
    }
}

extension RPCID {
    /// The id as a JSON value.
    var jsonValue: JSONValue {
        switch self {
        case .int(let value): .int(value)
        case .string(let value): .string(value)
        }
    }
}

extension JSONValue {
    /// True for objects and arrays, the only shapes JSON-RPC allows for `params`.
    var isStructured: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }

    /// Converts any `Encodable` value into a JSON value.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Decodes this value as `T` (for method params and results).
    ///
    /// - Throws: ``RPCError`` `.invalidParams` naming the field that did not fit.
    public func decode<T: Decodable>(_ type: T.Type) throws(RPCError) -> T {
        do {
            let data = try JSONEncoder().encode(self)
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw RPCError(.invalidParams, error.readableDescription, field: error.fieldPath)
        } catch {
            throw RPCError(.invalidParams, "\(error)")
        }
    }
}

extension DecodingError {
    /// Dotted path of the field the decoder was at.
    var fieldPath: String? {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            return nil
        }
        let text = path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return text.isEmpty ? nil : text
    }

    /// A one-line explanation naming the field.
    var readableDescription: String {
        let field = fieldPath.map { "\"\($0)\"" } ?? "params"
        switch self {
        case .keyNotFound: return "\(field) is required"
        case .typeMismatch(let type, _): return "\(field) must be \(type)"
        case .valueNotFound(let type, _): return "\(field) must be \(type), not null"
        case .dataCorrupted(let context): return "\(field): \(context.debugDescription)"
        @unknown default: return "\(field) is invalid"
        }
    }
}

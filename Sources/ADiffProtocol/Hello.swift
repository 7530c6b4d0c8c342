/// The `hello` handshake, the first call on every connection.
public enum Hello {
    /// The protocol major version this build speaks. Methods evolve by adding fields; a
    /// change of meaning bumps this number.
    public static let protocolVersion = 1

    /// `hello` params: `{"protocol": 1, "client": "adiffctl/0.1"}`.
    public struct Params: Sendable, Equatable, Codable {
        /// The client's protocol major version.
        public var `protocol`: Int
        /// Free-form client name and version, for logs.
        public var client: String?

        /// Creates the params.
        public init(protocol: Int = Hello.protocolVersion, client: String? = nil) {
            self.protocol = `protocol`
            self.client = client
        }
    }

    /// `hello` result: the server's version and what it can do.
    public struct Result: Sendable, Equatable, Codable {
        /// The server's protocol major version.
        public var `protocol`: Int
        /// Server name and version.
        public var server: String
        /// Output formats this daemon can encode.
        public var formats: [String]

        /// Creates the result.
        public init(protocol: Int = Hello.protocolVersion, server: String, formats: [String]) {
            self.protocol = `protocol`
            self.server = server
            self.formats = formats
        }
    }

    /// Checks a client's params against this build.
    ///
    /// - Throws: ``RPCError`` `.protocolMismatch` when the major versions differ.
    public static func check(_ params: Params) throws(RPCError) {
        guard params.protocol == protocolVersion else {
            throw RPCError(
                .protocolMismatch,
                "client speaks protocol \(params.protocol), this daemon speaks \(protocolVersion)"
            )
        }
    }
}

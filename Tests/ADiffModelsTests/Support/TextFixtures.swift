import ADiffModels
import Foundation

/// Loads the golden files written by scripts/fixtures/make_text_fixtures.py.
enum TextFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Text")

    /// The bundled tokenizer, loaded once for all suites; a load failure fails every test using it.
    private static let bundled = Result { () throws(TextError) in try CLIPTokenizer.bundled() }

    static func tokenizer() throws -> CLIPTokenizer { try bundled.get() }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    struct TokenizerFile: Decodable {
        struct Case: Decodable {
            let text: String
            let hf: [Int32]
            let webui: [Int32]
            let openclip: [Int32]
            let ftfyEncoding: Bool
        }
        let cases: [Case]
    }

    struct PromptsFile: Decodable {
        struct Tag: Decodable {
            let name: String
            let positional: [String]
            let named: [String: String]
        }
        struct Fragment: Decodable {
            let text: String
            let weight: Double
        }
        struct Placement: Decodable {
            let name: String
            let position: Int
            let vectors: Int
        }
        struct Chunk: Decodable {
            let ids: [Int32]
            let multipliers: [Double]
            let embeddings: [Placement]
        }
        struct Case: Decodable {
            let prompt: String
            let stripped: String
            let tags: [Tag]
            let fragments: [Fragment]?
            let chunks: [Chunk]?
            let chunksNoBacktrack: [Chunk]?
            let error: String?
        }
        let textualInversion: [String: Int]
        let cases: [Case]
    }
}

import Foundation
import Testing
@testable import ADiffModels

@Suite struct CLIPTokenizerTests {
    static var tokenizer: CLIPTokenizer { get throws { try TextFixtures.tokenizer() } }

    @Test func vocabularyHasTheSpecifiedLayout() throws {
        let symbols = try Self.tokenizer.model.symbols
        #expect(symbols.count == 49_408)
        #expect(symbols[267] == ",</w>")
        #expect(symbols[320] == "a</w>")
        #expect(symbols[0] == "!")
        #expect(symbols[49_406] == "<|startoftext|>")
        #expect(symbols[49_407] == "<|endoftext|>")
    }

    /// Test vectors of spec §2.3 (verified there against HF's CLIPTokenizer).
    @Test(arguments: [
        ("a photo of a cat", [320, 1125, 539, 320, 2368]),
        ("masterpiece, best quality, 1girl", [12066, 267, 949, 3027, 267, 272, 1611]),
        ("A  RED\tCar!!", [320, 736, 1615, 748]),
        ("(red:1.3)", [263, 736, 281, 272, 269, 274, 264]),
        ("1024x1024", [272, 271, 273, 275, 343, 272, 271, 273, 275]),
        ("café", [15304]),
    ] as [(String, [Int32])])
    func specVectors(text: String, ids: [Int32]) throws {
        for mode in CLIPTextNormalization.allCases {
            #expect(try Self.tokenizer.with(normalization: mode).encode(text) == ids, "\(mode)")
        }
    }

    @Test func matchesHuggingFaceTokenizersOnEveryGoldenPrompt() throws {
        let file = try TextFixtures.load("tokenizer.json", as: TextFixtures.TokenizerFile.self)
        #expect(file.cases.count > 250)
        let tokenizer = try Self.tokenizer.with(normalization: .huggingFace)
        for entry in file.cases {
            #expect(tokenizer.encode(entry.text) == entry.hf, "\(entry.text.debugDescription)")
        }
    }

    @Test func matchesTheWebUIPathExceptMojibakeRepair() throws {
        let file = try TextFixtures.load("tokenizer.json", as: TextFixtures.TokenizerFile.self)
        let tokenizer = try Self.tokenizer.with(normalization: .webUI)
        for entry in file.cases where !entry.ftfyEncoding {
            #expect(tokenizer.encode(entry.text) == entry.webui, "\(entry.text.debugDescription)")
        }
    }

    @Test func matchesOpenCLIPExceptMojibakeRepair() throws {
        let file = try TextFixtures.load("tokenizer.json", as: TextFixtures.TokenizerFile.self)
        let tokenizer = try Self.tokenizer.with(normalization: .openCLIP)
        for entry in file.cases where !entry.ftfyEncoding {
            #expect(tokenizer.encode(entry.text) == entry.openclip, "\(entry.text.debugDescription)")
        }
    }

    @Test func rejectsTruncatedGzip() throws {
        let gzip: [UInt8] = [  // gzip of "hello\n" made with Python's gzip.compress(mtime=0)
            0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0xE7,
            0x02, 0x00, 0x20, 0x30, 0x3A, 0x36, 0x06, 0x00, 0x00, 0x00,
        ]
        #expect(try GzipInflater.inflate(gzip, source: "t") == Array("hello\n".utf8))
        #expect(throws: TextError.self) { try GzipInflater.inflate(Array(gzip.prefix(14)), source: "t") }
    }

    @Test func rejectsDataThatIsNotGzip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adiff-not-gzip-\(UUID()).gz")
        try Data("plain text".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: TextError.self) { try CLIPTokenizer(gzipFile: url) }
    }
}

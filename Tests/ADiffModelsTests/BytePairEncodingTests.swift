import Foundation
import Testing
@testable import ADiffModels

/// The heap-based merge order against a direct transcription of the reference loop (CLIP's
/// `bpe()`: pick the lowest-ranked adjacent pair, merge all its occurrences, repeat), on strings.
@Suite struct BytePairEncodingTests {
    struct NaiveBPE {
        let ranks: [String: Int]
        let byteSymbols: [Character]

        init() throws {
            let url = TextFixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/ADiffModels/Resources/bpe_simple_vocab_16e6.txt.gz")
            let text = String(decoding: try GzipInflater.inflate([UInt8](Data(contentsOf: url)), source: url.path), as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)[1...48_894]
            var ranks: [String: Int] = [:]
            for (rank, line) in lines.enumerated() { ranks[String(line)] = rank }
            self.ranks = ranks
            var symbols = [Character](repeating: " ", count: 256)
            var extra: UInt32 = 256
            for byte in 0..<256 {
                let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
                if printable {
                    symbols[byte] = Character(Unicode.Scalar(UInt8(byte)))
                } else {
                    symbols[byte] = Character(Unicode.Scalar(extra)!)
                    extra += 1
                }
            }
            byteSymbols = symbols
        }

        func encode(_ word: String) -> [String] {
            var parts = word.utf8.map { String(byteSymbols[Int($0)]) }
            parts[parts.count - 1] += "</w>"
            while parts.count > 1 {
                var best: (rank: Int, first: String, second: String)?
                for index in 0..<(parts.count - 1) {
                    if let rank = ranks[parts[index] + " " + parts[index + 1]], rank < (best?.rank ?? .max) {
                        best = (rank, parts[index], parts[index + 1])
                    }
                }
                guard let best else { break }
                var merged: [String] = []
                var index = 0
                while index < parts.count {
                    if index + 1 < parts.count, parts[index] == best.first, parts[index + 1] == best.second {
                        merged.append(best.first + best.second)
                        index += 2
                    } else {
                        merged.append(parts[index])
                        index += 1
                    }
                }
                parts = merged
            }
            return parts
        }
    }

    @Test func heapOrderEqualsTheReferenceLoopOnRandomWords() throws {
        let naive = try NaiveBPE()
        let model = try TextFixtures.tokenizer().model
        let alphabets = [Array("abcdefghijklmnopqrstuvwxyz"), Array("aab"), Array("eé日本!?,.'0"), Array("😀👍🏽ßø")]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for trial in 0..<600 {
            let alphabet = alphabets[trial % alphabets.count]
            let length = 1 + trial % 60
            let word = String((0..<length).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return alphabet[Int(state >> 33) % alphabet.count]
            })
            let expected = naive.encode(word)
            let actual = model.encode(word: word).map { model.symbols[Int($0)] }
            #expect(actual == expected, "\(word)")
        }
    }
}

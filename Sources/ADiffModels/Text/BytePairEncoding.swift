/// The CLIP byte-level BPE model: byte→symbol table, the 49 408-entry vocabulary and the merge ranks.
///
/// Built from OpenAI's merges file as §2.1 of the compatibility spec describes: 256 byte symbols,
/// the same 256 with `</w>`, one entry per merge in merge order, then the two special tokens.
/// Symbols are handled as vocabulary ids throughout, so a merge is a lookup of an id pair.
public struct BytePairEncoding: Sendable {
    /// Number of merges CLIP uses: 49 152 − 256 − 2.
    public static let mergeCount = 48_894
    /// Vocabulary size: 2 × 256 byte symbols + merges + 2 special tokens.
    public static let vocabularySize = 512 + mergeCount + 2
    /// `<|startoftext|>`.
    public static let startOfTextID: Int32 = 49_406
    /// `<|endoftext|>`.
    public static let endOfTextID: Int32 = 49_407

    /// Vocabulary id of each byte's symbol (without `</w>`); add 256 for the `</w>` form.
    private let byteSymbolIDs: [Int32]
    /// `(left << 32 | right)` → (rank, merged id).
    private let merges: [UInt64: (rank: Int32, merged: Int32)]
    /// Symbol text of every id, for inspection and tests.
    public let symbols: [String]

    /// Builds the model from the text of a merges file (header line, then "A B" per line).
    /// - Parameter mergesText: the decompressed `bpe_simple_vocab_16e6.txt`.
    /// - Parameter source: names the file in error messages.
    public init(mergesText: String, source: String) throws(TextError) {
        let table = Self.byteToUnicode()
        var symbols = table.map { String($0.symbol) }
        symbols += table.map { String($0.symbol) + "</w>" }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(Self.vocabularySize)
        for (index, symbol) in symbols.enumerated() { ids[symbol] = Int32(index) }

        var lines = mergesText.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= Self.mergeCount + 1 else {
            throw TextError(.vocabulary, "\(source): \(lines.count) lines, expected a header and \(Self.mergeCount) merges")
        }
        lines = Array(lines[1...Self.mergeCount])
        var merges: [UInt64: (rank: Int32, merged: Int32)] = [:]
        merges.reserveCapacity(Self.mergeCount)
        for (rank, line) in lines.enumerated() {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, let left = ids[String(parts[0])], let right = ids[String(parts[1])] else {
                throw TextError(.vocabulary, "\(source): line \(rank + 2) '\(line)' is not a merge of two known symbols")
            }
            let merged = String(parts[0]) + String(parts[1])
            let mergedID = Int32(symbols.count)
            guard ids[merged] == nil else {
                throw TextError(.vocabulary, "\(source): line \(rank + 2) repeats the symbol '\(merged)'")
            }
            ids[merged] = mergedID
            symbols.append(merged)
            merges[UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))] = (Int32(rank), mergedID)
        }
        symbols += ["<|startoftext|>", "<|endoftext|>"]

        var byteSymbolIDs = [Int32](repeating: 0, count: 256)
        for (index, entry) in table.enumerated() { byteSymbolIDs[Int(entry.byte)] = Int32(index) }
        self.byteSymbolIDs = byteSymbolIDs
        self.merges = merges
        self.symbols = symbols
    }

    /// The GPT-2/CLIP byte→unicode table in insertion order: printable Latin-1 bytes map to
    /// themselves, the other 68 bytes (in increasing order) to U+0100, U+0101, … .
    static func byteToUnicode() -> [(byte: UInt8, symbol: Character)] {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var table = printable.map { (byte: UInt8($0), symbol: Character(Unicode.Scalar(UInt8($0)))) }
        let kept = Set(printable)
        var next: UInt32 = 0x100
        for byte in 0...255 where !kept.contains(byte) {
            table.append((UInt8(byte), Character(Unicode.Scalar(next)!)))
            next += 1
        }
        return table
    }

    /// Encodes one pre-tokenized word: UTF-8 bytes → symbols, `</w>` on the last one, then merges
    /// by lowest rank, each round merging every left-to-right non-overlapping occurrence.
    public func encode(word: String) -> [Int32] {
        var symbols = word.utf8.map { byteSymbolIDs[Int($0)] }
        guard !symbols.isEmpty else { return [] }
        symbols[symbols.count - 1] += 256
        while symbols.count > 1 {
            var best: (rank: Int32, left: Int32, right: Int32, merged: Int32)?
            for index in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[index])) << 32 | UInt64(UInt32(symbols[index + 1]))
                if let merge = merges[key], best.map({ merge.rank < $0.rank }) ?? true {
                    best = (merge.rank, symbols[index], symbols[index + 1], merge.merged)
                }
            }
            guard let best else { break }
            var merged: [Int32] = []
            merged.reserveCapacity(symbols.count)
            var index = 0
            while index < symbols.count {
                if index + 1 < symbols.count, symbols[index] == best.left, symbols[index + 1] == best.right {
                    merged.append(best.merged)
                    index += 2
                } else {
                    merged.append(symbols[index])
                    index += 1
                }
            }
            symbols = merged
        }
        return symbols
    }
}

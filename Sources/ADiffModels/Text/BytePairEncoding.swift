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
            // `ids` holds only the symbols made so far, so every merge uses symbols of earlier
            // merges: encode(word:) relies on that ordering.
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

    /// Encodes one pre-tokenized word: UTF-8 bytes → symbols, `</w>` on the last one, then merges by
    /// lowest rank, each rank merging every left-to-right non-overlapping occurrence (the reference
    /// loop). Done with a heap over a linked list, O(n log n) instead of the loop's O(n²): merges are
    /// popped by (rank, position), and since every merge only uses symbols made by earlier merges
    /// (enforced at load), the pairs a merge creates rank after it, so the order is the loop's order.
    public func encode(word: String) -> [Int32] {
        var ids = word.utf8.map { byteSymbolIDs[Int($0)] }
        guard !ids.isEmpty else { return [] }
        ids[ids.count - 1] += 256
        guard ids.count > 1 else { return ids }
        var next = Array(1...ids.count)
        next[ids.count - 1] = -1
        var previous = Array(-1..<(ids.count - 1))
        var alive = [Bool](repeating: true, count: ids.count)
        var heap = PairHeap()
        func push(_ position: Int) {
            guard position >= 0 else { return }
            let right = next[position]
            guard right >= 0, let merge = merges[pairKey(ids[position], ids[right])] else { return }
            heap.push(PairHeap.Entry(rank: merge.rank, position: Int32(position), left: ids[position], right: ids[right]))
        }
        for position in 0..<(ids.count - 1) { push(position) }
        while let entry = heap.pop() {
            let position = Int(entry.position)
            let right = next[position]
            // Skip entries made stale by an earlier merge at or next to this position.
            guard alive[position], right >= 0, ids[position] == entry.left, ids[right] == entry.right else { continue }
            ids[position] = merges[pairKey(entry.left, entry.right)]!.merged
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { previous[next[right]] = position }
            push(previous[position])
            push(position)
        }
        var result: [Int32] = []
        var position = 0
        while position >= 0 {
            result.append(ids[position])
            position = next[position]
        }
        return result
    }

    private func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
    }
}

/// Binary min-heap of candidate merges ordered by (rank, position).
private struct PairHeap {
    struct Entry {
        let rank: Int32
        let position: Int32
        let left: Int32
        let right: Int32

        var key: UInt64 { UInt64(UInt32(rank)) << 32 | UInt64(UInt32(position)) }
    }

    private var entries: [Entry] = []

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].key < entries[parent].key else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < entries.count, entries[left].key < entries[smallest].key { smallest = left }
                if right < entries.count, entries[right].key < entries[smallest].key { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

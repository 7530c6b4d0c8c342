import Foundation

/// CLIP's byte-level BPE tokenizer (compatibility spec §2), producing the same ids as the reference
/// chosen by `normalization`: the WebUI's transformers/ftfy path, HuggingFace `tokenizers`, or open_clip.
///
/// `encode` returns ids without BOS/EOS and without truncation, as the WebUI tokenizes prompt
/// fragments. The vocabulary is immutable and the word cache is internally synchronised, so a
/// tokenizer can be shared freely across tasks.
public struct CLIPTokenizer: Sendable {
    /// Id of `<|startoftext|>` (BOS).
    public static let startOfTextID = BytePairEncoding.startOfTextID
    /// Id of `<|endoftext|>` (EOS, also the SD1.5 padding id).
    public static let endOfTextID = BytePairEncoding.endOfTextID
    /// Id of `,</w>`, the comma the chunker backs off to.
    public static let commaID: Int32 = 267
    /// Name of the bundled OpenAI merges file.
    public static let vocabularyResourceName = "bpe_simple_vocab_16e6.txt.gz"

    /// The BPE model.
    public let model: BytePairEncoding
    /// Which reference's pre-processing this tokenizer reproduces.
    public let normalization: CLIPTextNormalization
    private let cache: BPEWordCache

    /// Wraps a model.
    public init(model: BytePairEncoding, normalization: CLIPTextNormalization = .webUI) {
        self.model = model
        self.normalization = normalization
        self.cache = BPEWordCache(capacity: 100_000)
    }

    /// Loads OpenAI's merges from a gzip file (e.g. the bundled resource or open_clip's copy).
    public init(gzipFile url: URL, normalization: CLIPTextNormalization = .webUI) throws(TextError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TextError(.vocabulary, "\(url.path): cannot read the BPE vocabulary (\(error))")
        }
        let text = try GzipInflater.inflate([UInt8](data), source: url.path)
        guard let merges = String(validating: text, as: UTF8.self) else {
            throw TextError(.vocabulary, "\(url.path): the decompressed vocabulary is not UTF-8")
        }
        self.init(model: try BytePairEncoding(mergesText: merges, source: url.path), normalization: normalization)
    }

    /// Loads the vocabulary shipped with ADiffModels.
    public static func bundled(normalization: CLIPTextNormalization = .webUI) throws(TextError) -> CLIPTokenizer {
        guard let url = Bundle.module.url(forResource: vocabularyResourceName, withExtension: nil) else {
            throw TextError(.vocabulary, "resource \(vocabularyResourceName) is missing from the ADiffModels bundle")
        }
        return try CLIPTokenizer(gzipFile: url, normalization: normalization)
    }

    /// The same vocabulary and cache with another pre-processing.
    public func with(normalization: CLIPTextNormalization) -> CLIPTokenizer {
        CLIPTokenizer(model: model, normalization: normalization, cache: cache)
    }

    private init(model: BytePairEncoding, normalization: CLIPTextNormalization, cache: BPEWordCache) {
        self.model = model
        self.normalization = normalization
        self.cache = cache
    }

    /// Token ids of `text`, without BOS/EOS, untruncated.
    public func encode(_ text: String) -> [Int32] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        for segment in specialSegments(scalars) {
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let raw):
                let preTokenizer = CLIPPreTokenizer(normalization: normalization)
                for piece in preTokenizer.pieces(normalization.clean(raw)) {
                    switch piece {
                    case .special(let id):
                        ids.append(id)
                    case .word(let word):
                        ids += cache.ids(for: word) { model.encode(word: $0) }
                    }
                }
            }
        }
        return ids
    }

    private enum Segment {
        case text([Unicode.Scalar])
        case special(Int32)
    }

    /// Splits off specials typed in the raw text (exact spelling) where the reference does so.
    private func specialSegments(_ text: [Unicode.Scalar]) -> [Segment] {
        guard normalization.splitsSpecialsFirst else { return [.text(text)] }
        let specials = normalization.specialTokens
        var segments: [Segment] = []
        var start = 0
        var index = 0
        search: while index < text.count {
            for special in specials where text[index...].starts(with: special.text) {
                if index > start { segments.append(.text(Array(text[start..<index]))) }
                segments.append(.special(special.id))
                index += special.text.count
                start = index
                continue search
            }
            index += 1
        }
        if start < text.count { segments.append(.text(Array(text[start...]))) }
        return segments
    }
}

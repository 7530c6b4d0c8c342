import Foundation

/// Which reference's text pre-processing the tokenizer reproduces (compatibility spec §2.2).
///
/// The BPE and vocabulary are the same for all three; they differ in clean-up, in case mapping and
/// in which special-token spellings become ids.
public enum CLIPTextNormalization: Sendable, Hashable, CaseIterable {
    /// What the WebUI runs for SD1.5 and SDXL's CLIP-L (transformers' slow `CLIPTokenizer` with ftfy):
    /// typed `<|startoftext|>`/`<|endoftext|>` split off first; each remaining piece gets ftfy's
    /// clean-up (see `FTFYCleaner` for the implemented subset), whitespace runs → one space, strip,
    /// Python lower-casing. The default.
    case webUI
    /// transformers' `CLIPTokenizer` backed by `tokenizers` (diffusers): NFC, White_Space runs → one
    /// space, per-character lower-casing; no ftfy, no HTML unescape.
    case huggingFace
    /// open_clip's `SimpleTokenizer` (SDXL's bigG encoder): ftfy, `html.unescape` twice, strip,
    /// whitespace clean, lower-casing; its specials are spelled `<start_of_text>`/`<end_of_text>`.
    case openCLIP

    /// The special-token spellings recognised by the pre-tokenizer, with their ids.
    var specialTokens: [(text: [Unicode.Scalar], id: Int32)] {
        switch self {
        case .webUI, .huggingFace:
            [(Array("<|startoftext|>".unicodeScalars), BytePairEncoding.startOfTextID),
             (Array("<|endoftext|>".unicodeScalars), BytePairEncoding.endOfTextID)]
        case .openCLIP:
            [(Array("<start_of_text>".unicodeScalars), BytePairEncoding.startOfTextID),
             (Array("<end_of_text>".unicodeScalars), BytePairEncoding.endOfTextID)]
        }
    }

    /// Whether specials typed in the raw text are split off (exact spelling) before any clean-up.
    var splitsSpecialsFirst: Bool { self != .openCLIP }

    /// Whether the pre-tokenizer recognises special spellings that appear only after clean-up (e.g.
    /// typed in capitals) and maps them to their ids, as the Python tokenizers do (their BPE cache is
    /// seeded with the specials). `tokenizers` splits such text like any other punctuation and letters.
    var pretokenizerMapsSpecials: Bool { self != .huggingFace }

    /// Whether the pre-tokenizer regex is case-insensitive Python `regex` (so `'ſ` matches `'s`).
    var pretokenizerIgnoresCase: Bool { self != .huggingFace }

    /// Cleans text that holds no raw special tokens (for webUI/huggingFace they were split off first).
    func clean(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case .huggingFace:
            let collapsed = Self.collapse(Self.nfc(text), isSpace: UnicodeClasses.isWhiteSpace, strip: false)
            return UnicodeClasses.lowercasedPerScalar(collapsed)
        case .webUI:
            let fixed = FTFYCleaner.fixText(text)
            return UnicodeClasses.pythonLowercased(Self.collapse(fixed, isSpace: UnicodeClasses.isPythonSpace, strip: true))
        case .openCLIP:
            let fixed = HTMLUnescape.pythonUnescape(HTMLUnescape.pythonUnescape(FTFYCleaner.fixText(text)))
            return UnicodeClasses.pythonLowercased(Self.collapse(fixed, isSpace: UnicodeClasses.isPythonSpace, strip: true))
        }
    }

    /// Canonical composition (ASCII is already composed, which skips the Foundation round trip).
    static func nfc(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard !text.allSatisfy(\.isASCII) else { return text }
        return Array(String(String.UnicodeScalarView(text)).precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// Replaces every whitespace run with one space; optionally strips both ends.
    private static func collapse(
        _ text: [Unicode.Scalar], isSpace: (Unicode.Scalar) -> Bool, strip: Bool
    ) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var inSpace = false
        for scalar in text {
            if isSpace(scalar) {
                if !inSpace { result.append(" ") }
                inSpace = true
            } else {
                result.append(scalar)
                inSpace = false
            }
        }
        if strip {
            while result.last == " " { result.removeLast() }
            if result.first == " " { result.removeFirst() }
        }
        return result
    }

    /// Whitespace as the pre-tokenizer regex's `\s` sees it.
    func isPretokenizerSpace(_ scalar: Unicode.Scalar) -> Bool {
        self == .huggingFace ? UnicodeClasses.isWhiteSpace(scalar) : UnicodeClasses.isPythonSpace(scalar)
    }
}

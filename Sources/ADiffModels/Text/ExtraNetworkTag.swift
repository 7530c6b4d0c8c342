/// One `<name:args>` tag taken out of a positive prompt (compatibility spec §1.1), e.g.
/// `<lora:foo:0.7>`, `<lyco:bar:1:0.5>`, `<hypernet:h:0.3>`, `<lora:foo:unet=0.3>`.
public struct ExtraNetworkTag: Sendable, Equatable {
    /// The word before the first `:` (`lora`, `lyco`, `hypernet`, or an unknown one).
    public let kind: String
    /// The `:`-separated items that are not `key=value`, in order (item 0 is the network name).
    public let positional: [String]
    /// Items of the form `key=value` (exactly one `=`); a later key replaces an earlier one.
    public let named: [String: String]

    /// Creates a tag.
    public init(kind: String, positional: [String], named: [String: String]) {
        self.kind = kind
        self.positional = positional
        self.named = named
    }

    /// Finds and removes every `<\w+:[^>]+>` tag (known kind or not), leaving the surrounding text,
    /// spaces and commas untouched, as the WebUI does for positive prompts. Negative prompts are
    /// never passed through this: there, tags are ordinary text for CLIP.
    /// - Returns: the prompt without the tags, and the tags in prompt order.
    public static func extract(from prompt: String) -> (prompt: String, tags: [ExtraNetworkTag]) {
        let text = Array(prompt.unicodeScalars)
        var kept = String.UnicodeScalarView()
        var tags: [ExtraNetworkTag] = []
        var index = 0
        while index < text.count {
            if text[index] == "<", let (tag, end) = tag(in: text, at: index) {
                tags.append(tag)
                index = end
            } else {
                kept.append(text[index])
                index += 1
            }
        }
        return (String(kept), tags)
    }

    private static func tag(in text: [Unicode.Scalar], at start: Int) -> (ExtraNetworkTag, Int)? {
        var index = start + 1
        while index < text.count, UnicodeClasses.isPythonWordCharacter(text[index]) { index += 1 }
        guard index > start + 1, index < text.count, text[index] == ":" else { return nil }
        let kind = String(String.UnicodeScalarView(text[(start + 1)..<index]))
        let argumentsStart = index + 1
        var end = argumentsStart
        while end < text.count, text[end] != ">" { end += 1 }
        guard end < text.count, end > argumentsStart else { return nil }
        let arguments = String(String.UnicodeScalarView(text[argumentsStart..<end]))
        var positional: [String] = []
        var named: [String: String] = [:]
        for item in arguments.split(separator: ":", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 2 {
                named[String(parts[0])] = String(parts[1])
            } else {
                positional.append(String(item))
            }
        }
        return (ExtraNetworkTag(kind: kind, positional: positional, named: named), end + 1)
    }
}

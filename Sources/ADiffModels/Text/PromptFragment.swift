/// A piece of prompt text with its emphasis weight, as the WebUI's attention parser emits it.
public struct PromptFragment: Sendable, Equatable, CustomStringConvertible {
    /// The text, tokenized on its own (BPE never merges across fragments).
    public var text: String
    /// Product of the enclosing emphasis multipliers, in Float64 like the WebUI.
    public var weight: Double

    /// Creates a fragment.
    public init(_ text: String, weight: Double) {
        self.text = text
        self.weight = weight
    }

    /// The marker the parser inserts for `BREAK`: text "BREAK", weight exactly −1.
    public static let breakMarker = PromptFragment("BREAK", weight: -1)

    /// Whether this is a `BREAK` marker (a `BREAK` inside brackets has another weight and is text).
    public var isBreak: Bool { text == "BREAK" && weight == -1 }

    /// `"text":weight`.
    public var description: String { "\(text.debugDescription):\(weight)" }
}

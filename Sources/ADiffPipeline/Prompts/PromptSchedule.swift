/// The WebUI's prompt editing: `[from:to:when]`, `[to:when]`, `[from::when]` and alternation
/// `[a|b|c]` expanded into the plain texts a prompt takes over the denoiser calls
/// (a1111-compat §1.3).
///
/// Parsing follows the WebUI's grammar; a prompt it cannot parse (unbalanced brackets, a `|`
/// outside brackets) is one unscheduled text, as in the WebUI. Emphasis brackets are kept
/// verbatim for the encoder.
public struct PromptSchedule: Sendable, Equatable {
    /// One text and the last denoiser call (inclusive) it is used for.
    public struct Entry: Sendable, Equatable {
        /// Last call counter value that uses ``text``.
        public let endAtStep: Int
        /// The prompt with every editing construct resolved.
        public let text: String

        /// Creates an entry.
        public init(endAtStep: Int, text: String) {
            self.endAtStep = endAtStep
            self.text = text
        }
    }

    /// Entries in call order; the last ends at `steps`.
    public let entries: [Entry]

    /// Expands `prompt` for a sampler that makes `steps` denoiser calls' worth of schedule
    /// (the sampler's steps, doubled for second-order samplers, as the WebUI counts).
    ///
    /// - Parameter oldTimelines: The WebUI's "Use old prompt editing timelines": a number
    ///   below 1 is a fraction of the steps, anything else a call count.
    public init(prompt: String, steps: Int, oldTimelines: Bool = false) {
        var parser = PromptEditingParser(Array(prompt.unicodeScalars))
        guard let tree = parser.parseStart() else {
            entries = [Entry(endAtStep: steps, text: prompt)]
            return
        }
        var switches: Set<Int> = [steps]
        PromptEditingParser.collectSwitches(tree, steps: steps, oldTimelines: oldTimelines, into: &switches)
        entries = switches.sorted().map { step in
            Entry(
                endAtStep: step,
                text: PromptEditingParser.render(tree, atStep: step, steps: steps, oldTimelines: oldTimelines))
        }
    }

    /// The distinct texts, in entry order.
    public var texts: [String] { entries.map(\.text) }

    /// The entry used at denoiser call `call` (0-based): the first whose end is not before
    /// it; the first entry when every end is (the WebUI's fallback).
    public func activeIndex(atCall call: Int) -> Int {
        entries.firstIndex { call <= $0.endAtStep } ?? 0
    }
}

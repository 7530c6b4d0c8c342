import Foundation

/// The extension's prompt travel: a multi-line prompt with a head, `frame: prompt` keyframe
/// lines and a tail (animatediff-behaviour §5).
///
/// Unlike the extension, keyframes must be ascending and unique (it silently builds a broken
/// per-frame list otherwise), and a line that looks like a keyframe but comes after the map
/// has ended is reported rather than swallowed into the tail.
public struct PromptTravel: Sendable, Equatable {
    /// One keyframe: its frame index and its full prompt (`head, text, tail`).
    public struct Keyframe: Sendable, Equatable {
        public let frame: Int
        public let prompt: String
    }

    /// Which two keyframes a frame's conditioning blends, and how far between them; the
    /// conditionings are combined with `Slerp.wholeTensor`.
    public struct Blend: Sendable, Equatable {
        /// Index into ``keyframes`` of the earlier keyframe.
        public let from: Int
        /// Index into ``keyframes`` of the later keyframe (equal to `from` for no blend).
        public let to: Int
        /// Position between them: 0 is `from`, 1 is `to`.
        public let t: Float
    }

    /// The keyframes in frame order; empty when the prompt has no keyframe lines.
    public let keyframes: [Keyframe]

    /// Parses `prompt` for a video of `frameCount` frames.
    ///
    /// - Throws: ``PipelineError`` `.invalidPromptTravel` for a keyframe at or beyond the frame
    ///   count, keyframes out of order or repeated, or a keyframe-like line after the tail began.
    public init(prompt: String, frameCount: Int) throws {
        enum State { case head, map, tail }
        var state = State.head
        var head: [String] = []
        var tail: [String] = []
        var entries: [(frame: Int, text: String)] = []
        let lines = prompt.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n")
        for (number, line) in lines.enumerated() {
            if state == .head {
                if Self.startsWithFrameNumber(line) { state = .map } else { head.append(line) }
            }
            if state == .map {
                if let (frame, text) = Self.keyframeLine(line) {
                    guard frame < frameCount else {
                        throw PipelineError(
                            .invalidPromptTravel,
                            "prompt line \(number + 1): keyframe \(frame) is not below the frame count \(frameCount)",
                            field: "prompt"
                        )
                    }
                    if let last = entries.last, frame <= last.frame {
                        throw PipelineError(
                            .invalidPromptTravel,
                            "prompt line \(number + 1): keyframe \(frame) must come after keyframe \(last.frame) (ascending, no repeats)",
                            field: "prompt"
                        )
                    }
                    entries.append((frame, text))
                } else {
                    state = .tail
                }
            }
            if state == .tail {
                if Self.keyframeLine(line) != nil {
                    throw PipelineError(
                        .invalidPromptTravel,
                        "prompt line \(number + 1): keyframe line after the keyframe list ended (a blank or other line ends the list)",
                        field: "prompt"
                    )
                }
                tail.append(line)
            }
        }
        let headText = head.joined(separator: ", ")
        let tailText = tail.joined(separator: ", ")
        keyframes = entries.map { Keyframe(frame: $0.frame, prompt: "\(headText), \($0.text), \(tailText)") }
    }

    /// Whether the prompt used the travel syntax at all.
    public var isActive: Bool { !keyframes.isEmpty }

    /// The keyframe blend for `frame` of a video of `frameCount` frames; `closed` makes frames
    /// outside the first and last keyframe blend across the wrap (R+P and A with a video longer
    /// than the context).
    public func blend(forFrame frame: Int, frameCount: Int, closed: Bool) -> Blend {
        precondition(!keyframes.isEmpty, "blend needs keyframes")
        var previous = closed ? keyframes.count - 1 : 0
        var next = closed ? 0 : keyframes.count - 1
        for (index, keyframe) in keyframes.enumerated() {
            if keyframe.frame > frame {
                next = index
                break
            }
            previous = index
        }
        var distanceBack = frame - keyframes[previous].frame
        if distanceBack < 0 { distanceBack += frameCount }
        var distanceAhead = keyframes[next].frame - frame
        if distanceAhead < 0 { distanceAhead += frameCount }
        if previous == next || distanceBack + distanceAhead == 0 {
            return Blend(from: previous, to: previous, t: 0)
        }
        return Blend(from: previous, to: next, t: Float(distanceBack) / Float(distanceBack + distanceAhead))
    }

    /// `^\d+:` — the line that ends the head.
    private static func startsWithFrameNumber(_ line: String) -> Bool {
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        return !digits.isEmpty && line.dropFirst(digits.count).first == ":"
    }

    /// `^(\d+): (.+)$` — a keyframe line: digits, colon, one space, non-empty text.
    private static func keyframeLine(_ line: String) -> (Int, String)? {
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let frame = Int(digits) else { return nil }
        let rest = line.dropFirst(digits.count)
        guard rest.hasPrefix(": ") else { return nil }
        let text = rest.dropFirst(2)
        guard !text.isEmpty else { return nil }
        return (frame, String(text))
    }
}

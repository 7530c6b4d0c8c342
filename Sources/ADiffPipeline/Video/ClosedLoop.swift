/// The extension's `closed_loop` modes (animatediff-behaviour §4.1).
public enum ClosedLoop: String, Sendable, Codable, CaseIterable {
    /// No wrap-around windows at dilation 1; prompts do not wrap.
    case none = "N"
    /// Wrap-around windows ("reduced" range); prompts do not wrap. The extension's default.
    case reducedNoPrompt = "R-P"
    /// Same windows as R-P; prompt travel interpolates across the wrap.
    case reducedWithPrompt = "R+P"
    /// One more wrap-around window ("aggressive"); prompts wrap; short videos get their frames
    /// appended in reverse by the output writer.
    case aggressive = "A"

    /// Whether prompt travel interpolates between the last and the first keyframe.
    public var wrapsPrompts: Bool { self == .reducedWithPrompt || self == .aggressive }
}

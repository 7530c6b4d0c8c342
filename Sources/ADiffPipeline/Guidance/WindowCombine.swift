/// How predictions of overlapping context windows become one prediction per frame.
public enum WindowCombine: String, Sendable, Codable, CaseIterable {
    /// The extension's rule: a frame keeps the prediction of the last window (in run order)
    /// that contains it.
    case overwrite
    /// The mean of every window's prediction for the frame (what other AnimateDiff front ends
    /// do; smoother seams).
    case average
}

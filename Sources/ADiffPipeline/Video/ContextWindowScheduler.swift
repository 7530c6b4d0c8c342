import Foundation

/// The extension's "uniform" infinite-context scheduler: which frames each UNet evaluation
/// sees when the video is longer than the motion module's context (animatediff-behaviour §4).
///
/// Windows rotate with every sampler evaluation so the seams move. Two deliberate differences
/// from the extension, both fixes of its bugs:
/// - the number of dilation levels is capped so that a dilated window never holds a frame
///   twice (the extension emits duplicates when `contextSize · 2^level > frameCount`);
/// - in mode N, when the last window of a step wraps and is replaced by the last contiguous
///   window, the frames before the step's start offset are never visited (e.g. L=64, B=16,
///   O=4, step 8 leaves frames 0–3 with a zero prediction in the extension); such frames get
///   an extra contiguous window here, so every frame is predicted at every step.
public struct ContextWindowScheduler: Sendable, Equatable {
    /// Frames in the video (`video_length`, L).
    public let frameCount: Int
    /// Frames per UNet evaluation (`batch_size`, B: the motion module's context).
    public let contextSize: Int
    /// Frames shared by consecutive windows (`overlap`, O), resolved from −1 to B/4.
    public let overlap: Int
    /// Dilation levels used (`stride` capped by what the video length allows).
    public let levels: Int
    /// Loop mode.
    public let closedLoop: ClosedLoop

    /// Validates and resolves the parameters.
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` naming the field at fault.
    public init(frameCount: Int, contextSize: Int, overlap: Int = -1, stride: Int = 1, closedLoop: ClosedLoop = .reducedNoPrompt) throws {
        guard frameCount >= 1 else {
            throw PipelineError(.invalidParameter, "video_length must be at least 1, got \(frameCount)", field: "animatediff.video_length")
        }
        guard contextSize >= 1 else {
            throw PipelineError(.invalidParameter, "batch_size (context) must be at least 1, got \(contextSize)", field: "animatediff.batch_size")
        }
        let resolvedOverlap = overlap == -1 ? contextSize / 4 : overlap
        guard resolvedOverlap >= 0, resolvedOverlap < contextSize else {
            throw PipelineError(
                .invalidParameter,
                "overlap must be -1 or between 0 and batch_size - 1 (\(contextSize - 1)), got \(overlap)",
                field: "animatediff.overlap"
            )
        }
        guard stride >= 1 else {
            throw PipelineError(.invalidParameter, "stride must be at least 1, got \(stride)", field: "animatediff.stride")
        }
        self.frameCount = frameCount
        self.contextSize = contextSize
        self.overlap = resolvedOverlap
        self.closedLoop = closedLoop
        if frameCount <= contextSize {
            levels = 1
        } else {
            var allowed = 1
            while contextSize << allowed <= frameCount { allowed += 1 }
            let ratio = Double(frameCount) / Double(contextSize)
            levels = min(stride, Int(log2(ratio).rounded(.up)) + 1, allowed)
        }
    }

    /// The windows of sampler evaluation `step` (0-based), in the order they run. With a
    /// video no longer than the context this is the single window `0..<contextSize`.
    public func windows(step: Int) -> [[Int]] {
        guard frameCount > contextSize else { return [Array(0..<contextSize)] }
        let h = Self.orderedHalving(step)
        var windows: [[Int]] = []
        for level in 0..<levels {
            let dilation = 1 << level
            let pad = Int((Double(frameCount) * h).rounded(.toNearestOrEven))
            let start = Int(h * Double(dilation)) + pad
            let end = frameCount + pad - (closedLoop == .aggressive ? 0 : overlap)
            let hop = contextSize * dilation - overlap
            var previousWrapped = false
            var j = start
            while j < end {
                let window = (0..<contextSize).map { (j + $0 * dilation) % frameCount }
                if closedLoop == .none && dilation == 1 {
                    windows += noWrap(window, previousWrapped: &previousWrapped)
                } else {
                    windows.append(window)
                }
                j += hop
            }
            if closedLoop == .none && dilation == 1 {
                windows += coveringWindows(missingFrom: windows)
            }
        }
        return windows
    }

    /// Contiguous windows for every frame the given windows miss, lowest first.
    private func coveringWindows(missingFrom windows: [[Int]]) -> [[Int]] {
        var covered = [Bool](repeating: false, count: frameCount)
        for frame in windows.joined() { covered[frame] = true }
        var extra: [[Int]] = []
        for frame in 0..<frameCount where !covered[frame] {
            let first = min(frame, frameCount - contextSize)
            let window = Array(first..<(first + contextSize))
            for member in window { covered[member] = true }
            extra.append(window)
        }
        return extra
    }

    /// Mode N at dilation 1: a window that wraps past the last frame is replaced by the last
    /// and/or first contiguous window.
    private func noWrap(_ window: [Int], previousWrapped: inout Bool) -> [[Int]] {
        let first = Array(0..<contextSize)
        let last = Array((frameCount - contextSize)..<frameCount)
        guard let wrap = (1..<window.count).first(where: { window[$0] < window[$0 - 1] }) else { return [window] }
        if previousWrapped {
            previousWrapped = false
            return [first]
        }
        if wrap < contextSize - overlap { return [last, first] }
        previousWrapped = true
        return [last]
    }

    /// The bit-reversed step as a fraction of 2⁶⁴: 0, ½, ¼, ¾, ⅛, …
    static func orderedHalving(_ step: Int) -> Double {
        Double(UInt64(truncatingIfNeeded: step).bitReversed) / 0x1p64
    }
}

extension UInt64 {
    /// The 64 bits in reverse order.
    fileprivate var bitReversed: UInt64 {
        var value = self
        var result: UInt64 = 0
        for _ in 0..<64 {
            result = (result << 1) | (value & 1)
            value >>= 1
        }
        return result
    }
}

import ADiffProtocol
import Foundation

/// Shows `job.progress`: a redrawing bar with phase, step, window and ETA on a terminal; one
/// plain line per phase change when piped; the raw notification with `--json`; nothing with
/// `--quiet` or `--no-progress`.
final class ProgressRenderer {
    private enum Mode { case bar, lines, json, none }
    private let mode: Mode
    private var lastPhase: JobProgress.Phase?
    private var drawn = false
    /// The job id, once the first notification names it.
    private(set) var jobId: String?

    init(options: GlobalOptions) {
        if options.json {
            mode = .json
        } else if options.quiet || options.noProgress {
            mode = .none
        } else {
            mode = Output.stderrIsTerminal ? .bar : .lines
        }
    }

    /// Handles one notification.
    func notification(_ method: String, _ params: JSONValue?) {
        guard method == JobProgress.method, let params, let progress = try? params.decode(JobProgress.self) else { return }
        jobId = progress.jobId
        switch mode {
        case .json:
            Output.json(.object(["method": .string(method), "params": params]))
            fflush(nil)
        case .lines:
            if progress.phase != lastPhase { Output.error("\(progress.jobId): \(Self.describe(progress))") }
        case .bar:
            let line = "\r\u{1B}[2K\(Self.bar(progress)) \(Self.describe(progress))"
            FileHandle.standardError.write(Data(line.utf8))
            drawn = true
        case .none:
            break
        }
        lastPhase = progress.phase
    }

    /// Ends the bar's line.
    func finish() {
        if drawn {
            FileHandle.standardError.write(Data("\n".utf8))
            drawn = false
        }
    }

    static func describe(_ progress: JobProgress) -> String {
        var parts = [progress.phase.rawValue]
        if let position = progress.queuePosition, progress.phase == .queued { parts.append("position \(position)") }
        if let step = progress.step, let steps = progress.steps { parts.append("step \(step)/\(steps)") }
        if let window = progress.window, let windows = progress.windows { parts.append("window \(window)/\(windows)") }
        if let frame = progress.frame, let frames = progress.frames { parts.append("frame \(frame)/\(frames)") }
        if let eta = progress.etaMs { parts.append("ETA \(eta / 1000)s") }
        return parts.joined(separator: "  ")
    }

    static func bar(_ progress: JobProgress) -> String {
        let width = 24
        var fraction = 0.0
        if let step = progress.step, let steps = progress.steps, steps > 0 { fraction = Double(step) / Double(steps) }
        if let frame = progress.frame, let frames = progress.frames, frames > 0 { fraction = Double(frame) / Double(frames) }
        if progress.phase == .done { fraction = 1 }
        let filled = Int((fraction * Double(width)).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }
}

import CADiffShims

/// Process-wide routing of FFmpeg's log output (FFmpeg keeps one global logger).
///
/// FFmpeg's callback is variadic (`va_list`), which Swift cannot implement, so a C shim formats
/// each message and hands the finished line to a plain C function pointer. Call these once at
/// start-up, e.g. to send FFmpeg's lines to the daemon's logger instead of stderr.
public enum FFmpegLogging {
    /// A receiver of formatted lines: a capture-free closure or a `@convention(c)` function.
    public typealias Handler = @convention(c) (_ level: Int32, _ line: UnsafePointer<CChar>?) -> Void

    /// `AV_LOG_ERROR`: only errors (the level the daemon should use).
    public static let errorLevel: Int32 = 16
    /// `AV_LOG_WARNING`.
    public static let warningLevel: Int32 = 24

    /// Keeps messages at or below `level` (an `AV_LOG_*` value); a negative value silences FFmpeg.
    public static func setLevel(_ level: Int32) {
        cadiff_av_log_quiet(level)
    }

    /// Sends every kept message to `handler` as one line; `nil` restores FFmpeg's stderr logger.
    public static func forward(to handler: Handler?) {
        cadiff_av_log_forward(handler)
    }
}

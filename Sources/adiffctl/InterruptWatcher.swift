import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Counts Ctrl-C presses instead of dying on the first, so `generate` can cancel its job
/// first; a second Ctrl-C exits at once with 130.
final class InterruptWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private let source: any DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            let presses = lock.withLock {
                count += 1
                return count
            }
            if presses >= 2 { exit(130) }
        }
        source.resume()
    }

    /// Whether Ctrl-C was pressed.
    var interrupted: Bool { lock.withLock { count > 0 } }
}

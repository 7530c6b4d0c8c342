import CSystemd
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The parts of the systemd service protocol adiffd uses, through libsystemd: socket
/// activation, readiness / status / watchdog notifications. Every call is a no-op when the
/// process was not started by systemd.
public enum Systemd {
    /// Listening sockets passed by systemd (`LISTEN_FDS`, starting at fd 3); the `LISTEN_*`
    /// variables are unset so children do not inherit them.
    public static func listenDescriptors() -> [Int32] {
        let count = sd_listen_fds(1)
        guard count > 0 else { return [] }
        return (0..<count).map { SD_LISTEN_FDS_START + $0 }
    }

    /// Whether `fd` is a listening Unix stream socket.
    public static func isUnixListener(_ fd: Int32) -> Bool {
        sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0
    }

    /// Sends `state` (e.g. `READY=1\nSTATUS=idle`) to the service manager; false when there
    /// is none.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`), if enabled.
    public static func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }

    /// Whether stderr is connected to the journal (`JOURNAL_STREAM` names stderr's device
    /// and inode), so structured journal entries should be used.
    public static var stderrIsJournal: Bool {
        guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":").compactMap { UInt64($0) }
        var info = stat()
        guard parts.count == 2, fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == parts[0] && UInt64(info.st_ino) == parts[1]
    }
}

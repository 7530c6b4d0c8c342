/// Where the server's listening socket comes from.
public enum Listener: Sendable, Equatable {
    /// Bind a Unix socket at `path` (replacing a stale one), then set its mode and group.
    case path(String, mode: UInt32, group: UInt32?)
    /// Adopt a listening socket passed by systemd (`sd_listen_fds`).
    case descriptor(Int32)
}

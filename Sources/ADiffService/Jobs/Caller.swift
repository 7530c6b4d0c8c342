#if canImport(Glibc)
    import Glibc
#endif

/// Who is asking, from the kernel (`SO_PEERCRED`), never from the request.
public struct Caller: Sendable, Equatable {
    /// Peer process id at connect time (for logs only; pids are reused).
    public let pid: Int32
    /// Effective uid.
    public let uid: Int
    /// Effective gid.
    public let gid: Int

    /// Creates a caller.
    public init(pid: Int32, uid: Int, gid: Int) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Root and the daemon's own uid see and cancel every job; others only their own.
    public var isPrivileged: Bool { uid == 0 || uid == Int(getuid()) }

    /// Whether this caller may see or cancel a job submitted by `owner`.
    public func mayAccess(jobOf owner: Int) -> Bool { isPrivileged || owner == uid }
}

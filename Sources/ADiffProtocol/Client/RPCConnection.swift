import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking JSON-RPC client connection to a Unix socket: what `adiffctl` and the end-to-end
/// tests use. One thread drives it; notifications that arrive while waiting for a response go
/// to a handler. Not thread-safe: use it from one thread at a time (hence `@unchecked`).
public final class RPCConnection: @unchecked Sendable {
    private let descriptor: Int32
    private var framer = LineFramer()
    private var pendingEvents: [LineFramer.Event] = []
    private var nextID: Int64 = 1
    private var closed = false

    /// Connects to the daemon's socket at `path`.
    ///
    /// - Throws: ``RPCClientError`` `.unavailable` when nothing listens there,
    ///   `.permissionDenied` when the socket's mode or group keep this user out.
    public init(socketPath: String) throws(RPCClientError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw RPCClientError(.unavailable, "socket path is too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RPCClientError(.io, "socket(): \(String(cString: strerror(errno)))") }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            Glibc.close(fd)
            let reason = String(cString: strerror(code))
            switch code {
            case EACCES, EPERM:
                throw RPCClientError(.permissionDenied, "cannot connect to \(socketPath): \(reason)")
            case ENOENT, ECONNREFUSED, ENOTDIR:
                throw RPCClientError(.unavailable, "adiffd is not running at \(socketPath): \(reason)")
            default:
                throw RPCClientError(.io, "cannot connect to \(socketPath): \(reason)")
            }
        }
        descriptor = fd
    }

    deinit {
        if !closed { _ = Glibc.close(descriptor) }
    }

    /// Closes the connection (the daemon cancels this connection's attached jobs).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(descriptor)
    }

    /// Sends raw bytes as they are (tests use it for malformed input).
    public func sendRaw(_ bytes: [UInt8]) throws(RPCClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw RPCClientError(.io, "write to adiffd failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Sends a request with a fresh id; returns the id.
    @discardableResult
    public func sendRequest(_ method: String, params: JSONValue? = nil) throws(RPCClientError) -> RPCID {
        let id = RPCID.int(nextID)
        nextID += 1
        let line: [UInt8]
        do {
            line = try RPCMessage.request(id: id, method: method, params: params).encodedLine()
        } catch {
            throw RPCClientError(.io, "cannot encode request: \(error)")
        }
        try sendRaw(line)
        return id
    }

    /// Reads the next message, waiting at most `timeout` seconds (nil = forever); `nil` at
    /// end of stream.
    ///
    /// - Parameter interrupted: polled every 100 ms while waiting; when it returns true the
    ///   wait ends with `.timedOut` so the caller can react (Ctrl-C).
    public func receive(timeout: Double? = nil, interrupted: () -> Bool = { false }) throws(RPCClientError) -> RPCMessage? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while true {
            if !pendingEvents.isEmpty {
                switch pendingEvents.removeFirst() {
                case .lineTooLong:
                    throw RPCClientError(.io, "adiffd sent a line longer than 1 MiB")
                case .line(let line):
                    do {
                        return try RPCMessage.decode(line: line)
                    } catch {
                        throw RPCClientError(.io, "adiffd sent an invalid message: \(error)")
                    }
                }
            }
            if interrupted() { throw RPCClientError(.timedOut, "interrupted") }
            var waitMs: Int32 = 100
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { throw RPCClientError(.timedOut, "no answer from adiffd in time") }
                waitMs = Int32(min(100, max(1, left * 1000)))
            }
            var pollFD = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollFD, 1, waitMs)
            if ready < 0 {
                if errno == EINTR { continue }
                throw RPCClientError(.io, "poll failed: \(String(cString: strerror(errno)))")
            }
            if ready == 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw RPCClientError(.io, "read from adiffd failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                pendingEvents.append(contentsOf: framer.finish())
                if pendingEvents.isEmpty { return nil }
                continue
            }
            pendingEvents.append(contentsOf: framer.append(buffer[0..<count]))
        }
    }

    /// Sends a request and waits for its response, handing notifications to `onNotification`.
    ///
    /// - Returns: the response's outcome (a daemon-side error is a `.failure`, not a throw).
    /// - Throws: ``RPCClientError`` when the connection fails or closes first.
    public func call(
        _ method: String, params: JSONValue? = nil, timeout: Double? = nil,
        interrupted: () -> Bool = { false },
        onNotification: (String, JSONValue?) -> Void = { _, _ in }
    ) throws(RPCClientError) -> Result<JSONValue, RPCError> {
        let id = try sendRequest(method, params: params)
        return try awaitResponse(id, timeout: timeout, interrupted: interrupted, onNotification: onNotification)
    }

    /// Waits for the response to `id`, handing notifications to `onNotification`; responses
    /// to other ids are dropped.
    public func awaitResponse(
        _ id: RPCID, timeout: Double? = nil, interrupted: () -> Bool = { false },
        onNotification: (String, JSONValue?) -> Void = { _, _ in }
    ) throws(RPCClientError) -> Result<JSONValue, RPCError> {
        while true {
            guard let message = try receive(timeout: timeout, interrupted: interrupted) else {
                throw RPCClientError(.io, "adiffd closed the connection")
            }
            switch message {
            case .notification(let method, let params):
                onNotification(method, params)
            case .response(let responseID, let outcome):
                if responseID == id || responseID == nil { return outcome }
            case .request:
                continue
            }
        }
    }
}

import ADiffProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The Unix-socket JSON-RPC server: accepts connections (bound itself or adopted from
/// systemd), reads NDJSON with the line cap, runs each request in its own task (many in
/// flight per connection, replies matched by id), and cancels a connection's attached jobs
/// when it closes.
final class RPCServer: Sendable {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    struct Accepted: Sendable {
        let connection: Connection
        let caller: Caller?
    }

    /// `struct ucred` from `<sys/socket.h>`: what `SO_PEERCRED` fills in.
    private struct PeerCredentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    private let listener: Listener
    private let dispatcher: RequestDispatcher
    private let scheduler: JobScheduler
    private let maxLineBytes: Int
    private let maxConnections: Int
    private let logger: Logger
    private let state = ServerState()

    init(
        listener: Listener, dispatcher: RequestDispatcher, scheduler: JobScheduler, maxLineBytes: Int,
        maxConnections: Int, logger: Logger
    ) {
        self.listener = listener
        self.dispatcher = dispatcher
        self.scheduler = scheduler
        self.maxLineBytes = maxLineBytes
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Binds or adopts the socket and returns the server channel (so the caller can signal
    /// readiness before serving).
    func bind() async throws -> NIOAsyncChannel<Accepted, Never> {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Accepted> = { channel in
            let credentials: EventLoopFuture<PeerCredentials?>
            if let provider = channel as? any SocketOptionProvider {
                credentials = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
                    .map { Optional($0) }.recover { _ in nil }
            } else {
                credentials = channel.eventLoop.makeSucceededFuture(nil)
            }
            return credentials.flatMapThrowing { credentials in
                let connection = try Connection(wrappingChannelSynchronously: channel)
                return Accepted(
                    connection: connection,
                    caller: credentials.map { Caller(pid: $0.pid, uid: Int($0.uid), gid: Int($0.gid)) })
            }
        }
        switch listener {
        case .descriptor(let fd):
            return try await bootstrap.bind(fd, childChannelInitializer: initializer)
        case .path(let path, let mode, let group):
            let channel = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            if chmod(path, mode_t(mode)) != 0 || (group.map { chown(path, uid_t.max, gid_t($0)) != 0 } ?? false) {
                let reason = String(cString: strerror(errno))
                try? await channel.channel.close()
                throw ServiceError(.io, "cannot set the mode or group of \(path): \(reason)")
            }
            return channel
        }
    }

    /// Serves connections on `channel` until it is closed (by ``stop(_:)``).
    func serve(_ channel: NIOAsyncChannel<Accepted, Never>) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await channel.executeThenClose { inbound in
                for try await accepted in inbound {
                    group.addTask { await self.handle(accepted) }
                }
            }
        }
    }

    /// Closes every open client connection (at shutdown, after the jobs ended).
    func closeConnections() {
        for channel in state.all() { channel.close(promise: nil) }
    }

    private func handle(_ accepted: Accepted) async {
        let connection = accepted.connection
        guard let caller = accepted.caller else {
            logger.warning("connection without peer credentials refused")
            try? await connection.channel.close()
            return
        }
        let number = state.add(connection.channel)
        defer { state.remove(number) }
        let (lines, continuation) = AsyncStream<[UInt8]>.makeStream()
        let session = Session(caller: caller, number: number, outbound: continuation, logger: logger)
        logger.debug("connection", metadata: ["conn": "\(number)", "uid": "\(caller.uid)", "pid": "\(caller.pid)"])
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { writerGroup in
                    writerGroup.addTask {
                        for await line in lines {
                            var buffer = ByteBufferAllocator().buffer(capacity: line.count)
                            buffer.writeBytes(line)
                            try await outbound.write(buffer)
                        }
                    }
                    if state.count > maxConnections {
                        session.respond(nil, .failure(RPCError(.limitExceeded, "too many connections (\(maxConnections))")))
                    } else {
                        await readRequests(inbound, session: session)
                    }
                    // Cancel the jobs this connection started attached, then let the replies drain.
                    for jobId in session.attachedJobs {
                        logger.info("client disconnected; cancelling its job", metadata: ["job": "\(jobId)", "conn": "\(number)"])
                        await scheduler.cancel(jobId, reason: .disconnect)
                    }
                    session.finishOutput()
                    try await writerGroup.waitForAll()
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["conn": "\(number)", "error": "\(error)"])
        }
    }

    /// Reads lines until end of stream or an over-long line; runs each request in a child task.
    private func readRequests(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, session: Session) async {
        await withTaskGroup(of: Void.self) { requests in
            var framer = LineFramer(maximumLineLength: maxLineBytes)
            var consecutiveErrors = 0
            do {
                reading: for try await buffer in inbound {
                    for event in framer.append(buffer.readableBytesView) {
                        switch event {
                        case .lineTooLong:
                            session.respond(
                                nil, .failure(RPCError(.lineTooLong, "a line exceeded \(maxLineBytes) bytes; closing")))
                            break reading
                        case .line(let bytes):
                            do {
                                let message = try RPCMessage.decode(line: bytes)
                                consecutiveErrors = 0
                                switch message {
                                case .request(let id, let method, let params):
                                    requests.addTask {
                                        let outcome = await self.dispatcher.handle(method: method, params: params, session: session)
                                        session.respond(id, outcome)
                                    }
                                case .notification, .response:
                                    continue
                                }
                            } catch let error as RPCError {
                                session.respond(nil, .failure(error))
                                consecutiveErrors += 1
                                if consecutiveErrors >= 16 { break reading }
                            }
                        }
                    }
                }
                for event in framer.finish() {
                    if case .line(let bytes) = event, case .request(let id, let method, let params)? = try? RPCMessage.decode(line: bytes) {
                        requests.addTask {
                            session.respond(id, await self.dispatcher.handle(method: method, params: params, session: session))
                        }
                    }
                }
            } catch {
                logger.debug("read failed", metadata: ["conn": "\(session.number)", "error": "\(error)"])
            }
            // End of input: attached jobs are cancelled, so waiting requests end promptly.
            for jobId in session.attachedJobs { await scheduler.cancel(jobId, reason: .disconnect) }
            await requests.waitForAll()
        }
    }
}

/// The open client channels, for counting and for closing them at shutdown.
final class ServerState: @unchecked Sendable {
    private let lock = NSLock()
    private var channels: [Int: any Channel] = [:]
    private var next = 0

    func add(_ channel: any Channel) -> Int {
        lock.withLock {
            next += 1
            channels[next] = channel
            return next
        }
    }

    func remove(_ number: Int) { _ = lock.withLock { channels.removeValue(forKey: number) } }

    var count: Int { lock.withLock { channels.count } }

    func all() -> [any Channel] { lock.withLock { Array(channels.values) } }
}

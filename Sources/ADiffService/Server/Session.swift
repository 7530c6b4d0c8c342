import ADiffProtocol
import Foundation
import Logging

/// One client connection's state: who it is (kernel-verified), whether it said `hello`, the
/// jobs it started attached (cancelled when it goes away), and its outbound line queue.
final class Session: @unchecked Sendable {
    /// The peer.
    let caller: Caller
    /// Connection number, for logs.
    let number: Int
    private let lock = NSLock()
    private var greeted = false
    private var attached: Set<String> = []
    private let outbound: AsyncStream<[UInt8]>.Continuation
    private let logger: Logger

    init(caller: Caller, number: Int, outbound: AsyncStream<[UInt8]>.Continuation, logger: Logger) {
        self.caller = caller
        self.number = number
        self.outbound = outbound
        self.logger = logger
    }

    /// Whether `hello` succeeded on this connection.
    var isGreeted: Bool {
        get { lock.withLock { greeted } }
        set { lock.withLock { greeted = newValue } }
    }

    /// Remembers a job to cancel if the connection closes.
    func attach(_ jobId: String) { _ = lock.withLock { attached.insert(jobId) } }

    /// Forgets a job that ended.
    func detach(_ jobId: String) { _ = lock.withLock { attached.remove(jobId) } }

    /// Jobs still attached (at disconnect).
    var attachedJobs: [String] { lock.withLock { Array(attached) } }

    /// Queues a message for the client.
    func send(_ message: RPCMessage) {
        do {
            outbound.yield(try message.encodedLine())
        } catch {
            logger.error("cannot encode a message", metadata: ["error": "\(error)"])
        }
    }

    /// Queues a response.
    func respond(_ id: RPCID?, _ outcome: Result<JSONValue, RPCError>) {
        send(.response(id: id, outcome: outcome))
    }

    /// Queues a `job.progress` notification.
    func notify(_ progress: JobProgress) {
        guard let params = try? JSONValue(encoding: progress) else { return }
        send(.notification(method: JobProgress.method, params: params))
    }

    /// No more messages will be sent.
    func finishOutput() { outbound.finish() }
}

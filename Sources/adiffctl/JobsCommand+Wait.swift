import ADiffProtocol
import ArgumentParser
import Foundation

extension JobsCommand {
    /// `jobs wait ID`.
    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wait until a job ends; exit status says how it ended.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Job id.")
        var jobId: String

        func run() async throws {
            let client = try DaemonClient.connect(global)
            let renderer = ProgressRenderer(options: global)
            let value = try client.call(
                "job.wait", try JSONValue(encoding: JobWaitParams(jobId: jobId, progress: true)), timeout: nil,
                onNotification: { method, params in renderer.notification(method, params) })
            renderer.finish()
            let info = try client.decode(value, as: JobInfo.self)
            if global.json { Output.json(value) } else { print("\(info.jobId): \(info.state.rawValue)") }
            if let error = info.error {
                client.report(RPCError(RPCErrorKind(rawValue: error.kind), error.message, jobId: info.jobId))
                throw ExitCode(ExitCodes.code(for: RPCErrorKind(rawValue: error.kind)))
            }
        }
    }
}

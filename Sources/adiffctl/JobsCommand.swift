import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl jobs [list|show|wait]`: the job history.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List, show or wait for jobs.",
        subcommands: [List.self, Show.self, Wait.self], defaultSubcommand: List.self)

    /// `jobs list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the newest jobs you may see.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Most jobs to list.")
        var limit = 20

        @Option(name: .long, help: "Only jobs in this state: queued, running, done, failed, cancelled.")
        var state: String?

        func validate() throws {
            if let state, JobState(rawValue: state) == nil { throw ValidationError("unknown state \"\(state)\"") }
        }

        func run() async throws {
            let client = try DaemonClient.connect(global)
            let params = JobsListParams(limit: limit, state: state.flatMap(JobState.init(rawValue:)))
            let value = try client.call("jobs.list", try JSONValue(encoding: params))
            if global.json { return Output.json(value) }
            let result = try client.decode(value, as: JobsListResult.self)
            let rows = result.jobs.map { job in
                [job.jobId, job.state.rawValue, String(job.uid), Output.relative(job.createdAt), job.error.map { "\($0.kind): \($0.message)" } ?? (job.result?.outputs.first?.path ?? "")]
            }
            print(Output.table(["ID", "STATE", "UID", "CREATED", "DETAIL"], rows))
        }
    }

    /// `jobs show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job as JSON.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Job id.")
        var jobId: String

        func run() async throws {
            let client = try DaemonClient.connect(global)
            Output.json(try client.call("job.get", try JSONValue(encoding: JobIDParams(jobId: jobId))))
        }
    }

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

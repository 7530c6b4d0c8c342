import ADiffProtocol
import ArgumentParser
import Foundation

extension JobsCommand {
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
}

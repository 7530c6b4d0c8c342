import ADiffProtocol
import ArgumentParser
import Foundation

extension JobsCommand {
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
}

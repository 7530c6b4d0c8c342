import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl cancel ID...`: cancel jobs (your own, unless you are root or the daemon's user).
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel queued or running jobs.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job ids.")
    var jobIds: [String]

    func run() async throws {
        let client = try DaemonClient.connect(global)
        for id in jobIds {
            let value = try client.call("job.cancel", try JSONValue(encoding: JobIDParams(jobId: id)))
            if global.json {
                Output.json(value)
            } else if !global.quiet {
                let info = try client.decode(value, as: JobInfo.self)
                print("\(info.jobId): \(info.state.rawValue)")
            }
        }
    }
}

import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl status`: daemon health, queue and memory.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's status.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = try DaemonClient.connect(global)
        let value = try client.call("status")
        if global.json { return Output.json(value) }
        let status = try client.decode(value, as: StatusResult.self)
        print("server:     \(status.server) (protocol \(status.protocol)), up \(Int(status.uptimeSeconds))s")
        print("engine:     \(status.engine ? "ready" : "not linked in (generate is unavailable)")")
        print("jobs:       \(status.running) running\(status.runningJob.map { " (\($0))" } ?? ""), \(status.queued)/\(status.queueCapacity) queued")
        print("models:     \(status.residentModels) resident, \(Output.size(status.residentBytes)) of \(Output.size(status.budgetBytes))")
        print("compute:    \(status.threads) threads, \(status.precision)")
        print("formats:    \(status.formats.joined(separator: ", "))")
        print("you:        uid \(status.peerUid)")
    }
}

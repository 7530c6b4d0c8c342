import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl jobs [list|show|wait]`: the job history.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List, show or wait for jobs.",
        subcommands: [List.self, Show.self, Wait.self], defaultSubcommand: List.self)
}

import ArgumentParser

/// `adiffctl`: the command-line client of adiffd.
@main
struct ADiffCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adiffctl",
        abstract: "Talk to adiffd: generate videos, list and load models, follow and cancel jobs.",
        discussion: """
            The socket is --socket, else $ADIFF_SOCKET, else /run/adiffd/adiffd.sock. Exit codes follow \
            sysexits: 64 bad arguments, 65 parameters rejected, 69 daemon not running, 70 internal or \
            protocol error, 74 output not written, 75 queue full (retry), 76 protocol mismatch, \
            77 permission denied, 130 cancelled with Ctrl-C, 1 the job failed.
            """,
        version: "0.1.0",
        subcommands: [
            GenerateCommand.self, ModelsCommand.self, PSCommand.self, JobsCommand.self, CancelCommand.self,
            StatusCommand.self,
        ]
    )
}

import ADiffProtocol
import ArgumentParser
import Foundation

extension ModelsCommand {
    /// `models rescan`.
    struct Rescan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Scan the model roots again.")

        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Also hash files whose hash is not cached (slow for large files).")
        var hash = false

        func run() async throws {
            let client = try DaemonClient.connect(global)
            let value = try client.call("models.rescan", try JSONValue(encoding: ModelsRescanParams(hash: hash)), timeout: nil)
            try ModelsCommand.show(value, client: client, global: global)
        }
    }
}

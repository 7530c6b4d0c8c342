import ADiffProtocol
import ArgumentParser
import Foundation

extension ModelsCommand {
    /// `models list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List model files under the daemon's roots.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only this kind: checkpoint, motion, lora, embedding, vae.")
        var kind: ModelKind?

        func run() async throws {
            let client = try DaemonClient.connect(global)
            let value = try client.call("models.list", try JSONValue(encoding: ModelsListParams(kind: kind)))
            try ModelsCommand.show(value, client: client, global: global)
        }
    }
}

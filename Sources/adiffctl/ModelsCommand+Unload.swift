import ADiffProtocol
import ArgumentParser
import Foundation

extension ModelsCommand {
    /// `models unload NAME`.
    struct Unload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop a resident model.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Name, title, short hash or sha256.")
        var name: String

        @Option(name: .long, help: "Kind: checkpoint (default), motion, lora, embedding, vae.")
        var kind: ModelKind = .checkpoint

        func run() async throws {
            let client = try DaemonClient.connect(global)
            let value = try client.call("models.unload", try JSONValue(encoding: ModelsUnloadParams(name: name, kind: kind)))
            if global.json { return Output.json(value) }
            let result = try client.decode(value, as: ModelsUnloadResult.self)
            if !global.quiet {
                print(result.unloaded ? (result.inUse ? "\(name): unloads when its job ends" : "\(name): unloaded") : "\(name): was not resident")
            }
        }
    }
}

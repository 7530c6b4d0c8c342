import ADiffProtocol
import ArgumentParser
import Foundation

extension ModelsCommand {
    /// `models load NAME`.
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a model resident.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Name, title `name [hash]`, short hash or sha256.")
        var name: String

        @Option(name: .long, help: "Kind: checkpoint (default), motion, lora, embedding, vae.")
        var kind: ModelKind = .checkpoint

        @Option(name: .customLong("keep-alive"), help: "Idle time before unloading: 300, 90s, 5m, 1h; -1 forever; 0 unload when idle.")
        var keepAlive: String?

        func validate() throws {
            if let keepAlive, KeepAlive(parsing: keepAlive) == nil {
                throw ValidationError("--keep-alive \"\(keepAlive)\" is not a duration like 300, 90s, 5m or -1")
            }
        }

        func run() async throws {
            let client = try DaemonClient.connect(global)
            let params = ModelsLoadParams(name: name, kind: kind, keepAlive: keepAlive.flatMap(KeepAlive.init(parsing:)))
            let value = try client.call("models.load", try JSONValue(encoding: params), timeout: nil)
            if global.json { return Output.json(value) }
            let info = try client.decode(value, as: ResidentModelInfo.self)
            if !global.quiet {
                print("\(info.name) [\(info.sha256.prefix(10))] resident, \(Output.size(info.sizeBytes)), keep-alive \(info.keepAlive)")
            }
        }
    }
}

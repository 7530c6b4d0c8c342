import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl models [list|load|unload|rescan]`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List, load and unload models.",
        subcommands: [List.self, Load.self, Unload.self, Rescan.self], defaultSubcommand: List.self)

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

    static func show(_ value: JSONValue, client: DaemonClient, global: GlobalOptions) throws {
        if global.json { return Output.json(value) }
        let result = try client.decode(value, as: ModelsListResult.self)
        let rows = result.models.map { model in
            [model.name, model.kind.rawValue, model.sha256.map { String($0.prefix(10)) } ?? "-", Output.size(model.sizeBytes), model.resident ? "resident" : ""]
        }
        print(Output.table(["NAME", "KIND", "HASH", "SIZE", ""], rows))
    }
}

extension ModelKind: ExpressibleByArgument {}

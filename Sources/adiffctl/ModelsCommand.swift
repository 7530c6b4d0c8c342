import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl models [list|load|unload|rescan]`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List, load and unload models.",
        subcommands: [List.self, Load.self, Unload.self, Rescan.self], defaultSubcommand: List.self)

    /// Prints a `models.list` / `models.rescan` result as a table (or JSON).
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

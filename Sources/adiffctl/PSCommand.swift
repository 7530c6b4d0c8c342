import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl ps`: resident models, like `ollama ps`.
struct PSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the models resident in memory.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = try DaemonClient.connect(global)
        let value = try client.call("ps")
        if global.json { return Output.json(value) }
        let result = try client.decode(value, as: PSResult.self)
        let rows = result.models.map { model in
            [
                model.name, String(model.sha256.prefix(10)), model.kind.rawValue, Output.size(model.sizeBytes),
                model.inUse > 0 ? "in use" : (model.expiresAt.map(Output.relative) ?? "forever"),
            ]
        }
        print(Output.table(["NAME", "ID", "KIND", "SIZE", "UNTIL"], rows))
        if !global.quiet {
            print("\(Output.size(result.residentBytes)) of \(Output.size(result.budgetBytes)) budget")
        }
    }
}

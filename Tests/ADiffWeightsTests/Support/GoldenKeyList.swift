import ADiffTensor
import Foundation

@testable import ADiffWeights

/// The golden key lists under Tests/Fixtures/Layouts, produced from diffusers/transformers by
/// scripts/fixtures/check_layouts.py: `name kind shape` per line.
enum GoldenKeyList {
    struct Entry: Equatable, CustomStringConvertible {
        var kind: String
        var shape: [Int]
        var description: String { "\(kind) \(shape)" }
    }

    static func load(_ name: String) throws -> [String: Entry] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Layouts/\(name).txt")
        var entries: [String: Entry] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            let shape = fields.count > 2 ? fields[2].split(separator: ",").compactMap { Int($0) } : []
            entries[String(fields[0])] = Entry(kind: String(fields[1]), shape: shape)
        }
        return entries
    }

    static func entries(_ recipes: [TensorRecipe]) -> [String: Entry] {
        var entries: [String: Entry] = [:]
        for recipe in recipes {
            entries[recipe.name] = Entry(kind: recipe.dtype == .int64 ? "int64" : "float", shape: recipe.shape)
        }
        return entries
    }

    /// Human-readable differences (empty when equal).
    static func differences(_ ours: [String: Entry], _ golden: [String: Entry]) -> [String] {
        var lines: [String] = []
        for name in Set(golden.keys).subtracting(ours.keys).sorted() { lines.append("missing \(name)") }
        for name in Set(ours.keys).subtracting(golden.keys).sorted() { lines.append("extra \(name)") }
        for name in Set(ours.keys).intersection(golden.keys).sorted() where ours[name] != golden[name] {
            lines.append("\(name): ours \(ours[name]!) golden \(golden[name]!)")
        }
        return lines
    }
}

import ADiffProtocol
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Terminal output helpers: stderr messages, JSON printing, sizes and times for tables.
enum Output {
    /// Writes a line to stderr.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Prints a value as one compact JSON line.
    static func json(_ value: JSONValue) {
        print((try? value.compactText()) ?? "null")
    }

    /// Whether stderr is an interactive terminal fit for a redrawing progress bar.
    static var stderrIsTerminal: Bool {
        isatty(2) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// `1.9 GiB`, `320 MiB`.
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < units.count - 1 {
            value /= 1024
            index += 1
        }
        return index == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[index])
    }

    /// `in 4 minutes`, `3 seconds ago`.
    static func relative(_ time: Double) -> String {
        let delta = time - Date().timeIntervalSince1970
        let magnitude = abs(delta)
        let text: String
        if magnitude < 90 {
            text = "\(Int(magnitude.rounded())) seconds"
        } else if magnitude < 5400 {
            text = "\(Int((magnitude / 60).rounded())) minutes"
        } else if magnitude < 129_600 {
            text = "\(Int((magnitude / 3600).rounded())) hours"
        } else {
            text = "\(Int((magnitude / 86400).rounded())) days"
        }
        return delta >= 0 ? "in \(text)" : "\(text) ago"
    }

    /// Left-aligned columns separated by three spaces.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }.joined(separator: "\n")
    }
}

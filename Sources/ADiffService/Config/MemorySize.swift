import Foundation

/// Byte sizes written as `12G`, `512M`, `1048576` or `auto`.
public enum MemorySize {
    /// Parses a size; `auto` gives 0 (resolved later by ``resolve(_:)``), `nil` for bad text.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "auto" { return 0 }
        var body = Substring(trimmed)
        if body.hasSuffix("iB") || body.hasSuffix("ib") { body = body.dropLast(2) } else if body.hasSuffix("B") {
            body = body.dropLast()
        }
        var scale: Int64 = 1
        switch body.last {
        case "K", "k": scale = 1 << 10
        case "M", "m": scale = 1 << 20
        case "G", "g": scale = 1 << 30
        case "T", "t": scale = 1 << 40
        default: break
        }
        if scale != 1 { body = body.dropLast() }
        guard let value = Double(body), value > 0, value.isFinite else { return nil }
        let bytes = value * Double(scale)
        guard bytes < 9e18 else { return nil }
        return Int64(bytes)
    }

    /// The budget in bytes: the configured size, or for `auto` 60% of the cgroup's
    /// `memory.max` (what systemd's `MemoryMax=` sets) or of physical memory.
    public static func resolve(_ text: String) -> Int64 {
        if let value = parse(text), value > 0 { return value }
        var limit = Int64(ProcessInfo.processInfo.physicalMemory)
        if let raw = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
            let cgroup = Int64(raw.trimmingCharacters(in: .whitespacesAndNewlines)), cgroup > 0
        {
            limit = min(limit, cgroup)
        }
        return max(limit / 10 * 6, 1 << 28)
    }

    /// `1.5 GiB`, `300 MiB`, `12 KiB`, `5 B`.
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < units.count - 1 {
            value /= 1024
            index += 1
        }
        return index == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[index])
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// The extension's output layout: `<root>/AnimateDiff/<YYYY-MM-DD>/<seq:05>-<seed>[-<request_id>]`.
///
/// `seq` follows A1111's `get_next_sequence_number`: one more than the largest integer that
/// starts an entry of the folder (split at the first `-` after dropping the extension), 0 for an
/// empty folder.
public enum OutputNaming {
    /// `<root>/AnimateDiff/<YYYY-MM-DD>` for the local date of `time` (seconds since the epoch).
    public static func directory(root: String, time: Int) -> String {
        var seconds = time_t(time)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
        return (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/AnimateDiff/" + date
    }

    /// The next sequence number for `entries` (names in the folder), as A1111 computes it.
    public static func nextSequenceNumber(entries: [String]) -> Int {
        var result = -1
        for entry in entries {
            var stem = Substring(entry)
            if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = stem[..<dot] }
            let first = stem.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            // Python's int() accepts surrounding spaces, an optional sign and underscores between digits.
            let trimmed = first.trimmingSpaces
            if let value = Int(trimmed.replacingUnderscoresBetweenDigits) { result = max(result, value) }
        }
        return result + 1
    }

    /// The next sequence number for the folder at `directory` (0 when it does not exist).
    public static func nextSequenceNumber(in directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var entries = [String]()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." && !name.hasPrefix(".") { entries.append(name) }
        }
        return nextSequenceNumber(entries: entries)
    }

    /// `{seq:05}-{seed}` plus `-{request_id}` when the id is non-empty. The id becomes part of a
    /// file name, so it is limited to 1–64 characters from `[A-Za-z0-9._-]`, not starting with `.`.
    public static func baseName(sequence: Int, seed: Int64, requestID: String?) throws(MediaError) -> String {
        let number = String(sequence)
        var name = String(repeating: "0", count: max(0, 5 - number.count)) + number + "-\(seed)"
        if let requestID, !requestID.isEmpty {
            let allowed = requestID.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
            guard allowed, requestID.utf8.count <= 64, !requestID.hasPrefix(".") else {
                throw MediaError(
                    .invalidArgument,
                    "request_id must be 1-64 characters of A-Z a-z 0-9 . _ - and not start with '.'")
            }
            name += "-" + requestID
        }
        return name
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return s
    }

    fileprivate var replacingUnderscoresBetweenDigits: String {
        let characters = Array(self)
        var out = ""
        for (i, c) in characters.enumerated() {
            if c == "_", i > 0, i + 1 < characters.count, characters[i - 1].isNumber, characters[i + 1].isNumber {
                continue
            }
            out.append(c)
        }
        return out
    }
}

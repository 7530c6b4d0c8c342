import CSystemd
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler that writes structured entries to journald (`sd_journal_sendv`, with
/// metadata as `ADIFF_<KEY>` fields) when stderr is the journal, and plain lines to stderr
/// otherwise (with a timestamp; `<N>` priority prefixes are not needed there).
public struct JournalLogHandler: LogHandler {
    /// Minimum level logged.
    public var logLevel: Logger.Level
    /// Metadata attached to every entry.
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let journal: Bool

    /// Creates a handler for `label`; `journal` chooses structured journal output.
    public init(label: String, level: Logger.Level, journal: Bool = Systemd.stderrIsJournal) {
        self.label = label
        self.logLevel = level
        self.journal = journal
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one entry.
    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let fields = all.sorted { $0.key < $1.key }
        if journal {
            var entries = [
                "MESSAGE=\(event.message)", "PRIORITY=\(Self.priority(event.level))", "SYSLOG_IDENTIFIER=adiffd",
                "ADIFF_LOGGER=\(label)",
            ]
            for (key, value) in fields { entries.append("ADIFF_\(Self.fieldName(key))=\(value)") }
            Self.send(entries)
        } else {
            let details = fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let stamp = ISO8601DateFormatter().string(from: Date())
            let line = "\(stamp) \(event.level) \(label): \(event.message)\(details.isEmpty ? "" : " " + details)\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        }
    }

    /// Journal field names: upper-case ASCII letters, digits and underscores.
    static func fieldName(_ key: String) -> String {
        String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func send(_ entries: [String]) {
        let buffers = entries.map { Array($0.utf8) }
        var pointers: [UnsafeMutableRawPointer] = []
        var vectors: [iovec] = []
        for bytes in buffers {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            pointers.append(memory)
            vectors.append(iovec(iov_base: memory, iov_len: bytes.count))
        }
        _ = vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        for pointer in pointers { pointer.deallocate() }
    }
}

/// Splits a byte stream into NDJSON lines with a hard cap on line length.
///
/// Lines end at LF; a trailing CR is dropped; blank lines are skipped. A line longer than
/// ``maximumLineLength`` is reported once as ``Event/lineTooLong`` and its bytes are discarded
/// up to the next LF, so a hostile peer cannot make the buffer grow past the cap. The cap
/// applies to the line itself, not to how much was buffered (NIO's `splitLines` caps the
/// buffer, which lets a complete over-long line through).
public struct LineFramer: Sendable {
    /// What one call to ``append(_:)`` found.
    public enum Event: Sendable, Equatable {
        /// A complete line, without its terminator.
        case line([UInt8])
        /// A line exceeded the cap; the protocol answers `LineTooLong` and closes.
        case lineTooLong
    }

    /// The protocol's cap: 1 MiB per message.
    public static let protocolLineLimit = 1 << 20

    /// Longest accepted line in bytes, terminator excluded.
    public let maximumLineLength: Int
    private var pending: [UInt8] = []
    private var discarding = false

    /// Creates a framer with a cap (default 1 MiB).
    public init(maximumLineLength: Int = LineFramer.protocolLineLimit) {
        self.maximumLineLength = maximumLineLength
    }

    /// Feeds bytes; returns the lines (and over-long line reports) they complete, in order.
    public mutating func append(_ bytes: some Collection<UInt8>) -> [Event] {
        var events: [Event] = []
        var chunk = bytes[...]
        while let newline = chunk.firstIndex(of: 0x0A) {
            let piece = chunk[..<newline]
            if discarding {
                discarding = false
            } else if pending.count + piece.count > maximumLineLength + 1 {
                events.append(.lineTooLong)
            } else {
                pending.append(contentsOf: piece)
                if let line = takeLine() {
                    if line.count > maximumLineLength {
                        events.append(.lineTooLong)
                    } else {
                        events.append(.line(line))
                    }
                }
            }
            pending.removeAll(keepingCapacity: true)
            chunk = chunk[chunk.index(after: newline)...]
        }
        if !discarding {
            if pending.count + chunk.count > maximumLineLength + 1 {
                // +1 leaves room for a CR that will be stripped.
                pending.removeAll()
                discarding = true
                events.append(.lineTooLong)
            } else {
                pending.append(contentsOf: chunk)
            }
        }
        return events
    }

    /// Ends the stream: a last line without LF still counts.
    public mutating func finish() -> [Event] {
        defer {
            pending.removeAll()
            discarding = false
        }
        guard !discarding, let line = takeLine() else { return [] }
        return line.count > maximumLineLength ? [.lineTooLong] : [.line(line)]
    }

    /// The pending bytes minus a trailing CR, or nil for a blank line.
    private func takeLine() -> [UInt8]? {
        var line = pending
        if line.last == 0x0D { line.removeLast() }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        return line
    }
}

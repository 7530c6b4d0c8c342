import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "adiffd socket (default: $ADIFF_SOCKET, else /run/adiffd/adiffd.sock).")
    var socket: String?

    @Flag(name: .long, help: "Print protocol objects as JSON (NDJSON events for generate).")
    var json = false

    @Flag(name: [.short, .long], help: "Print only results.")
    var quiet = false

    @Flag(name: .customLong("no-progress"), help: "No progress bar, even on a terminal.")
    var noProgress = false

    @Option(name: .long, help: "Seconds to wait for answers to quick requests (default 30).")
    var timeout: Double = 30

    /// The socket in effect: flag, then environment, then the default.
    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["ADIFF_SOCKET"] ?? "/run/adiffd/adiffd.sock"
    }
}

import ADiffProtocol
import ArgumentParser
import Foundation

/// A connected, greeted client with error reporting: every failure is printed to stderr once
/// and becomes the right exit code.
struct DaemonClient {
    let connection: RPCConnection
    let options: GlobalOptions

    /// Connects and says hello.
    static func connect(_ options: GlobalOptions) throws -> DaemonClient {
        let connection: RPCConnection
        do {
            connection = try RPCConnection(socketPath: options.socketPath)
        } catch {
            var message = "adiffctl: \(error.message)"
            switch error.kind {
            case .unavailable: message += "\nhint: start it with `systemctl start adiffd.socket`, or run adiffd in the foreground"
            case .permissionDenied: message += "\nhint: join the group that owns the socket (`adiff`): `sudo usermod -aG adiff $USER`"
            default: break
            }
            Output.error(message)
            throw ExitCode(ExitCodes.code(for: error))
        }
        let client = DaemonClient(connection: connection, options: options)
        _ = try client.call("hello", try JSONValue(encoding: Hello.Params(client: "adiffctl/0.1.0")))
        return client
    }

    /// Calls `method` and returns its result, or reports the error and exits.
    func call(
        _ method: String, _ params: JSONValue? = nil, timeout: Double? = -1, interrupted: () -> Bool = { false },
        onNotification: (String, JSONValue?) -> Void = { _, _ in }
    ) throws -> JSONValue {
        let outcome: Result<JSONValue, RPCError>
        do {
            outcome = try connection.call(
                method, params: params, timeout: timeout == -1 ? options.timeout : timeout, interrupted: interrupted,
                onNotification: onNotification)
        } catch {
            Output.error("adiffctl: \(error.message)")
            throw ExitCode(ExitCodes.code(for: error))
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(let error):
            report(error)
            throw ExitCode(ExitCodes.code(for: error.kind))
        }
    }

    /// Prints a daemon error (as JSON with `--json`).
    func report(_ error: RPCError) {
        if options.json, let value = try? JSONValue(encoding: ["error": error]), let text = try? value.compactText() {
            print(text)
        }
        var message = "adiffctl: \(error.kind.rawValue): \(error.message)"
        if let field = error.data.field { message += " (field \(field))" }
        Output.error(message)
    }

    /// Decodes a result.
    func decode<T: Decodable>(_ value: JSONValue, as type: T.Type) throws -> T {
        do {
            return try value.decode(type)
        } catch {
            Output.error("adiffctl: unexpected answer from adiffd: \(error.message)")
            throw ExitCode(ExitCodes.software)
        }
    }
}

import ADiffProtocol
import ArgumentParser

/// sysexits-style exit codes for each failure.
enum ExitCodes {
    static let failure: Int32 = 1
    static let dataError: Int32 = 65
    static let unavailable: Int32 = 69
    static let software: Int32 = 70
    static let ioError: Int32 = 74
    static let tempFail: Int32 = 75
    static let protocolError: Int32 = 76
    static let noPermission: Int32 = 77
    static let interrupted: Int32 = 130

    /// The exit code for an error the daemon answered.
    static func code(for kind: RPCErrorKind) -> Int32 {
        switch kind {
        case .invalidParams, .invalidDimensions, .limitExceeded, .modelNotFound, .pathOutsideRoot, .invalidModel,
            .decodeFailed, .parseError, .invalidRequest, .jobNotFound:
            dataError
        case .queueFull: tempFail
        case .notPermitted: noPermission
        case .protocolMismatch: protocolError
        case .outputFailed: ioError
        case .engineUnavailable: unavailable
        case .internal, .methodNotFound, .lineTooLong: software
        default: failure
        }
    }

    /// The exit code for a failure to talk to the daemon.
    static func code(for error: RPCClientError) -> Int32 {
        switch error.kind {
        case .unavailable: unavailable
        case .permissionDenied: noPermission
        case .timedOut: tempFail
        case .io: software
        }
    }
}

/// A failure already reported on stderr; exits with its code.
struct ReportedFailure: Error {
    let code: Int32
}

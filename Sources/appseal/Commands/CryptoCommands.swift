import CryptoCore

// CryptoCore has no subcommands of its own; `ca`, `sign` and `build` surface its errors.
extension CryptoError: ReportableError {
    var exitCode: ExitCode {
        switch code {
        case .invalidInput, .wrongPassword, .unsupported: .invalidInput
        case .verificationFailed: .failed
        case .library: .internalError
        }
    }

    var message: String { description }
}

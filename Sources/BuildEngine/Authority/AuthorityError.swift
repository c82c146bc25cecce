import Foundation

/// Failures of the workspace certificate authority. Messages name the file, serial or option
/// concerned and never contain key material, passwords or passphrases.
public enum AuthorityError: Error, Sendable, Equatable, CustomStringConvertible {
    case notInitialized(path: String)
    case alreadyInitialized(path: String)
    case invalidAppID(String, allowed: String)
    case invalidSubject(String, reason: String)
    case invalidValidity(days: Int, allowed: String)
    case passphraseRequired(path: String)
    case keyExposed(path: String, mode: String)
    case wrongPassphrase(path: String)
    case unknownSerial(String)
    case alreadyRevoked(serial: String)
    case importRejected(reason: String)
    case inconsistent(path: String, reason: String)
    case crypto(operation: String, reason: String)
    case workspace(WorkspaceError)

    public var description: String {
        switch self {
        case let .notInitialized(path):
            return "the workspace has no certificate authority (\(path) is missing); run 'appseal ca init' or 'appseal ca import'"
        case let .alreadyInitialized(path):
            return "the workspace already has a certificate authority (\(path)); it is never overwritten"
        case let .invalidAppID(value, allowed):
            return "invalid app id '\(value)': \(allowed)"
        case let .invalidSubject(subject, reason):
            return "invalid subject '\(subject)': \(reason)"
        case let .invalidValidity(days, allowed):
            return "invalid validity of \(days) days: \(allowed)"
        case let .passphraseRequired(path):
            return "the CA key \(path) is encrypted and no passphrase is available; set APPSEAL_CA_PASSPHRASE or run on a terminal to be asked"
        case let .keyExposed(path, mode):
            return "the CA key \(path) is accessible to other users (mode \(mode)); run 'chmod 600 \(path)' and try again"
        case let .wrongPassphrase(path):
            return "the CA key \(path) could not be decrypted: wrong passphrase"
        case let .unknownSerial(serial):
            return "no certificate with serial \(serial) was issued by this workspace CA (see 'appseal ca show')"
        case let .alreadyRevoked(serial):
            return "certificate \(serial) is already revoked"
        case let .importRejected(reason):
            return "cannot import the CA: \(reason)"
        case let .inconsistent(path, reason):
            return "\(path): \(reason)"
        case let .crypto(operation, reason):
            return "\(operation) failed: \(reason)"
        case let .workspace(error):
            return error.description
        }
    }
}

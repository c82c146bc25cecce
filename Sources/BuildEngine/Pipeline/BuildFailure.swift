import Foundation

/// Why a build stopped, as the CLI and the record report it.
public struct BuildFailure: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The app, the Fusion Set or an option cannot be used as given: exit 3.
        case invalidInput
        /// A stage could not do its work (write failed, signing failed, verification failed): exit 4.
        case failed
        /// A bug or an unexpected state: exit 1.
        case internalError
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var exitCode: Int32 {
        switch kind {
        case .invalidInput: return 3
        case .failed: return 4
        case .internalError: return 1
        }
    }

    /// Classifies errors from the modules the pipeline calls. Errors that name an input
    /// problem are invalid input; write failures (full disk, permissions) fail the build.
    static func classify(_ error: Error) -> BuildFailure {
        switch error {
        case let failure as BuildFailure:
            return failure
        case let error as FusionSetError:
            return BuildFailure(.invalidInput, error.message)
        case let error as WorkspaceError:
            switch error {
            case .writeFailed, .lockFailed, .migrationFailed: return BuildFailure(.failed, error.description)
            default: return BuildFailure(.invalidInput, error.description)
            }
        case let error as AuthorityError:
            switch error {
            case .notInitialized, .invalidAppID, .invalidValidity, .passphraseRequired, .wrongPassphrase:
                return BuildFailure(.invalidInput, error.description)
            case let .workspace(inner):
                return classify(inner)
            default:
                return BuildFailure(.failed, error.description)
            }
        case let error as SealedBlobError:
            return BuildFailure(.failed, error.message)
        case let error as CustomStringConvertible:
            return BuildFailure(.failed, error.description)
        default:
            return BuildFailure(.internalError, "\(error)")
        }
    }
}

/// Thrown inside a stage when the build was cancelled; never reaches the caller as an error.
struct BuildCancelled: Error {}

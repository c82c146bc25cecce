import Foundation

/// Why signing or reading a signature failed. Every case names the file, entry, block or
/// offset involved so the message tells the user where to look; none ever carries key material.
public enum ApkSigningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A structure ended before a field could be read.
    case truncated(structure: String, offset: Int, needed: Int)
    /// A structure's content is not what the format allows.
    case malformed(structure: String, offset: Int, reason: String)
    /// The file is not a ZIP archive the signer can work on.
    case notAnArchive(path: String, reason: String)
    /// A readable archive built to show different files to different readers (a ZIP evasion),
    /// refused on purpose although apksigner, which reads only the central directory, may accept it.
    case evasiveArchive(path: String, finding: String)
    /// An entry could not be read or written.
    case entry(name: String, reason: String)
    /// The key or certificate cannot be used for the requested signature.
    case unsupportedKey(reason: String)
    /// The options ask for something the format cannot do.
    case invalidOptions(reason: String)
    /// Reading or writing a file failed.
    case io(path: String, reason: String)
    /// The caller's cancellation check asked us to stop; no output was left behind.
    case cancelled

    public var description: String {
        switch self {
        case let .truncated(structure, offset, needed):
            return "\(structure) is truncated at offset \(offset): \(needed) more bytes needed"
        case let .malformed(structure, offset, reason):
            return "\(structure) is malformed at offset \(offset): \(reason)"
        case let .notAnArchive(path, reason):
            return "\(path) is not a ZIP archive: \(reason)"
        case let .evasiveArchive(path, finding):
            return "\(path) is refused on purpose: \(finding); this ZIP evasion shows different files to tools that read "
                + "local headers or C strings than to those that read the central directory, so appseal neither verifies nor re-signs it"
        case let .entry(name, reason):
            return "entry \(name): \(reason)"
        case let .unsupportedKey(reason):
            return "signing key: \(reason)"
        case let .invalidOptions(reason):
            return "signing options: \(reason)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case .cancelled:
            return "signing was cancelled"
        }
    }
}

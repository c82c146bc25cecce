/// Why an iOS package, Mach-O file, code signature or property list could not be read.
///
/// Like Go's `debug/macho.FormatError`, format errors say where in the bytes they happened and
/// what was expected there; `inFile` adds the path of the entry inside the .ipa it came from.
public enum ApplePackageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than a structure needs: `needed` bytes at `offset`, of `structure`.
    case truncated(structure: String, offset: Int, needed: Int)
    /// A value that is not what the format allows at `offset`.
    case malformed(structure: String, offset: Int, expected: String)
    /// A property list Foundation could not read, or one whose top level is not a dictionary.
    case invalidPropertyList(reason: String)
    /// The archive holds no `Payload/*.app`, or more than one.
    case appBundle(reason: String)
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The ZIP layer refused the archive.
    case archive(reason: String)
    /// An error inside one file of the package, named by its path in the archive.
    indirect case inFile(path: String, error: ApplePackageError)

    public var description: String {
        switch self {
        case let .truncated(structure, offset, needed):
            return "\(structure) truncated: needs \(needed) bytes at offset \(offset)"
        case let .malformed(structure, offset, expected):
            return "\(structure) malformed at offset \(offset): expected \(expected)"
        case let .invalidPropertyList(reason):
            return "invalid property list: \(reason)"
        case let .appBundle(reason):
            return reason
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .archive(reason):
            return "not a readable ZIP archive: \(reason)"
        case let .inFile(path, error):
            return "\(path): \(error.description)"
        }
    }

    /// The byte offset of a format error, when it has one.
    public var offset: Int? {
        switch self {
        case let .truncated(_, offset, _), let .malformed(_, offset, _): return offset
        case let .inFile(_, error): return error.offset
        default: return nil
        }
    }
}

import Foundation

/// Everything that can go wrong opening, reading or writing the workspace. Each case names
/// the file it concerns; none of them ever carries file contents (a key, a password).
public enum WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The folder or a file in it exists but cannot be read (permissions, not a directory, I/O error).
    case unreadable(path: String, reason: String)
    /// workspace.json says a schema this appseal does not know; nothing is touched.
    case newerSchema(path: String, found: Int, supported: Int)
    /// A workspace file is not the JSON it should be.
    case corrupted(path: String, reason: String)
    /// The folder is not empty and has no workspace.json: probably not meant as a workspace.
    case notAWorkspace(path: String)
    /// No migration step is registered from this schema to the next one.
    case migrationMissing(path: String, fromSchema: Int)
    /// A migration step failed; the workspace stays at the last schema that completed.
    case migrationFailed(path: String, fromSchema: Int, reason: String)
    /// Writing, syncing or renaming a file failed (full disk, read-only folder, ...).
    case writeFailed(path: String, operation: String, reason: String)
    /// A name used to build a path (build ID, app digest, lock name) is not safe as a file name.
    case invalidName(kind: String, value: String, allowed: String)
    /// Taking a lock file failed.
    case lockFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read workspace file \(path): \(reason)"
        case let .newerSchema(path, found, supported):
            return "\(path) has schema \(found), newer than this appseal understands (\(supported)); "
                + "upgrade appseal or use another --workspace; nothing was changed"
        case let .corrupted(path, reason):
            return "workspace file \(path) is corrupted: \(reason); nothing was changed"
        case let .notAWorkspace(path):
            return "\(path) is not empty and has no workspace.json, so it is not an appseal workspace; "
                + "choose an empty or new folder with --workspace"
        case let .migrationMissing(path, fromSchema):
            return "\(path): no migration from schema \(fromSchema) to \(fromSchema + 1)"
        case let .migrationFailed(path, fromSchema, reason):
            return "\(path): migration from schema \(fromSchema) to \(fromSchema + 1) failed: \(reason); "
                + "the workspace stays at schema \(fromSchema)"
        case let .writeFailed(path, operation, reason):
            return "cannot write \(path) (\(operation)): \(reason)"
        case let .invalidName(kind, value, allowed):
            return "invalid \(kind) '\(value)': \(allowed)"
        case let .lockFailed(path, reason):
            return "cannot lock \(path): \(reason)"
        }
    }

    /// The C library's text for an errno value.
    static func reason(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}

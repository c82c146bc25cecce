import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The folder where appseal keeps everything (DESIGN.md "Workspace"). The CLI resolves which
/// folder (`--workspace`, `$APPSEAL_WORKSPACE`, XDG); this type opens it, creating it on first
/// use, migrating older schemas, and refusing — without writing anything — a folder that is
/// unreadable, corrupted or of a newer schema.
public final class Workspace: Sendable {
    public static let currentSchema = 1
    public static let manifestName = "workspace.json"

    public let root: URL
    /// The schema of the workspace on disk after opening (always `currentSchema` once migrated).
    public let schema: Int

    private init(root: URL, schema: Int) {
        self.root = root
        self.schema = schema
    }

    /// Opens (or creates) the workspace at `path`.
    public static func open(at path: String) throws(WorkspaceError) -> Workspace {
        try open(at: path, currentSchema: currentSchema, migrations: migrations)
    }

    /// The general form: tests exercise migrations with their own table and schema number.
    static func open(at path: String, currentSchema: Int,
                     migrations: [WorkspaceMigration]) throws(WorkspaceError) -> Workspace {
        let root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        try createFolderIfNeeded(root)
        try ensureLocksFolder(root)
        let lock = try FileLock(path: root.appendingPathComponent(".locks/workspace.lock").path)
        defer { withExtendedLifetime(lock) {} }

        let manifest = root.appendingPathComponent(manifestName)
        guard let found = try readSchema(manifest) else {
            try requireEmpty(root)
            try writeManifest(schema: currentSchema, to: manifest)
            return Workspace(root: root, schema: currentSchema)
        }
        if found > currentSchema {
            throw .newerSchema(path: manifest.path, found: found, supported: currentSchema)
        }
        var schema = found
        while schema < currentSchema {
            guard let step = migrations.first(where: { $0.fromSchema == schema }) else {
                throw .migrationMissing(path: manifest.path, fromSchema: schema)
            }
            do {
                try step.apply(root)
            } catch {
                throw .migrationFailed(path: manifest.path, fromSchema: schema, reason: "\(error)")
            }
            // Recorded after each step, so an interrupted upgrade resumes where it stopped.
            try writeManifest(schema: schema + 1, to: manifest)
            schema += 1
        }
        return Workspace(root: root, schema: schema)
    }

    // MARK: Paths of DESIGN.md

    public var manifestFile: URL { root.appendingPathComponent(Self.manifestName) }
    public var caDirectory: URL { root.appendingPathComponent("ca", isDirectory: true) }
    public var fusionSetsDirectory: URL { root.appendingPathComponent("fusion-sets", isDirectory: true) }
    public var appsDirectory: URL { root.appendingPathComponent("apps", isDirectory: true) }
    public var buildsDirectory: URL { root.appendingPathComponent("builds", isDirectory: true) }

    /// `apps/<sha256>/` for an uploaded app, named by the lowercase hex SHA-256 of its bytes.
    public func appDirectory(sha256: String) throws(WorkspaceError) -> URL {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy(Self.isLowercaseHex) else {
            throw .invalidName(kind: "app digest", value: sha256, allowed: "64 lowercase hex digits (SHA-256)")
        }
        return appsDirectory.appendingPathComponent(sha256, isDirectory: true)
    }

    /// `builds/<BUILD-ID>/`.
    public func buildDirectory(id: String) throws(WorkspaceError) -> URL {
        try Self.checkFileName(id, kind: "build ID")
        return buildsDirectory.appendingPathComponent(id, isDirectory: true)
    }

    /// `fusion-sets/<ID>.json`.
    public func fusionSetFile(id: String) throws(WorkspaceError) -> URL {
        try Self.checkFileName(id, kind: "Fusion Set ID")
        return fusionSetsDirectory.appendingPathComponent("\(id).json")
    }

    /// Creates a folder (and its parents) with the given permissions if it does not exist yet.
    public func ensureDirectory(_ directory: URL, permissions: mode_t = 0o700) throws(WorkspaceError) {
        try Self.makeDirectory(directory, permissions: permissions)
    }

    // MARK: Locking

    /// Runs `body` holding the workspace lock `name` (e.g. "ca", "fusion-sets"): other appseal
    /// processes and other threads taking the same lock wait until `body` returns. The lock is
    /// not re-entrant (taking the same name again inside `body` waits forever), and waiting
    /// blocks the calling thread, so keep `body` to the read-modify-write it protects.
    public func withLock<T>(named name: String, _ body: () throws -> T) throws -> T {
        let isLockNameByte = { (byte: UInt8) in (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D }
        guard (1...64).contains(name.utf8.count), name.utf8.allSatisfy(isLockNameByte) else {
            throw WorkspaceError.invalidName(kind: "lock name", value: name, allowed: "lowercase letters, digits and '-'")
        }
        try Self.ensureLocksFolder(root)
        let lock = try FileLock(path: root.appendingPathComponent(".locks/\(name).lock").path)
        return try withExtendedLifetime(lock) { try body() }
    }

    // MARK: Internals

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    /// Names become single path components: letters, digits, '.', '_', '-', not starting with '.'.
    static func checkFileName(_ name: String, kind: String) throws(WorkspaceError) {
        let allowed = "1 to 128 characters of letters, digits, '.', '_' or '-', not starting with '.'"
        guard (1...128).contains(name.utf8.count), name.utf8.first != 0x2E,
              name.utf8.allSatisfy({ byte in
                  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                      || byte == 0x2E || byte == 0x5F || byte == 0x2D
              }) else {
            throw .invalidName(kind: kind, value: name, allowed: allowed)
        }
    }

    private static func createFolderIfNeeded(_ root: URL) throws(WorkspaceError) {
        var status = stat()
        if stat(root.path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw .unreadable(path: root.path, reason: "not a folder")
            }
            guard access(root.path, R_OK | X_OK) == 0 else {
                throw .unreadable(path: root.path, reason: WorkspaceError.reason(errno: errno))
            }
            return
        }
        guard errno == ENOENT else {
            throw .unreadable(path: root.path, reason: WorkspaceError.reason(errno: errno))
        }
        try makeDirectory(root, permissions: 0o700)
    }

    private static func ensureLocksFolder(_ root: URL) throws(WorkspaceError) {
        try makeDirectory(root.appendingPathComponent(".locks", isDirectory: true), permissions: 0o700)
    }

    private static func makeDirectory(_ directory: URL, permissions: mode_t) throws(WorkspaceError) {
        var status = stat()
        if stat(directory.path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw .writeFailed(path: directory.path, operation: "create folder", reason: "a file is in the way")
            }
            return
        }
        let parent = directory.deletingLastPathComponent()
        if parent.path != directory.path, stat(parent.path, &status) != 0 {
            try makeDirectory(parent, permissions: permissions)
        }
        if mkdir(directory.path, permissions) != 0, errno != EEXIST {
            throw .writeFailed(path: directory.path, operation: "create folder", reason: WorkspaceError.reason(errno: errno))
        }
    }

    /// The schema number in workspace.json, or nil when there is no workspace.json.
    private static func readSchema(_ manifestURL: URL) throws(WorkspaceError) -> Int? {
        guard let data = try WorkspaceJSON.readBytesIfPresent(manifestURL, limit: 1024 * 1024) else { return nil }
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw .corrupted(path: manifestURL.path, reason: "not valid JSON")
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw .corrupted(path: manifestURL.path, reason: "'schema' must be a positive integer")
        }
        let schema = manifest.schema
        guard schema >= 1 else {
            throw .corrupted(path: manifestURL.path, reason: "'schema' must be a positive integer")
        }
        return schema
    }

    private static func requireEmpty(_ root: URL) throws(WorkspaceError) {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: root.path)
        } catch {
            throw .unreadable(path: root.path, reason: error.localizedDescription)
        }
        if entries.contains(where: { $0 != ".locks" }) {
            throw .notAWorkspace(path: root.path)
        }
    }

    private struct Manifest: Codable {
        let schema: Int
    }

    private static func writeManifest(schema: Int, to manifest: URL) throws(WorkspaceError) {
        try WorkspaceJSON.write(Manifest(schema: schema), to: manifest)
    }
}

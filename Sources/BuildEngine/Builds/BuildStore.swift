import Foundation

/// Reads and writes build records and logs under `builds/`.
public struct BuildStore: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    public func recordFile(id: String) throws(WorkspaceError) -> URL {
        try workspace.buildDirectory(id: id).appendingPathComponent(BuildRecord.fileName)
    }

    public func logFile(id: String) throws(WorkspaceError) -> URL {
        try workspace.buildDirectory(id: id).appendingPathComponent(BuildLog.fileName)
    }

    public func save(_ record: BuildRecord) throws(WorkspaceError) {
        let folder = try workspace.buildDirectory(id: record.id)
        try workspace.ensureDirectory(folder)
        try WorkspaceJSON.write(record, to: folder.appendingPathComponent(BuildRecord.fileName))
    }

    public func record(id: String) throws -> BuildRecord {
        let file = try recordFile(id: id)
        guard let record = try WorkspaceJSON.readIfPresent(BuildRecord.self, from: file) else {
            throw BuildStoreError.notFound(id: id)
        }
        return record
    }

    /// Every build, newest first. Folders without a readable record (a build that crashed
    /// before its first write, or a damaged file) are reported, not hidden.
    public func list() -> (records: [BuildRecord], problems: [String]) {
        let folder = workspace.buildsDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return ([], []) }
        var records: [BuildRecord] = []
        var problems: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            do {
                records.append(try record(id: name))
            } catch let error as WorkspaceError {
                problems.append(error.description)
            } catch {
                problems.append("\(folder.path)/\(name): \(error)")
            }
        }
        return (records.map(Self.resolvingAbandoned).sorted { ($0.started, $0.id) > ($1.started, $1.id) }, problems)
    }

    /// Builds that used a Fusion Set, newest first.
    public func builds(usingFusionSet id: String) -> [BuildRecord] {
        list().records.filter { $0.fusionSetID == id }
    }

    /// True once a build has ended, including one whose process died while running.
    public static func isFinished(_ record: BuildRecord) -> Bool {
        resolvingAbandoned(record).status != .running
    }

    /// A record still marked running whose process is gone was interrupted (killed, crashed).
    static func resolvingAbandoned(_ record: BuildRecord) -> BuildRecord {
        guard record.status == .running, let pid = record.processID, pid > 0 else { return record }
        if kill(pid, 0) == 0 || errno == EPERM { return record }
        var resolved = record
        resolved.status = .failed
        resolved.failure = .init(stage: "unknown", message: "the build process (pid \(pid)) ended without finishing the build",
                                 exitCode: 1)
        return resolved
    }
}

public enum BuildStoreError: Error, Sendable, Equatable {
    case notFound(id: String)

    public var message: String {
        switch self {
        case let .notFound(id): return "no build '\(id)' in this workspace (see 'appseal builds list')"
        }
    }
}

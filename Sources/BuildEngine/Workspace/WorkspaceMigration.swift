import Foundation

/// One step that upgrades a workspace from `fromSchema` to `fromSchema + 1`. Adding a schema
/// means appending one step to `Workspace.migrations` and raising `Workspace.currentSchema`.
public struct WorkspaceMigration: Sendable {
    public let fromSchema: Int
    public let summary: String
    public let apply: @Sendable (_ root: URL) throws -> Void

    public init(fromSchema: Int, summary: String, apply: @escaping @Sendable (_ root: URL) throws -> Void) {
        self.fromSchema = fromSchema
        self.summary = summary
        self.apply = apply
    }
}

extension Workspace {
    /// Schema 1 is the first released layout, so there is nothing to migrate yet.
    public static let migrations: [WorkspaceMigration] = []
}

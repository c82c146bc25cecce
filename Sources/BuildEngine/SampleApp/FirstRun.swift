import Foundation

extension Workspace {
    public var samplesDirectory: URL { root.appendingPathComponent("samples", isDirectory: true) }
    /// Where the first run puts the sample app.
    public var sampleAppFile: URL { samplesDirectory.appendingPathComponent(SampleApp.fileName) }
}

/// Readying a workspace nothing has happened in yet, so the console's first minute works:
/// a certificate authority (as `appseal ca init` makes it with its defaults) and the sample app.
public enum FirstRun {
    public struct Preparation: Sendable, Equatable {
        public let sampleApp: URL
        public let caKeyEncrypted: Bool
    }

    /// A workspace with no CA and no build has not been used yet.
    public static func isNeeded(_ workspace: Workspace) -> Bool {
        !CertificateAuthority.exists(in: workspace) && BuildStore(workspace: workspace).list().records.isEmpty
    }

    /// The sample is worth offering until the first build is made, as long as it is there.
    public static func offersSample(_ workspace: Workspace) -> Bool {
        FileManager.default.fileExists(atPath: workspace.sampleAppFile.path)
            && BuildStore(workspace: workspace).list().records.isEmpty
    }

    /// Writes the sample app and creates the CA with `ca init`'s defaults (the key encrypted with
    /// `caPassphrase` when one is given), or returns nil when the workspace was used before.
    /// The sample comes first: if it fails, the workspace stays unused and the next run retries.
    /// Of several processes starting on the same new workspace, one creates the CA; the others get nil.
    public static func prepare(_ workspace: Workspace, caPassphrase: String?) throws -> Preparation? {
        guard isNeeded(workspace) else { return nil }
        try workspace.ensureDirectory(workspace.samplesDirectory)
        try SampleApp.write(to: workspace.sampleAppFile, workspace: workspace)
        let passphrase = caPassphrase?.isEmpty == false ? caPassphrase : nil
        do {
            _ = try CertificateAuthority.initialize(in: workspace, passphrase: passphrase)
        } catch .alreadyInitialized {
            // Another appseal readied the same workspace at the same moment; its CA stands.
            return nil
        }
        return Preparation(sampleApp: workspace.sampleAppFile, caKeyEncrypted: passphrase != nil)
    }
}

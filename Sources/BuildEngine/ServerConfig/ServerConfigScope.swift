import Foundation

/// Why `server-config --build` or `--fusion-set` cannot name the apps to accept.
public struct ServerConfigScopeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// The apps a server config accepts, worked out from builds: `--build ID` is that build's app
/// (what its own `server/` holds), `--fusion-set ID` every app built with that set.
/// Only certificates the workspace CA issued count: the config verifies against that CA.
public struct ServerConfigScope: Sendable, Equatable {
    public struct App: Sendable, Equatable {
        public let identity: ClientIdentity
        /// The successful builds that shipped a certificate for this app, newest first.
        public let builds: [String]
    }

    public let apps: [App]

    public var clients: [ClientIdentity] { apps.map(\.identity) }

    public static func build(_ id: String, workspace: Workspace) throws -> ServerConfigScope {
        let record: BuildRecord
        do {
            record = try BuildStore(workspace: workspace).record(id: id)
        } catch let error as WorkspaceError {
            // A build ID that is not even a valid folder name is simply not a build of this workspace.
            if case .invalidName = error { throw BuildStoreError.notFound(id: id) }
            throw error
        }
        let issued = try issuedSerials(workspace)
        guard record.status == .succeeded, let appID = record.appID, let platform = record.platform else {
            throw ServerConfigScopeError(description: "build \(id) did not succeed (status \(record.status.rawValue)), so it "
                + "shipped no app and no certificate to accept")
        }
        guard let serial = record.certificateSerial else {
            throw ServerConfigScopeError(description: "build \(id) has no client certificate: its Fusion Set "
                + "\(record.fusionSetID) '\(record.fusionSetName)' has no Mobile Client Certificates")
        }
        guard issued.contains(normalized(serial)) else {
            throw ServerConfigScopeError(description: "the certificate of build \(id) (serial \(serial)) was not issued by "
                + "this workspace's CA (an imported PKCS#12): configure the server with the CA that issued it")
        }
        return ServerConfigScope(apps: [App(identity: try ClientIdentity(appID: appID, platform: platform), builds: [id])])
    }

    public static func fusionSet(_ reference: String, workspace: Workspace) throws -> ServerConfigScope {
        let set = try FusionSetStore(workspace: workspace).find(reference)
        let issued = try issuedSerials(workspace)
        var apps: [App] = []
        for record in BuildStore(workspace: workspace).builds(usingFusionSet: set.id) {
            guard record.status == .succeeded, let appID = record.appID, let platform = record.platform,
                  let serial = record.certificateSerial, issued.contains(normalized(serial)) else { continue }
            let identity = try ClientIdentity(appID: appID, platform: platform)
            if let index = apps.firstIndex(where: { $0.identity == identity }) {
                apps[index] = App(identity: identity, builds: apps[index].builds + [record.id])
            } else {
                apps.append(App(identity: identity, builds: [record.id]))
            }
        }
        guard !apps.isEmpty else {
            throw ServerConfigScopeError(description: "no successful build with Fusion Set \(set.id) '\(set.name)' has a "
                + "certificate from this workspace's CA yet: build an app with it first, or name the apps with --app-id")
        }
        return ServerConfigScope(apps: apps)
    }

    private static func issuedSerials(_ workspace: Workspace) throws -> Set<String> {
        Set(try CertificateAuthority.describe(workspace).issued.map { normalized($0.serial) })
    }

    /// Serials compare as numbers: case, colons and leading zeros do not matter.
    private static func normalized(_ serial: String) -> String {
        let digits = serial.lowercased().filter(\.isHexDigit)
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}

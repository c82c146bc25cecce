import BuildEngine
import Foundation

// `appseal server-config`: what a server needs to accept only clients of the workspace CA.

let serverConfigCommand = Command(
    name: "server-config",
    abstract: "Write the CA bundle, the CRL and a server snippet that requires and verifies client certificates.",
    discussion: """
    Writes ca.pem, crl.pem and nginx-client-certificates.conf, haproxy-frontend.cfg or
    envoy-downstream-tls.yaml into --out. The snippet's comments say where it goes and how to
    reload after 'appseal ca revoke'. With --app-id, only those apps' certificates are accepted.
    """,
    options: [
        .value("format", "format", help: "nginx, haproxy or envoy.", required: true),
        .value("out", "dir", help: "Folder to write into (created if needed).", required: true),
        .value("app-id", "id", help: "Accept only this app's certificates (repeatable).", repeatable: true),
        .value("platform", "platform", help: "Platform of the --app-id apps: android (default) or ios."),
        .value("install-dir", "dir", help: "Where the files will be on the server, if not --out itself."),
        .value("listen", "addr", help: "HAProxy bind / Envoy listener address (default :443)."),
        .value("server-cert", "file", help: "The server's own certificate (HAProxy: certificate+key PEM)."),
        .value("server-key", "file", help: "The server's own key (Envoy)."),
        .value("backend", "name", help: "HAProxy backend that verified requests go to (default app)."),
        .flag("json", help: "Print what was written as JSON."),
    ],
    run: { invocation in
        // --format is required, so the fallback is never what runs.
        let format = try enumChoice(invocation, "format", default: ServerConfigFormat.nginx)
        let platform = try enumChoice(invocation, "platform", default: AppPlatform.android)
        var options = ServerConfigOptions()
        for appID in invocation.values("app-id") {
            guard ClientIdentity.isValidAppID(appID) else {
                throw UsageError(message: "--app-id '\(appID)' must be \(ClientIdentity.allowedAppID)")
            }
            options.allowedClients.append(try ClientIdentity(appID: appID, platform: platform))
        }
        if let install = invocation.value("install-dir") { options.installDirectory = install }
        if let listen = invocation.value("listen") { options.listen = listen }
        if let certificate = invocation.value("server-cert") { options.serverCertificatePath = absolutePath(certificate) }
        if let key = invocation.value("server-key") { options.serverKeyPath = absolutePath(key) }
        if let backend = invocation.value("backend") { options.backendName = backend }
        let out = URL(fileURLWithPath: absolutePath(try invocation.requiredValue("out")), isDirectory: true)

        let workspace = try Workspace.open(at: invocation.workspacePath)
        let result = try ServerConfigWriter.write(format: format, to: out, workspace: workspace, options: options)
        let daysLeft = result.crlNextUpdate.timeIntervalSinceNow / 86_400
        if daysLeft < 7 {
            Output.err("warning: the CRL's next update is \(iso(result.crlNextUpdate)); servers refuse every client after it. Run 'appseal ca crl' and write the config again.\n")
        }
        if invocation.flag("json") {
            try Output.json(ServerConfigSummary(format: format.rawValue, caBundle: result.caBundle.path,
                                                crl: result.crl.path, snippet: result.snippet.path,
                                                crlNextUpdate: result.crlNextUpdate, enforced: result.enforced))
        } else {
            var text = "Wrote \(format.rawValue) client-certificate config to \(out.path):\n"
            for file in [result.caBundle, result.crl, result.snippet] {
                text += "  \(file.lastPathComponent)\n"
            }
            text += "Enforced:\n" + result.enforced.map { "  - \($0)\n" }.joined()
            text += "See the comments in \(result.snippet.lastPathComponent) for where it goes and how to reload.\n"
            Output.out(text)
        }
        return .ok
    }
)

private struct ServerConfigSummary: Encodable {
    let format: String
    let caBundle: String
    let crl: String
    let snippet: String
    let crlNextUpdate: Date
    let enforced: [String]
}

extension ServerConfigError: ReportableError {
    var exitCode: ExitCode {
        switch self {
        case .invalidOption: return .usage
        case let .workspace(error): return error.exitCode
        case let .authority(error): return error.exitCode
        }
    }
    var message: String { description }
}

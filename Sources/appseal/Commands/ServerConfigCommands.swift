import BuildEngine
import Foundation

// `appseal server-config`: what a server needs to accept only clients of the workspace CA.

let serverConfigCommand = Command(
    name: "server-config",
    abstract: "Write the CA bundle, the CRL and a server snippet that requires and verifies client certificates.",
    discussion: """
    Writes ca.pem, crl.pem and nginx-client-certificates.conf, haproxy-frontend.cfg or
    envoy-downstream-tls.yaml into --out. The snippet's comments say where it goes and how to
    reload after 'appseal ca revoke'. Without --build, --fusion-set or --app-id, every
    certificate of the workspace CA is accepted. --build ID accepts only that build's app (the
    config its server/ folder holds); --fusion-set ID accepts every app built with that set;
    --app-id adds apps by name. Revoked certificates are refused either way.
    """,
    options: [
        .value("format", "format", help: "nginx, haproxy or envoy.", required: true),
        .value("out", "dir", help: "Folder to write into (created if needed).", required: true),
        .value("build", "id", help: "Accept only the app of this build (the config its server/ folder holds)."),
        .value("fusion-set", "id", help: "Accept every app built with this Fusion Set (ID, 6+ digit prefix or name)."),
        .value("app-id", "id", help: "Accept only this app's certificates (repeatable; adds to --build/--fusion-set).",
               repeatable: true),
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
        if invocation.value("build") != nil, invocation.value("fusion-set") != nil {
            throw UsageError(message: "give --build or --fusion-set, not both")
        }
        let workspace = try Workspace.open(at: invocation.workspacePath)
        var scope: ServerConfigScope?
        if let build = invocation.value("build") {
            scope = try ServerConfigScope.build(build, workspace: workspace)
        } else if let set = invocation.value("fusion-set") {
            scope = try ServerConfigScope.fusionSet(set, workspace: workspace)
        }
        options.allowedClients = scope?.clients ?? []
        for appID in invocation.values("app-id") {
            guard ClientIdentity.isValidAppID(appID) else {
                throw UsageError(message: "--app-id '\(appID)' must be \(ClientIdentity.allowedAppID)")
            }
            let identity = try ClientIdentity(appID: appID, platform: platform)
            if !options.allowedClients.contains(identity) { options.allowedClients.append(identity) }
        }
        if let install = invocation.value("install-dir") { options.installDirectory = install }
        if let listen = invocation.value("listen") { options.listen = listen }
        if let certificate = invocation.value("server-cert") { options.serverCertificatePath = absolutePath(certificate) }
        if let key = invocation.value("server-key") { options.serverKeyPath = absolutePath(key) }
        if let backend = invocation.value("backend") { options.backendName = backend }
        let out = URL(fileURLWithPath: absolutePath(try invocation.requiredValue("out")), isDirectory: true)
        let result = try ServerConfigWriter.write(format: format, to: out, workspace: workspace, options: options)
        let daysLeft = result.crlNextUpdate.timeIntervalSinceNow / 86_400
        if daysLeft < 7 {
            Output.err("warning: the CRL's next update is \(iso(result.crlNextUpdate)); servers refuse every client after it. Run 'appseal ca crl' and write the config again.\n")
        }
        if invocation.flag("json") {
            let apps = scope?.apps.map {
                ServerConfigSummary.App(appID: $0.identity.appID, platform: $0.identity.platform.rawValue, builds: $0.builds)
            }
            try Output.json(ServerConfigSummary(format: format.rawValue, caBundle: result.caBundle.path,
                                                crl: result.crl.path, snippet: result.snippet.path,
                                                crlNextUpdate: result.crlNextUpdate, enforced: result.enforced, apps: apps))
        } else {
            var text = "Wrote \(format.rawValue) client-certificate config to \(out.path):\n"
            for file in [result.caBundle, result.crl, result.snippet] {
                text += "  \(file.lastPathComponent)\n"
            }
            if let scope {
                text += "Apps:\n" + scope.apps.map { app in
                    let builds = app.builds.joined(separator: ", ")
                    return "  \(app.identity.appID) (\(app.identity.platform.rawValue)), built by \(builds)\n"
                }.joined()
            }
            text += "Enforced:\n" + result.enforced.map { "  - \($0)\n" }.joined()
            text += "See the comments in \(result.snippet.lastPathComponent) for where it goes and how to reload.\n"
            Output.out(text)
        }
        return .ok
    }
)

private struct ServerConfigSummary: Encodable {
    struct App: Encodable {
        let appID: String
        let platform: String
        let builds: [String]
    }

    let format: String
    let caBundle: String
    let crl: String
    let snippet: String
    let crlNextUpdate: Date
    let enforced: [String]
    /// The apps --build or --fusion-set chose, with the builds that shipped them.
    let apps: [App]?
}

extension ServerConfigScopeError: ReportableError {
    var exitCode: ExitCode { .invalidInput }
    var message: String { description }
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

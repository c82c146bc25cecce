import AndroidPackage
import CryptoCore
import Foundation

/// `report.json`: what a build did, for people and for scripts.
public struct BuildReport: Codable, Sendable, Equatable {
    public struct Signer: Codable, Sendable, Equatable {
        public let mode: String
        public let certificate: String?
        public let schemes: [String]
        /// The certificates the sealed blob opens with (SHA-256, hex).
        public let sealedFor: [String]
    }

    public struct ClientCertificate: Codable, Sendable, Equatable {
        public let serial: String
        public let subject: String
        public let issuer: String
        public let sha256: String
        public let spkiPin: String
        public let notBefore: Date
        public let notAfter: Date
        public let source: String
        public let pkcs12Profile: String
    }

    public var schema = 1
    public let buildID: String
    public let fusionSet: [String: String]
    public let app: AppFacts
    public let output: [String: String]
    public let features: [AppliedFeature]
    public let clientCertificate: ClientCertificate?
    public let sealedBlob: [String: String]?
    public let runtime: String
    public let signer: Signer
    public let verification: [VerificationResult]
    public let serverConfig: [String]
    public let notes: [String]
    public let finished: Date
}

extension BuildRun {
    func reportStage() throws -> StageOutcome {
        try settleInputDigest(announcingIn: .report)
        guard let app = state.app, let output = state.outputTemporary, let destination = state.outputDestination else {
            throw BuildFailure(.internalError, "Report has no output")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? NSNumber)?.int64Value ?? 0
        var reporter: ProgressReporter?
        let outputSHA256 = try state.outputSHA256 ?? AppInspector.sha256(of: output.path, size: UInt64(size)) { done, total in
            if reporter == nil { reporter = self.progress(.report, total: total) }
            try reporter?.report(done)
        }
        state.outputSHA256 = outputSHA256
        record.outputSHA256 = outputSHA256

        var serverLines: [String] = []
        var notes: [String] = []
        if let credential = state.credential {
            if credential.source.hasPrefix("imported") {
                notes.append("the client certificate was imported, so its CA is not the workspace CA: configure your server "
                    + "with that CA's bundle; no server/ folder was written")
            } else {
                let serverFolder = staging.appendingPathComponent("server", isDirectory: true)
                try workspace.ensureDirectory(serverFolder)
                var options = ServerConfigOptions()
                options.allowedClients = [try ClientIdentity(appID: app.appID, platform: app.platform)]
                // Written in staging, read from where publishing puts it.
                options.installDirectory = folder.appendingPathComponent("server", isDirectory: true).path
                for format in ServerConfigFormat.allCases {
                    let result = try ServerConfigWriter.write(format: format, to: serverFolder, workspace: workspace, options: options)
                    serverLines.append("\(format.rawValue): server/\(result.snippet.lastPathComponent)")
                    if format == .nginx { serverLines += result.enforced.map { "  \($0)" } }
                }
                serverLines.insert("server/\(ServerConfigWriter.caBundleFileName), server/\(ServerConfigWriter.crlFileName)", at: 0)
            }
        }
        let signer: BuildReport.Signer
        switch state.signing {
        case let .identity(_, _, label)?:
            signer = .init(mode: requestSigningMode, certificate: label, schemes: state.signatureSchemes,
                           sealedFor: state.sealedForSigners.map(\.lowercaseHex))
        default:
            signer = .init(mode: "unsigned", certificate: nil, schemes: [], sealedFor: state.sealedForSigners.map(\.lowercaseHex))
            notes.append("the output is unsigned: sign it with one of the sealed-for certificates, or the runtime cannot unseal it")
        }
        let certificate = state.credential.map { credential in
            BuildReport.ClientCertificate(
                serial: credential.serial, subject: credential.certificate.subject.rfc2253,
                issuer: credential.certificate.issuer.rfc2253, sha256: credential.certificate.sha256Fingerprint.hex,
                spkiPin: credential.certificate.spkiPin, notBefore: credential.certificate.notBefore,
                notAfter: credential.certificate.notAfter, source: credential.source, pkcs12Profile: credential.profile.rawValue)
        }
        let blob = state.additions.first { $0.name == SealedBlob.assetPath }.map { addition in
            ["path": addition.name, "format": "appseal sealed blob v\(SealedBlob.version)", "bytes": String(addition.data.count),
             "sha256": Digest.sha256(Data(addition.data)).hex]
        }
        let report = BuildReport(
            buildID: id, fusionSet: ["id": fusionSet.id, "name": fusionSet.name, "platform": fusionSet.platform.rawValue],
            app: app, output: ["path": destination.path, "sha256": outputSHA256, "bytes": String(size)],
            features: state.applied, clientCertificate: certificate, sealedBlob: blob,
            runtime: runtimeSummary,
            signer: signer, verification: state.verification, serverConfig: serverLines, notes: notes, finished: Date())
        try WorkspaceJSON.write(report, to: staging.appendingPathComponent("report.json"))
        try AtomicFile.write(Data(Self.markdown(report).utf8), to: staging.appendingPathComponent("report.md"))
        info(.report, "report.json, report.md\(serverLines.isEmpty ? "" : " and server/") written; output sha256 \(outputSHA256)")
        return .done
    }

    private var runtimeSummary: String {
        guard let plan = state.runtimePlan else {
            return "no runtime injected: nothing in this Fusion Set is enforced inside the app"
        }
        let size = state.additions.first { $0.name == plan.dexName }?.data.count ?? 0
        return "appseal Android runtime injected: \(plan.dexName) (\(size) bytes) and <provider "
            + "android:name=\"\(AndroidRuntime.providerClass)\" android:authorities=\"\(plan.authority)\" "
            + "android:exported=\"false\" android:initOrder=\"\(RuntimeInjection.initOrder)\">; it logs under the logcat "
            + "tag \(AndroidRuntime.logTag) (adb logcat -s \(AndroidRuntime.logTag))"
    }

    private var requestSigningMode: String {
        switch request.signing {
        case .keystore: return "keystore"
        case .debugKey: return "workspace debug key"
        case .unsigned: return "unsigned"
        }
    }

    static func markdown(_ report: BuildReport) -> String {
        var text = "# appseal build \(report.buildID)\n\n"
        text += "| | |\n|---|---|\n"
        text += "| App | `\(report.app.appID)` \(report.app.versionName ?? "") (\(report.app.format.rawValue)) |\n"
        text += "| Input | `\(report.app.path)` |\n| Input SHA-256 | `\(report.app.sha256)` |\n"
        text += "| Output | `\(report.output["path"] ?? "")` |\n| Output SHA-256 | `\(report.output["sha256"] ?? "")` |\n"
        text += "| Fusion Set | `\(report.fusionSet["id"] ?? "")` \(report.fusionSet["name"] ?? "") |\n"
        text += "| Signer | \(report.signer.mode)\(report.signer.certificate.map { ": \($0)" } ?? "")"
        text += report.signer.schemes.isEmpty ? " |\n" : " (\(report.signer.schemes.joined(separator: "+"))) |\n"
        text += "\n## Features applied\n\n"
        for feature in report.features {
            text += "- **\(feature.title)** — \(feature.applied)\n"
            if let missing = feature.notEnforced { text += "  - *Not enforced:* \(missing)\n" }
            for key in feature.options.keys.sorted() { text += "  - `\(key)` = \(feature.options[key]!.displayText)\n" }
        }
        if let certificate = report.clientCertificate {
            text += "\n## Client certificate\n\n"
            text += "- Serial: `\(certificate.serial)`\n- Subject: \(certificate.subject)\n- Issuer: \(certificate.issuer)\n"
            text += "- SHA-256: `\(certificate.sha256)`\n- SPKI pin: `\(certificate.spkiPin)`\n"
            text += "- Valid: \(FusionSetSummary.timeText(certificate.notBefore)) to \(FusionSetSummary.timeText(certificate.notAfter))\n"
            text += "- Source: \(certificate.source); PKCS#12 profile \(certificate.pkcs12Profile)\n"
            text += "- Revoke with: `appseal ca revoke \(certificate.serial)`, then reload the server\n"
        }
        if let blob = report.sealedBlob {
            text += "\n## Sealed blob\n\n- `\(blob["path"] ?? "")`, \(blob["bytes"] ?? "") bytes, \(blob["format"] ?? "")\n"
            text += "- Opens with signer certificate(s): \(report.signer.sealedFor.map { "`\($0)`" }.joined(separator: ", "))\n"
        }
        text += "\n## Runtime\n\n\(report.runtime)\n"
        text += "\n## Verification\n\n"
        for result in report.verification { text += "- \(result.passed ? "✔" : "✘") \(result.check): \(result.detail)\n" }
        if !report.serverConfig.isEmpty {
            text += "\n## Server configuration\n\n"
            for line in report.serverConfig { text += line.hasPrefix("  ") ? "  - \(line.dropFirst(2))\n" : "- \(line)\n" }
        }
        if !report.notes.isEmpty {
            text += "\n## Notes\n\n"
            for note in report.notes { text += "- \(note)\n" }
        }
        return text
    }
}

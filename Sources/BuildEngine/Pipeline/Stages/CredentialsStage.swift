import CryptoCore
import Foundation

extension BuildRun {
    func credentialsStage() throws -> StageOutcome {
        guard let stored = fusionSet.features[FeatureID.mobileClientCertificates], let app = state.app else {
            info(.credentials, "the Fusion Set has no Mobile Client Certificates; no client certificate is needed")
            return .skipped
        }
        let options = validator.effectiveOptions(feature: FeatureID.mobileClientCertificates, stored: stored)
        let profile: PKCS12Bundle.Profile = options["p12Profile"]?.stringValue == "modern" ? .modern : .compatible
        let password = try CredentialPassword.generate()
        let credential: BuildCredential
        if let importPath = options["importP12"]?.stringValue {
            credential = try importedCredential(path: importPath, passwordFile: options["importP12PasswordFile"]?.stringValue ?? "",
                                                profile: profile, newPassword: password)
        } else {
            let keyType = KeyType(rawValue: options["keyType"]?.stringValue ?? "ec-p256") ?? .ecP256
            let days = options["validityDays"]?.integerValue ?? CertificateAuthority.defaultClientValidityDays
            let authority = try CertificateAuthority.open(workspace) { self.request.caPassphrase?.value }
            if options["scope"]?.stringValue == "per-app", let reused = try PerAppCredentials.reusable(
                workspace: workspace, authority: authority, appID: app.appID, platform: app.platform) {
                credential = try BuildCredential(reused, source: "workspace CA, per-app certificate reused",
                                                 profile: profile, password: password, issuedForThisBuild: false)
            } else {
                let issued = try authority.issueClientCertificate(appID: app.appID, platform: app.platform, buildID: id,
                                                                  keyType: keyType, validityDays: days)
                let perApp = options["scope"]?.stringValue == "per-app"
                credential = try BuildCredential(issued, source: perApp ? "workspace CA, per-app certificate issued" : "workspace CA",
                                                 profile: profile, password: password, issuedForThisBuild: !perApp)
                if perApp { try PerAppCredentials.remember(issued, workspace: workspace) }
            }
        }
        state.credential = credential
        try updateRecord {
            $0.certificateSerial = credential.serial
            $0.certificateSHA256 = credential.certificate.sha256Fingerprint.hex
        }
        info(.credentials, "client certificate \(credential.serial) (\(credential.source)), subject \(credential.certificate.subject), "
            + "sha256 \(credential.certificate.sha256Fingerprint.hex), valid until \(FusionSetSummary.timeText(credential.certificate.notAfter))")
        info(.credentials, "PKCS#12 built (\(profile.rawValue) profile) with a fresh random password that exists only inside the sealed blob")
        return .done
    }

    private func importedCredential(path: String, passwordFile: String, profile: PKCS12Bundle.Profile,
                                    newPassword: String) throws -> BuildCredential {
        let given: String
        do {
            let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
            given = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        } catch {
            throw BuildFailure(.invalidInput, "importP12PasswordFile \(passwordFile) cannot be read")
        }
        let bundle: PKCS12Bundle
        do {
            bundle = try PKCS12Bundle(der: try Data(contentsOf: URL(fileURLWithPath: path)), password: given)
        } catch {
            throw BuildFailure(.invalidInput, "importP12 \(path) cannot be opened with the password from \(passwordFile): \(error)")
        }
        guard let key = bundle.privateKey, let certificate = bundle.certificate else {
            throw BuildFailure(.invalidInput, "importP12 \(path) must hold a private key and its certificate")
        }
        let encoded = try PKCS12Bundle(privateKey: key, certificate: certificate, chain: bundle.chain,
                                       friendlyName: bundle.friendlyName).encoded(password: newPassword, profile: profile)
        return BuildCredential(privateKey: key, certificate: certificate, chain: bundle.chain,
                               serial: certificate.serialNumber.hex, source: "imported \(path)", pkcs12: encoded,
                               pkcs12Password: newPassword, profile: profile, issuedForThisBuild: false)
    }

    /// A per-build certificate of a build that did not finish never shipped: revoke it, so
    /// issued.json and the CRL say it must not be trusted.
    func revokeUnshippedCertificate() {
        guard let credential = state.credential, credential.issuedForThisBuild else { return }
        do {
            let authority = try CertificateAuthority.open(workspace) { self.request.caPassphrase?.value }
            try authority.revoke(serial: credential.serial, reason: .cessationOfOperation)
            log.append(LogEntry(level: .info, stage: .credentials,
                                message: "certificate \(credential.serial) of this unfinished build was revoked (cessationOfOperation)"))
        } catch {
            log.append(LogEntry(level: .warning, stage: .credentials,
                                message: "certificate \(credential.serial) of this unfinished build could not be revoked: \(error); "
                                    + "revoke it with 'appseal ca revoke \(credential.serial)'"))
        }
    }
}

extension BuildCredential {
    init(_ issued: IssuedCredential, source: String, profile: PKCS12Bundle.Profile, password: String,
         issuedForThisBuild: Bool) throws {
        self.init(privateKey: issued.privateKey, certificate: issued.certificate, chain: issued.chain, serial: issued.serial,
                  source: source, pkcs12: try issued.pkcs12(password: password, profile: profile), pkcs12Password: password,
                  profile: profile, issuedForThisBuild: issuedForThisBuild)
    }
}

/// Per-app certificates are kept in `credentials/<platform>/<app-id>/` (key 0600) and reused
/// by later builds of the same app while they are valid and not revoked.
enum PerAppCredentials {
    static func folder(_ workspace: Workspace, appID: String, platform: AppPlatform) -> URL {
        workspace.root.appendingPathComponent("credentials/\(platform.rawValue)/\(appID)", isDirectory: true)
    }

    static func reusable(workspace: Workspace, authority: CertificateAuthority, appID: String,
                         platform: AppPlatform) throws -> IssuedCredential? {
        let folder = folder(workspace, appID: appID, platform: platform)
        guard let certificatePEM = try WorkspaceJSON.readBytesIfPresent(folder.appendingPathComponent("client.pem")),
              let keyPEM = try WorkspaceJSON.readBytesIfPresent(folder.appendingPathComponent("client.key")) else { return nil }
        let certificate = try Certificate(pem: certificatePEM)
        let key = try PrivateKey(pem: keyPEM)
        guard certificate.isValid(at: Date().addingTimeInterval(86_400)),
              let record = try authority.records().first(where: { $0.serial == certificate.serialNumber.hex }),
              record.status == .valid else { return nil }
        return IssuedCredential(privateKey: key, certificate: certificate, chain: [authority.certificate] + authority.chain,
                                record: record, identity: try ClientIdentity(appID: appID, platform: platform))
    }

    static func remember(_ issued: IssuedCredential, workspace: Workspace) throws {
        let folder = folder(workspace, appID: issued.record.appID, platform: issued.record.platform)
        try workspace.ensureDirectory(folder)
        try AtomicFile.write(Data(try issued.privateKey.pemEncoded().utf8), to: folder.appendingPathComponent("client.key"),
                             permissions: AtomicFile.secretPermissions)
        try AtomicFile.write(Data(issued.certificate.pem.utf8), to: folder.appendingPathComponent("client.pem"))
    }
}

import BuildEngine
import CryptoCore
import Foundation

// `appseal ca ...`: the workspace certificate authority.

let caCommand = Command(
    name: "ca",
    abstract: "The workspace certificate authority: issue, revoke and publish client certificates.",
    discussion: """
    The CA lives in <workspace>/ca: ca.pem, ca.key (0600; encrypted when APPSEAL_CA_PASSPHRASE
    is set or a passphrase is typed at the prompt), issued.json and crl.pem.
    Commands that sign (issue, revoke, crl) read the passphrase from APPSEAL_CA_PASSPHRASE, or
    ask on a terminal.
    """,
    subcommands: [caInitCommand, caShowCommand, caIssueCommand, caRevokeCommand, caCRLCommand, caImportCommand]
)

private let keyTypeNames = KeyType.allCases.map(\.rawValue)

private let caInitCommand = Command(
    name: "init",
    abstract: "Create the workspace CA (a self-signed CA certificate and its key).",
    options: [
        .value("key", "type", help: "CA key type: \(keyTypeNames.joined(separator: ", ")) (default ec-p256)."),
        .value("subject", "dn", help: "CA subject, most specific first, e.g. 'CN=Example Mobile CA,O=Example' (default: CN=appseal workspace CA <id>,O=appseal)."),
        .value("days", "n", help: "Validity of the CA certificate in days (default \(CertificateAuthority.defaultValidityDays))."),
        .flag("json", help: "Print the result as JSON."),
    ],
    run: { invocation in
        let keyType = try enumChoice(invocation, "key", default: KeyType.ecP256)
        let days = try invocation.integer("days", default: CertificateAuthority.defaultValidityDays, in: 1...36_500)
        let workspace = try Workspace.open(at: invocation.workspacePath)
        if CertificateAuthority.exists(in: workspace) {
            throw AuthorityError.alreadyInitialized(path: workspace.caDirectory.path)
        }
        let passphrase = try newCAPassphrase(invocation)
        let authority = try CertificateAuthority.initialize(in: workspace, keyType: keyType, subject: invocation.value("subject"),
                                                            validityDays: days, passphrase: passphrase)
        if passphrase == nil {
            Output.err("note: ca.key is not encrypted; set APPSEAL_CA_PASSPHRASE before 'ca init' to encrypt it\n")
        }
        try printAuthority(try CertificateAuthority.describe(authority.workspace), json: invocation.flag("json"))
        return .ok
    }
)

private let caShowCommand = Command(
    name: "show",
    abstract: "Show the CA certificate, its CRL and every certificate it issued.",
    options: [.flag("json", help: "Print as JSON.")],
    run: { invocation in
        let workspace = try Workspace.open(at: invocation.workspacePath)
        try printAuthority(try CertificateAuthority.describe(workspace), json: invocation.flag("json"))
        return .ok
    }
)

private let caIssueCommand = Command(
    name: "issue",
    abstract: "Issue a client certificate for an app and write it as a PKCS#12 file.",
    discussion: """
    Without --password-file a random password is generated and written, 0600, to <out>.password;
    it is never printed. The certificate carries subjectAltName URI urn:appseal:app:<platform>:<app-id>
    and extendedKeyUsage clientAuth.
    """,
    options: [
        .value("app-id", "id", help: "The app's package name or bundle ID.", required: true),
        .value("out", "file.p12", help: "Where to write the PKCS#12 file.", required: true),
        .value("password-file", "file", help: "Read the PKCS#12 password from this file (first line), or env:NAME."),
        .value("days", "n", help: "Validity in days (default \(CertificateAuthority.defaultClientValidityDays))."),
        .value("key", "type", help: "Client key type: \(keyTypeNames.joined(separator: ", ")) (default ec-p256)."),
        .value("profile", "profile", help: "PKCS#12 encryption: modern (AES-256, default) or compatible (3DES, SHA-1 MAC)."),
        .value("platform", "platform", help: "android (default) or ios."),
        .value("build-id", "id", help: "Record the certificate as issued for this build."),
        .flag("json", help: "Print the result as JSON."),
    ],
    run: { invocation in
        let appID = try invocation.requiredValue("app-id")
        let out = URL(fileURLWithPath: try invocation.requiredValue("out"))
        let days = try invocation.integer("days", default: CertificateAuthority.defaultClientValidityDays, in: 1...36_500)
        let keyType = try enumChoice(invocation, "key", default: KeyType.ecP256)
        let profile = try enumChoice(invocation, "profile", default: PKCS12Bundle.Profile.modern)
        let platform = try enumChoice(invocation, "platform", default: AppPlatform.android)
        guard ClientIdentity.isValidAppID(appID) else {
            throw UsageError(message: "--app-id '\(appID)' must be \(ClientIdentity.allowedAppID)")
        }
        let givenPassword = try Secrets.fromOption("password-file", in: invocation)
        let passwordFile = URL(fileURLWithPath: out.path + ".password")
        // An existing PKCS#12 holds a key that exists nowhere else: never replace it.
        for target in [out] + (givenPassword == nil ? [passwordFile] : []) {
            guard FileManager.default.fileExists(atPath: target.deletingLastPathComponent().path) else {
                throw UsageError(message: "--out: the folder \(target.deletingLastPathComponent().path) does not exist")
            }
            guard !FileManager.default.fileExists(atPath: target.path) else {
                throw UsageError(message: "--out: \(target.path) already exists; choose another path or remove it")
            }
        }

        let workspace = try Workspace.open(at: invocation.workspacePath)
        let authority = try openAuthority(workspace, invocation)
        let credential = try authority.issueClientCertificate(appID: appID, platform: platform,
                                                              buildID: invocation.value("build-id"),
                                                              keyType: keyType, validityDays: days)
        do {
            let password = try givenPassword ?? CredentialPassword.generate()
            let bundle = try credential.pkcs12(password: password, profile: profile)
            if givenPassword == nil {
                try AtomicFile.write(Data((password + "\n").utf8), to: passwordFile, permissions: AtomicFile.secretPermissions)
            }
            try AtomicFile.write(bundle, to: out, permissions: AtomicFile.secretPermissions)
        } catch {
            // The key is gone with this process: a certificate nobody holds must not stay valid.
            if givenPassword == nil { unlink(passwordFile.path) }
            if (try? authority.revoke(serial: credential.serial, reason: .cessationOfOperation)) != nil {
                Output.err("note: certificate \(credential.serial) was revoked because its PKCS#12 could not be written\n")
            }
            throw error
        }

        let record = credential.record
        if invocation.flag("json") {
            try Output.json(IssueSummary(certificate: RecordView(record), pkcs12: out.path, profile: profile.rawValue,
                                         passwordFile: givenPassword == nil ? passwordFile.path : nil))
        } else {
            Output.out("""
            Issued \(record.serial)
              subject      \(record.subject)
              SAN URI      \(record.sanURI)
              SHA-256      \(record.sha256Fingerprint)
              valid        \(iso(record.notBefore)) to \(iso(record.notAfter))
              PKCS#12      \(out.path) (\(profile.rawValue))

            """)
            if givenPassword == nil {
                Output.out("  password     \(passwordFile.path) (0600, generated)\n")
            }
        }
        return .ok
    }
)

private let caRevokeCommand = Command(
    name: "revoke",
    abstract: "Revoke an issued certificate and sign a new CRL listing it.",
    discussion: """
    Then put the new CRL where the server reads it and reload the server:
      appseal server-config --format nginx --out DIR   (or: appseal ca crl --out FILE)
      nginx -s reload
    """,
    arguments: [CommandArgument(name: "serial", help: "The certificate's serial in hex, as 'ca show' prints it.")],
    options: [
        .value("reason", "reason", help: "RFC 5280 reason: \(RevocationReason.assertable.map(\.rawValue).joined(separator: ", ")) (default unspecified)."),
        .flag("json", help: "Print the revoked record as JSON."),
    ],
    run: { invocation in
        let serial = try invocation.requiredArgument("serial")
        var reason = RevocationReason.unspecified
        if let text = invocation.value("reason") {
            guard let parsed = RevocationReason(userText: text) else {
                throw UsageError(message: "--reason must be one of \(RevocationReason.assertable.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            reason = parsed
        }
        guard SerialNumber(hex: serial) != nil else {
            throw UsageError(message: "<serial> must be hexadecimal, got '\(serial)'")
        }
        let workspace = try Workspace.open(at: invocation.workspacePath)
        let authority = try openAuthority(workspace, invocation)
        let record = try authority.revoke(serial: serial, reason: reason)
        if invocation.flag("json") {
            try Output.json(RecordView(record))
        } else {
            Output.out("""
            Revoked \(record.serial) (\(record.appID), \(record.revocationReason?.rawValue ?? "unspecified"))
            New CRL: \(workspace.caDirectory.path)/crl.pem
            Next: put it on the server ('appseal server-config ... --out DIR' or 'appseal ca crl --out FILE') and reload it (nginx -s reload).

            """)
        }
        return .ok
    }
)

private let caCRLCommand = Command(
    name: "crl",
    abstract: "Sign a fresh CRL (new number and next update) and optionally copy it to a file.",
    discussion: "Servers refuse every client once the CRL passes its next update: renew it before then.",
    options: [
        .value("out", "file", help: "Also write the CRL (PEM) to this file."),
        .value("days", "n", help: "Days until the CRL's next update (default \(CertificateAuthority.defaultCRLValidityDays))."),
        .flag("json", help: "Print the CRL's number, revoked count, next update and path as JSON."),
    ],
    run: { invocation in
        let days = try invocation.integer("days", default: CertificateAuthority.defaultCRLValidityDays, in: 1...3650)
        let workspace = try Workspace.open(at: invocation.workspacePath)
        let authority = try openAuthority(workspace, invocation)
        try authority.publishCRL(validityDays: days)
        let served = try CertificateAuthority.servedCRL(workspace)
        if let out = invocation.value("out") {
            try AtomicFile.write(served.pem, to: URL(fileURLWithPath: out))
        }
        let description = try CertificateAuthority.describe(workspace)
        let revoked = description.issued.filter { $0.status == .revoked }.map(\.serial)
        let path = invocation.value("out").map(absolutePath) ?? workspace.caDirectory.path + "/crl.pem"
        if invocation.flag("json") {
            try Output.json(CRLSummary(number: description.crlNumber, revoked: revoked, nextUpdate: served.nextUpdate, path: path))
        } else {
            Output.out("CRL number \(description.crlNumber), \(revoked.count) revoked, next update \(iso(served.nextUpdate))\n")
            Output.out("  \(path)\n")
        }
        return .ok
    }
)

private let caImportCommand = Command(
    name: "import",
    abstract: "Use an existing CA (step-ca, cfssl, an enterprise PKI) as the workspace CA.",
    discussion: """
    The certificate must be a CA allowed to sign certificates and CRLs, valid now, and match the key.
    An intermediate CA needs --chain (its issuers up to the self-signed root) and --parent-crl
    (its issuer's CRL), because nginx and HAProxy check revocation along the whole chain.
    """,
    options: [
        .value("cert", "file", help: "The CA certificate (PEM or DER).", required: true),
        .value("key", "file", help: "Its private key (PEM or DER).", required: true),
        .value("key-password-file", "file", help: "Password of an encrypted --key (file, or env:NAME)."),
        .value("chain", "file", help: "PEM certificates above an intermediate CA, nearest first."),
        .value("parent-crl", "file", help: "The CRL of the intermediate's issuer (PEM)."),
        .flag("json", help: "Print the result as JSON."),
    ],
    run: { invocation in
        let certificate = try readInput(invocation, "cert")
        let key = try readInput(invocation, "key")
        let chain = try invocation.value("chain").map { _ in try readInput(invocation, "chain") }
        let parentCRL = try invocation.value("parent-crl").map { _ in try readInput(invocation, "parent-crl") }
        let keyPassword = try Secrets.fromOption("key-password-file", in: invocation)
        let workspace = try Workspace.open(at: invocation.workspacePath)
        if CertificateAuthority.exists(in: workspace) {
            throw AuthorityError.alreadyInitialized(path: workspace.caDirectory.path)
        }
        let passphrase = try newCAPassphrase(invocation)
        _ = try CertificateAuthority.importExisting(into: workspace, certificatePEM: certificate, keyPEM: key,
                                                   keyPassphrase: keyPassword, chainPEM: chain, parentCRLPEM: parentCRL,
                                                   passphrase: passphrase)
        if passphrase == nil {
            Output.err("note: ca.key is not encrypted; set APPSEAL_CA_PASSPHRASE before 'ca import' to encrypt it\n")
        }
        try printAuthority(try CertificateAuthority.describe(workspace), json: invocation.flag("json"))
        return .ok
    }
)

// MARK: Shared by the CA and server-config commands

/// The passphrase of the CA key: APPSEAL_CA_PASSPHRASE, else a prompt on a terminal.
func openAuthority(_ workspace: Workspace, _ invocation: Invocation) throws -> CertificateAuthority {
    try CertificateAuthority.open(workspace) {
        if let value = invocation.environment["APPSEAL_CA_PASSPHRASE"], !value.isEmpty { return value }
        return try Secrets.prompt("Passphrase of the workspace CA key: ")
    }
}

/// The passphrase for a new CA key, or nil for an unencrypted key.
private func newCAPassphrase(_ invocation: Invocation) throws -> String? {
    if let value = invocation.environment["APPSEAL_CA_PASSPHRASE"], !value.isEmpty { return value }
    let typed = try Secrets.prompt("Passphrase for the new CA key (empty: not encrypted): ", confirm: true)
    return typed?.isEmpty == false ? typed : nil
}

private func readInput(_ invocation: Invocation, _ option: String) throws -> Data {
    let path = try invocation.requiredValue(option)
    guard let data = try WorkspaceJSON.readBytesIfPresent(URL(fileURLWithPath: path), limit: 16 << 20) else {
        throw UsageError(message: "--\(option): \(path) does not exist")
    }
    return data
}

func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

/// An option whose values are an enum's raw values; the usage error lists them all.
func enumChoice<Choice: CaseIterable & RawRepresentable>(_ invocation: Invocation, _ name: String,
                                                         default fallback: Choice) throws -> Choice where Choice.RawValue == String {
    let text = try invocation.choice(name, default: fallback.rawValue, allowed: Choice.allCases.map(\.rawValue))
    return Choice(rawValue: text) ?? fallback
}

func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

/// An issued.json record as the CLI prints it, with its state at this moment.
struct RecordView: Encodable {
    let serial: String
    let state: String
    let appID: String
    let platform: String
    let buildID: String?
    let subject: String
    let sanURI: String
    let sha256Fingerprint: String
    let keyType: String
    let issued: Date
    let notBefore: Date
    let notAfter: Date
    let revoked: Date?
    let revocationReason: String?

    init(_ record: IssuedCertificateRecord) {
        serial = record.serial
        state = record.state()
        appID = record.appID
        platform = record.platform.rawValue
        buildID = record.buildID
        subject = record.subject
        sanURI = record.sanURI
        sha256Fingerprint = record.sha256Fingerprint
        keyType = record.keyType
        issued = record.issued
        notBefore = record.notBefore
        notAfter = record.notAfter
        revoked = record.revoked
        revocationReason = record.revocationReason?.rawValue
    }
}

private struct CRLSummary: Encodable {
    let number: Int
    let revoked: [String]
    let nextUpdate: Date
    let path: String
}

private struct IssueSummary: Encodable {
    let certificate: RecordView
    let pkcs12: String
    let profile: String
    let passwordFile: String?
}

private struct AuthorityView: Encodable {
    struct CertificateView: Encodable {
        let subject: String
        let issuer: String
        let serial: String
        let keyType: String
        let notBefore: Date
        let notAfter: Date
        let sha256Fingerprint: String
        let spkiPin: String
    }
    struct CRLView: Encodable {
        let number: Int
        let nextUpdate: Date?
        let revoked: Int
    }
    let certificate: CertificateView
    let chain: [CertificateView]
    let keyEncrypted: Bool
    let crl: CRLView
    let issued: [RecordView]
}

private func view(_ certificate: Certificate) -> AuthorityView.CertificateView {
    AuthorityView.CertificateView(
        subject: certificate.subject.rfc2253, issuer: certificate.issuer.rfc2253, serial: certificate.serialNumber.hex,
        keyType: certificate.keyAlgorithm.keyType?.rawValue ?? "\(certificate.keyAlgorithm)",
        notBefore: certificate.notBefore, notAfter: certificate.notAfter,
        sha256Fingerprint: certificate.sha256Fingerprint.colonHex, spkiPin: certificate.spkiPin)
}

private func printAuthority(_ description: AuthorityDescription, json: Bool) throws {
    warnAboutExpiry(description)
    let revokedCount = description.issued.filter { $0.status == .revoked }.count
    if json {
        try Output.json(AuthorityView(
            certificate: view(description.certificate), chain: description.chain.map(view),
            keyEncrypted: description.keyIsEncrypted,
            crl: .init(number: description.crlNumber, nextUpdate: description.crlNextUpdate, revoked: revokedCount),
            issued: description.issued.map(RecordView.init)))
        return
    }
    let ca = view(description.certificate)
    var text = """
    Certificate authority \(ca.subject)
      key          \(ca.keyType), \(description.keyIsEncrypted ? "encrypted" : "not encrypted")
      valid        \(iso(ca.notBefore)) to \(iso(ca.notAfter))
      serial       \(ca.serial)
      SHA-256      \(ca.sha256Fingerprint)
      SPKI pin     \(ca.spkiPin)

    """
    for parent in description.chain.map(view) {
        text += "  issued by    \(parent.subject) (SHA-256 \(parent.sha256Fingerprint))\n"
    }
    text += "  CRL          number \(description.crlNumber), \(revokedCount) revoked, next update \(description.crlNextUpdate.map(iso) ?? "none")\n"
    text += "\nIssued certificates: \(description.issued.count)\n"
    if !description.issued.isEmpty {
        let rows = description.issued.map { record in
            [record.serial, record.state(), record.platform.rawValue, record.appID, record.buildID ?? "-", iso(record.notAfter)]
        }
        let header = ["SERIAL", "STATE", "PLATFORM", "APP", "BUILD", "NOT AFTER"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            text += "  " + row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }
    }
    Output.out(text)
}

/// Servers refuse every client once the CRL or the CA has expired: say so while there is time.
func warnAboutExpiry(_ description: AuthorityDescription, now: Date = Date()) {
    let week: TimeInterval = 7 * 86_400
    if let next = description.crlNextUpdate, next.timeIntervalSince(now) < week {
        let when = next < now ? "passed its next update at" : "reaches its next update at"
        Output.err("warning: the CRL \(when) \(iso(next)); servers refuse every client after it. Run 'appseal ca crl'.\n")
    }
    let caEnd = description.certificate.notAfter
    if caEnd.timeIntervalSince(now) < 30 * 86_400 {
        Output.err("warning: the CA certificate expires at \(iso(caEnd)); every client certificate stops working with it.\n")
    }
}

// MARK: Errors as the CLI reports them

extension WorkspaceError: ReportableError {
    var exitCode: ExitCode {
        switch self {
        case .writeFailed, .lockFailed: return .failed
        default: return .invalidInput
        }
    }
    var message: String { description }
}

extension AuthorityError: ReportableError {
    var exitCode: ExitCode {
        switch self {
        case .crypto: return .internalError
        case let .workspace(error): return error.exitCode
        default: return .invalidInput
        }
    }
    var message: String { description }
}

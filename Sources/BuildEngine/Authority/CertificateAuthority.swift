import CryptoCore
import Foundation

/// A client certificate just issued: its key, certificate and chain, ready to be packed into a
/// PKCS#12 or embedded. The key exists only in memory until the caller writes it.
public struct IssuedCredential: Sendable {
    public let privateKey: PrivateKey
    public let certificate: Certificate
    /// The issuing CA and any certificates above it, nearest first.
    public let chain: [Certificate]
    public let record: IssuedCertificateRecord
    public let identity: ClientIdentity

    public var serial: String { record.serial }
}

/// What anyone may know about the workspace CA without its key (`ca show`, `server-config`).
public struct AuthorityDescription: Sendable {
    public let certificate: Certificate
    /// Certificates above the CA when it is an imported intermediate, nearest first.
    public let chain: [Certificate]
    public let keyIsEncrypted: Bool
    public let issued: [IssuedCertificateRecord]
    public let crlNumber: Int
    public let crlNextUpdate: Date?
    /// The CA certificate followed by its chain, PEM: the server's trust bundle.
    public var bundlePEM: Data { Data(([certificate] + chain).map(\.pem).joined().utf8) }
}

/// The workspace certificate authority (`ca/` of DESIGN.md): issues per-app client
/// certificates, records each in `issued.json`, revokes them and signs the CRL. Every change
/// to `ca/` happens under the workspace lock "ca", so concurrent appseal processes issue and
/// revoke without losing records.
public final class CertificateAuthority: Sendable {
    public static let defaultValidityDays = 3650
    public static let defaultClientValidityDays = 365
    public static let defaultCRLValidityDays = 30
    public static let validityRule = "from 1 to 36500 days"

    public let workspace: Workspace
    public let certificate: Certificate
    public let chain: [Certificate]
    private let key: PrivateKey

    private init(workspace: Workspace, certificate: Certificate, chain: [Certificate], key: PrivateKey) {
        self.workspace = workspace
        self.certificate = certificate
        self.chain = chain
        self.key = key
    }

    // MARK: Files

    struct Files {
        let directory: URL
        var certificate: URL { directory.appendingPathComponent("ca.pem") }
        var chain: URL { directory.appendingPathComponent("chain.pem") }
        var key: URL { directory.appendingPathComponent("ca.key") }
        var issued: URL { directory.appendingPathComponent("issued.json") }
        var crl: URL { directory.appendingPathComponent("crl.pem") }
        var parentCRL: URL { directory.appendingPathComponent("parent-crl.pem") }
    }

    static func files(_ workspace: Workspace) -> Files { Files(directory: workspace.caDirectory) }
    var files: Files { Self.files(workspace) }

    public static func exists(in workspace: Workspace) -> Bool {
        FileManager.default.fileExists(atPath: files(workspace).certificate.path)
    }

    // MARK: Creating

    /// `ca init`: a new self-signed CA. The key is encrypted with `passphrase` when one is given.
    public static func initialize(in workspace: Workspace, keyType: KeyType = .ecP256, subject: String? = nil,
                                  validityDays: Int = defaultValidityDays,
                                  passphrase: String? = nil, now: Date = Date()) throws(AuthorityError) -> CertificateAuthority {
        guard (1...36_500).contains(validityDays) else {
            throw .invalidValidity(days: validityDays, allowed: validityRule)
        }
        let name: DistinguishedName
        if let subject {
            do {
                name = try DistinguishedName(subject)
            } catch {
                throw .invalidSubject(subject, reason: "\(error)")
            }
        } else {
            name = try crypto("CA subject") {
                try DistinguishedName("CN=appseal workspace CA \(try SerialNumber.random().hex.prefix(8)),O=appseal")
            }
        }
        let key = try crypto("CA key generation") { try PrivateKey.generate(keyType) }
        let certificate = try crypto("CA certificate") {
            let builder = try CertificateBuilder(subject: name, publicKey: key.publicKey,
                                                 profile: .certificateAuthority(pathLength: 0),
                                                 validityDays: validityDays, notBefore: now)
            return try builder.selfSigned(with: key)
        }
        return try install(in: workspace, certificate: certificate, chain: [], key: key,
                           passphrase: passphrase, parentCRL: nil, now: now)
    }

    /// `ca import`: an existing CA (step-ca, cfssl, an enterprise PKI). The certificate must be a
    /// CA allowed to sign certificates and CRLs, currently valid, and match the key. An
    /// intermediate needs its chain up to a self-signed root, and the parent's CRL, because
    /// nginx and HAProxy check revocation along the whole chain.
    public static func importExisting(into workspace: Workspace, certificatePEM: Data, keyPEM: Data,
                                      keyPassphrase: String? = nil, chainPEM: Data? = nil, parentCRLPEM: Data? = nil,
                                      passphrase: String? = nil, now: Date = Date()) throws(AuthorityError) -> CertificateAuthority {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemOrDER: certificatePEM)
        } catch {
            throw .importRejected(reason: "the certificate cannot be read: \(error)")
        }
        let key: PrivateKey
        do {
            key = try PrivateKey(pemOrDER: keyPEM, passphrase: keyPassphrase)
        } catch let error as CryptoError where error.code == .wrongPassword {
            throw .importRejected(reason: "the key is encrypted and the key password is missing or wrong")
        } catch {
            throw .importRejected(reason: "the key cannot be read: \(error)")
        }
        guard key.publicKey == certificate.publicKey else {
            throw .importRejected(reason: "the key does not belong to the certificate '\(certificate.subject)'")
        }
        guard certificate.extensions.basicConstraints?.isCA == true else {
            throw .importRejected(reason: "'\(certificate.subject)' is not a CA certificate (basicConstraints CA:TRUE is missing)")
        }
        if let usage = certificate.extensions.keyUsage, !usage.contains(.keyCertSign) || !usage.contains(.cRLSign) {
            throw .importRejected(reason: "'\(certificate.subject)' may not sign certificates and CRLs (keyUsage is \(usage))")
        }
        guard certificate.isValid(at: now) else {
            throw .importRejected(reason: "'\(certificate.subject)' is not valid now (valid \(iso(certificate.notBefore)) to \(iso(certificate.notAfter)))")
        }
        var chain: [Certificate] = []
        if let chainPEM {
            do {
                chain = try Certificate.all(inPEM: chainPEM)
            } catch {
                throw .importRejected(reason: "the chain cannot be read: \(error)")
            }
        }
        try checkChain(certificate, chain)
        var parentCRL: Data?
        if !chain.isEmpty {
            guard let parentCRLPEM else {
                throw .importRejected(reason: "an intermediate CA needs the CRL of its issuer '\(certificate.issuer)' (--parent-crl), since servers check revocation along the whole chain")
            }
            try checkParentCRL(parentCRLPEM, issuer: chain[0], now: now)
            parentCRL = parentCRLPEM
        }
        return try install(in: workspace, certificate: certificate, chain: chain, key: key,
                           passphrase: passphrase, parentCRL: parentCRL, now: now)
    }

    private static func checkChain(_ certificate: Certificate, _ chain: [Certificate]) throws(AuthorityError) {
        if chain.isEmpty {
            guard certificate.isSelfIssued, certificate.isIssued(by: certificate) else {
                throw .importRejected(reason: "'\(certificate.subject)' is issued by '\(certificate.issuer)'; give that chain up to its root with --chain")
            }
            return
        }
        var child = certificate
        for parent in chain {
            guard child.isIssued(by: parent) else {
                throw .importRejected(reason: "the chain is broken: '\(child.subject)' is not signed by '\(parent.subject)'")
            }
            guard parent.extensions.basicConstraints?.isCA == true else {
                throw .importRejected(reason: "'\(parent.subject)' in the chain is not a CA certificate")
            }
            child = parent
        }
        guard child.isSelfIssued, child.isIssued(by: child) else {
            throw .importRejected(reason: "the chain ends at '\(child.subject)', which is not a self-signed root")
        }
    }

    private static func install(in workspace: Workspace, certificate: Certificate, chain: [Certificate], key: PrivateKey,
                                passphrase: String?, parentCRL: Data?, now: Date) throws(AuthorityError) -> CertificateAuthority {
        let files = files(workspace)
        let keyPEM = try crypto("CA key export") {
            if let passphrase, !passphrase.isEmpty { return try key.pemEncoded(passphrase: passphrase) }
            return try key.pemEncoded()
        }
        let authority = CertificateAuthority(workspace: workspace, certificate: certificate, chain: chain, key: key)
        try locked(workspace) { () throws(AuthorityError) in
            guard !FileManager.default.fileExists(atPath: files.certificate.path),
                  !FileManager.default.fileExists(atPath: files.key.path) else {
                throw .alreadyInitialized(path: files.directory.path)
            }
            try workspaceStep { () throws(WorkspaceError) in try workspace.ensureDirectory(files.directory, permissions: 0o700) }
            do throws(AuthorityError) {
                // The certificate last: until it exists the CA does not count as initialized.
                try workspaceStep { () throws(WorkspaceError) in
                    try AtomicFile.write(Data(keyPEM.utf8), to: files.key, permissions: AtomicFile.secretPermissions)
                    if !chain.isEmpty {
                        try AtomicFile.write(Data(chain.map(\.pem).joined().utf8), to: files.chain)
                    }
                    if let parentCRL { try AtomicFile.write(parentCRL, to: files.parentCRL) }
                }
                var registry = IssuedRegistry.empty
                try authority.signCRL(&registry, validityDays: defaultCRLValidityDays, now: now)
                try workspaceStep { () throws(WorkspaceError) in
                    try AtomicFile.write(Data(certificate.pem.utf8), to: files.certificate)
                }
            } catch {
                // A half-made CA would block the next `ca init`: take back what was written.
                for file in [files.key, files.chain, files.parentCRL, files.issued, files.crl, files.certificate] {
                    unlink(file.path)
                }
                throw error
            }
        }
        return authority
    }

    // MARK: Opening

    /// Reads what needs no key: the certificate, chain, records and CRL facts.
    public static func describe(_ workspace: Workspace) throws(AuthorityError) -> AuthorityDescription {
        let files = files(workspace)
        let (certificate, chain) = try readCertificates(files)
        let keyText = try workspaceStep { () throws(WorkspaceError) in try WorkspaceJSON.readBytesIfPresent(files.key, limit: 1 << 20) }
        guard let keyText else { throw .inconsistent(path: files.key.path, reason: "the CA key is missing") }
        let registry = try workspaceStep { () throws(WorkspaceError) in try IssuedRegistry.load(from: files.issued) }
        let crlNextUpdate = try currentCRL(files).map(\.nextUpdate)
        return AuthorityDescription(certificate: certificate, chain: chain,
                                    keyIsEncrypted: isEncryptedPEM(keyText), issued: registry.certificates,
                                    crlNumber: registry.crlNumber, crlNextUpdate: crlNextUpdate)
    }

    /// Opens the CA with its key. `passphrase` is asked only when the key is encrypted; nil from
    /// it means none is available, which is a clear error rather than a hang.
    public static func open(_ workspace: Workspace,
                            passphrase: () throws -> String?) throws -> CertificateAuthority {
        let files = files(workspace)
        let (certificate, chain) = try readCertificates(files)
        guard let keyPEM = try WorkspaceJSON.readBytesIfPresent(files.key, limit: 1 << 20) else {
            throw AuthorityError.inconsistent(path: files.key.path, reason: "the CA key is missing")
        }
        // Like ssh with a private key: a CA key others can read is not used.
        var status = stat()
        if stat(files.key.path, &status) == 0, status.st_mode & 0o077 != 0 {
            throw AuthorityError.keyExposed(path: files.key.path, mode: String(status.st_mode & 0o777, radix: 8))
        }
        var secret: String?
        if isEncryptedPEM(keyPEM) {
            guard let given = try passphrase(), !given.isEmpty else {
                throw AuthorityError.passphraseRequired(path: files.key.path)
            }
            secret = given
        }
        let key: PrivateKey
        do {
            key = try PrivateKey(pem: keyPEM, passphrase: secret)
        } catch let error as CryptoError where error.code == .wrongPassword || secret != nil {
            throw AuthorityError.wrongPassphrase(path: files.key.path)
        } catch {
            throw AuthorityError.inconsistent(path: files.key.path, reason: "the CA key cannot be read: \(error)")
        }
        guard key.publicKey == certificate.publicKey else {
            throw AuthorityError.inconsistent(path: files.key.path, reason: "the CA key does not belong to \(files.certificate.path)")
        }
        return CertificateAuthority(workspace: workspace, certificate: certificate, chain: chain, key: key)
    }

    private static func readCertificates(_ files: Files) throws(AuthorityError) -> (Certificate, [Certificate]) {
        let pem = try workspaceStep { () throws(WorkspaceError) in try WorkspaceJSON.readBytesIfPresent(files.certificate, limit: 1 << 20) }
        guard let pem else { throw .notInitialized(path: files.certificate.path) }
        let certificate = try crypto("reading \(files.certificate.path)") { try Certificate(pem: pem) }
        let chainPEM = try workspaceStep { () throws(WorkspaceError) in try WorkspaceJSON.readBytesIfPresent(files.chain, limit: 1 << 20) }
        let chain = try chainPEM.map { data throws(AuthorityError) in
            try crypto("reading \(files.chain.path)") { try Certificate.all(inPEM: data) }
        } ?? []
        return (certificate, chain)
    }

    static func isEncryptedPEM(_ pem: Data) -> Bool {
        let text = String(decoding: pem.prefix(4096), as: UTF8.self)
        return text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
    }

    // MARK: Issuing

    /// Issues a client certificate for one app, valid from now for `validityDays`, and records it.
    public func issueClientCertificate(appID: String, platform: AppPlatform, buildID: String? = nil,
                                       keyType: KeyType = .ecP256,
                                       validityDays: Int = defaultClientValidityDays) throws(AuthorityError) -> IssuedCredential {
        guard (1...36_500).contains(validityDays) else {
            throw .invalidValidity(days: validityDays, allowed: Self.validityRule)
        }
        let start = WorkspaceJSON.timestamp()
        return try issueClientCertificate(identity: ClientIdentity(appID: appID, platform: platform), buildID: buildID,
                                          keyType: keyType,
                                          validity: DateInterval(start: start, duration: TimeInterval(validityDays) * 86_400))
    }

    /// The general form with an explicit validity window (a window in the past gives an expired
    /// certificate, which tests use to prove servers refuse it). The window must lie within the
    /// CA certificate's own validity.
    public func issueClientCertificate(identity: ClientIdentity, buildID: String?, keyType: KeyType,
                                       validity: DateInterval) throws(AuthorityError) -> IssuedCredential {
        if let buildID {
            do { try Workspace.checkFileName(buildID, kind: "build ID") } catch { throw .workspace(error) }
        }
        guard validity.start >= certificate.notBefore, validity.end <= certificate.notAfter else {
            throw .invalidValidity(days: Int(validity.duration / 86_400),
                                   allowed: "the certificate must fall within the CA's validity, \(Self.iso(certificate.notBefore)) to \(Self.iso(certificate.notAfter))")
        }
        let clientKey = try Self.crypto("client key generation") { try PrivateKey.generate(keyType) }
        let subject = try Self.crypto("client subject") { try DistinguishedName(identity.subjectRFC2253) }
        return try Self.locked(workspace) { () throws(AuthorityError) in
            var registry = try Self.workspaceStep { () throws(WorkspaceError) in try IssuedRegistry.load(from: files.issued) }
            var issued: Certificate
            repeat {
                issued = try Self.crypto("client certificate") {
                    var builder = try CertificateBuilder(subject: subject, publicKey: clientKey.publicKey,
                                                         profile: .clientAuthentication, validityDays: 1,
                                                         subjectAlternativeNames: [.uri(identity.uri)])
                    builder.notBefore = validity.start
                    builder.notAfter = validity.end
                    return try builder.signed(by: certificate, key: key)
                }
            } while registry.index(ofSerial: issued.serialNumber.hex) != nil
            let record = IssuedCertificateRecord(
                serial: issued.serialNumber.hex, appID: identity.appID, platform: identity.platform, buildID: buildID,
                subject: issued.subject.rfc2253, sanURI: identity.uri, sha256Fingerprint: issued.sha256Fingerprint.colonHex,
                keyType: keyType.rawValue, issued: WorkspaceJSON.timestamp(), notBefore: issued.notBefore,
                notAfter: issued.notAfter, status: .valid, revoked: nil, revocationReason: nil)
            registry.certificates.append(record)
            try Self.workspaceStep { () throws(WorkspaceError) in try registry.save(to: files.issued) }
            return IssuedCredential(privateKey: clientKey, certificate: issued, chain: [certificate] + chain,
                                    record: record, identity: identity)
        }
    }

    // MARK: Revoking

    /// Marks the certificate revoked in issued.json and signs a new CRL listing it.
    @discardableResult
    public func revoke(serial: String, reason: RevocationReason = .unspecified,
                       now: Date = Date()) throws(AuthorityError) -> IssuedCertificateRecord {
        try Self.locked(workspace) { () throws(AuthorityError) in
            var registry = try Self.workspaceStep { () throws(WorkspaceError) in try IssuedRegistry.load(from: files.issued) }
            guard let index = registry.index(ofSerial: serial) else { throw .unknownSerial(serial) }
            guard registry.certificates[index].status == .valid else {
                throw .alreadyRevoked(serial: registry.certificates[index].serial)
            }
            registry.certificates[index].status = .revoked
            registry.certificates[index].revoked = WorkspaceJSON.timestamp(now)
            registry.certificates[index].revocationReason = reason
            try signCRL(&registry, validityDays: Self.defaultCRLValidityDays, now: now)
            return registry.certificates[index]
        }
    }

    /// Signs a fresh CRL (new number, next update `validityDays` from now) and returns its PEM.
    @discardableResult
    public func publishCRL(validityDays: Int = defaultCRLValidityDays, now: Date = Date()) throws(AuthorityError) -> Data {
        guard (1...3650).contains(validityDays) else {
            throw .invalidValidity(days: validityDays, allowed: "a CRL is valid from 1 to 3650 days")
        }
        return try Self.locked(workspace) { () throws(AuthorityError) in
            var registry = try Self.workspaceStep { () throws(WorkspaceError) in try IssuedRegistry.load(from: files.issued) }
            return try signCRL(&registry, validityDays: validityDays, now: now)
        }
    }

    /// Signs the CRL for `registry` (bumping its number), then writes issued.json and crl.pem.
    /// The caller holds the "ca" lock.
    @discardableResult
    private func signCRL(_ registry: inout IssuedRegistry, validityDays: Int, now: Date) throws(AuthorityError) -> Data {
        registry.crlNumber += 1
        let revoked = registry.certificates.filter { $0.status == .revoked }
        let pem = try RevocationListSigner.sign(issuer: certificate, key: key, number: registry.crlNumber,
                                                revoked: revoked, thisUpdate: now,
                                                nextUpdate: now.addingTimeInterval(TimeInterval(validityDays) * 86_400))
        let snapshot = registry
        try Self.workspaceStep { () throws(WorkspaceError) in
            // The registry first: if writing the CRL fails, `ca crl` re-signs from it.
            try snapshot.save(to: files.issued)
            try AtomicFile.write(pem, to: files.crl)
        }
        return pem
    }

    /// The CRL servers should load now (see `servedCRL`).
    public func currentCRL() throws(AuthorityError) -> (pem: Data, nextUpdate: Date) {
        try Self.servedCRL(workspace)
    }

    /// The CRL as served: this CA's list, followed by the parent's for an imported intermediate.
    public static func servedCRL(_ workspace: Workspace) throws(AuthorityError) -> (pem: Data, nextUpdate: Date) {
        let files = files(workspace)
        guard let current = try currentCRL(files) else {
            throw .inconsistent(path: files.crl.path, reason: "the CRL is missing; run 'appseal ca crl'")
        }
        var pem = current.pem
        if let parent = try workspaceStep({ () throws(WorkspaceError) in try WorkspaceJSON.readBytesIfPresent(files.parentCRL, limit: 64 << 20) }) {
            pem.append(parent)
        }
        return (pem, current.nextUpdate)
    }

    private static func currentCRL(_ files: Files) throws(AuthorityError) -> (pem: Data, nextUpdate: Date)? {
        let pem = try workspaceStep { () throws(WorkspaceError) in try WorkspaceJSON.readBytesIfPresent(files.crl, limit: 64 << 20) }
        guard let pem else { return nil }
        let nextUpdate = try RevocationListSigner.nextUpdate(ofPEM: pem, path: files.crl.path)
        return (pem, nextUpdate)
    }

    private static func checkParentCRL(_ pem: Data, issuer: Certificate, now: Date) throws(AuthorityError) {
        do {
            try RevocationListSigner.checkIssued(pem, by: issuer, now: now)
        } catch {
            throw .importRejected(reason: "the parent CRL: \(error)")
        }
    }

    public func records() throws(AuthorityError) -> [IssuedCertificateRecord] {
        try Self.workspaceStep { () throws(WorkspaceError) in try IssuedRegistry.load(from: files.issued) }.certificates
    }

    // MARK: Helpers

    private static func locked<T>(_ workspace: Workspace, _ body: () throws(AuthorityError) -> T) throws(AuthorityError) -> T {
        do {
            return try workspace.withLock(named: "ca") { try body() }
        } catch let error as AuthorityError {
            throw error
        } catch let error as WorkspaceError {
            throw .workspace(error)
        } catch {
            throw .inconsistent(path: workspace.caDirectory.path, reason: "\(error)")
        }
    }

    static func workspaceStep<T>(_ body: () throws(WorkspaceError) -> T) throws(AuthorityError) -> T {
        do { return try body() } catch { throw .workspace(error) }
    }

    static func crypto<T>(_ operation: String, _ body: () throws -> T) throws(AuthorityError) -> T {
        do {
            return try body()
        } catch let error as AuthorityError {
            throw error
        } catch {
            throw .crypto(operation: operation, reason: "\(error)")
        }
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

extension IssuedCredential {
    /// The credential as a PKCS#12 file (key, certificate, chain), named after the app.
    public func pkcs12(password: String, profile: PKCS12Bundle.Profile = .modern) throws(AuthorityError) -> Data {
        try CertificateAuthority.crypto("PKCS#12 export") {
            try PKCS12Bundle(privateKey: privateKey, certificate: certificate, chain: chain,
                             friendlyName: "appseal \(record.platform.rawValue) \(record.appID)")
                .encoded(password: password, profile: profile)
        }
    }
}

/// Passwords appseal makes for PKCS#12 files: 192 random bits as 32 URL-safe base64 characters,
/// which every keystore reader accepts (no quotes, spaces or non-ASCII).
public enum CredentialPassword {
    public static func generate() throws(AuthorityError) -> String {
        let bytes = try CertificateAuthority.crypto("password generation") { try SecureRandom.bytes(24) }
        return bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }
}

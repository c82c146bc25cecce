import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// The workspace CA in-process, checked with the openssl command line.
@Suite("Certificate authority")
struct AuthorityTests {
    private func permissions(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    private func openssl(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run("openssl", arguments)
    }

    @Test func initWritesACAThatOpenSSLAccepts() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.initialize(in: workspace, keyType: .ecP384, subject: "CN=Example Mobile CA,O=Example")
        let ca = workspace.caDirectory
        #expect(try permissions(ca.appendingPathComponent("ca.key")) == 0o600)
        #expect(try permissions(ca) == 0o700)
        for name in ["ca.pem", "ca.key", "issued.json", "crl.pem"] {
            #expect(FileManager.default.fileExists(atPath: ca.appendingPathComponent(name).path), "missing \(name)")
        }
        let text = try openssl(["x509", "-in", ca.appendingPathComponent("ca.pem").path, "-noout", "-text"])
        #expect(text.stdout.contains("CA:TRUE"))
        #expect(text.stdout.contains("Certificate Sign, CRL Sign"))
        #expect(text.stdout.contains("Subject: O = Example, CN = Example Mobile CA"))
        #expect(text.stdout.contains("NIST CURVE: P-384"))
        let verify = try openssl(["verify", "-CAfile", ca.appendingPathComponent("ca.pem").path, ca.appendingPathComponent("ca.pem").path])
        #expect(verify.succeeded, "\(verify.combined)")
        let crl = try openssl(["crl", "-in", ca.appendingPathComponent("crl.pem").path, "-noout", "-text"])
        #expect(crl.stdout.contains("No Revoked Certificates"))
        #expect(authority.certificate.subject.rfc2253 == "CN=Example Mobile CA,O=Example")

        let again = #expect(throws: AuthorityError.self) { try CertificateAuthority.initialize(in: workspace) }
        #expect(again == .alreadyInitialized(path: ca.path))
        #expect(try CertificateAuthority.open(workspace) { nil }.certificate == authority.certificate)
    }

    @Test func encryptedKeyNeedsTheRightPassphrase() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        _ = try CertificateAuthority.initialize(in: workspace, passphrase: "correct horse battery")
        let keyFile = workspace.caDirectory.appendingPathComponent("ca.key")
        let keyText = try String(contentsOf: keyFile, encoding: .utf8)
        #expect(keyText.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(try CertificateAuthority.describe(workspace).keyIsEncrypted)

        let missing = #expect(throws: AuthorityError.self) { try CertificateAuthority.open(workspace) { nil } }
        #expect(missing == .passphraseRequired(path: keyFile.path))
        let wrong = #expect(throws: AuthorityError.self) { try CertificateAuthority.open(workspace) { "wrong" } }
        #expect(wrong == .wrongPassphrase(path: keyFile.path))
        let opened = try CertificateAuthority.open(workspace) { "correct horse battery" }
        _ = try opened.issueClientCertificate(appID: "com.example.app", platform: .android)

        // A key others could read is refused, as ssh refuses such private keys.
        chmod(keyFile.path, 0o644)
        let exposed = #expect(throws: AuthorityError.self) { try CertificateAuthority.open(workspace) { "correct horse battery" } }
        #expect(exposed == .keyExposed(path: keyFile.path, mode: "644"))
        chmod(keyFile.path, 0o600)

        // openssl opens it with the same passphrase (given through a file, not argv).
        try "correct horse battery\n".write(toFile: folder.path("pass"), atomically: true, encoding: .utf8)
        let pkey = try openssl(["pkey", "-in", keyFile.path, "-passin", "file:" + folder.path("pass"), "-noout"])
        #expect(pkey.succeeded, "\(pkey.combined)")
    }

    @Test(arguments: [KeyType.ecP256, .ecP384, .rsa2048])
    func issuedCertificateCarriesTheAppIdentityAndVerifies(keyType: KeyType) throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.initialize(in: workspace)
        let credential = try authority.issueClientCertificate(appID: "com.example.app", platform: .ios,
                                                              buildID: "build-42", keyType: keyType, validityDays: 90)
        let leaf = folder.url.appendingPathComponent("leaf.pem")
        try credential.certificate.pem.write(to: leaf, atomically: true, encoding: .utf8)
        let text = try openssl(["x509", "-in", leaf.path, "-noout", "-text", "-fingerprint", "-sha256", "-serial"]).stdout
        #expect(text.contains("URI:urn:appseal:app:ios:com.example.app"))
        #expect(text.contains("TLS Web Client Authentication"))
        #expect(text.contains("CA:FALSE"))
        #expect(text.contains("Subject: O = appseal client, OU = ios, CN = com.example.app"))
        #expect(text.contains("sha256 Fingerprint=\(credential.record.sha256Fingerprint)"))
        #expect(text.contains("serial=\(credential.serial)"))
        let verify = try openssl(["verify", "-purpose", "sslclient", "-CAfile",
                                  workspace.caDirectory.appendingPathComponent("ca.pem").path, leaf.path])
        #expect(verify.succeeded, "\(verify.combined)")
        #expect(credential.certificate.notAfter.timeIntervalSince(credential.certificate.notBefore) == 90 * 86_400)

        let records = try authority.records()
        #expect(records.count == 1)
        #expect(records.first == credential.record)
        #expect(credential.record.buildID == "build-42")
        #expect(credential.record.keyType == keyType.rawValue)
        #expect(credential.record.state() == "valid")
    }

    @Test func validityMustFitTheCAAndNamesMustBeSafe() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.initialize(in: workspace, validityDays: 30)
        #expect(throws: AuthorityError.self) {
            try authority.issueClientCertificate(appID: "com.example.app", platform: .android, validityDays: 31)
        }
        #expect(throws: AuthorityError.self) {
            try authority.issueClientCertificate(appID: "com.example.app", platform: .android, validityDays: 0)
        }
        for bad in ["", "has space", "comma,app", "slash/app", String(repeating: "a", count: 201)] {
            let error = #expect(throws: AuthorityError.self) {
                try authority.issueClientCertificate(appID: bad, platform: .android)
            }
            #expect(error == .invalidAppID(bad, allowed: ClientIdentity.allowedAppID))
        }
        #expect(throws: AuthorityError.self) {
            try authority.issueClientCertificate(appID: "com.example.app", platform: .android, buildID: "../escape")
        }
        #expect(try authority.records().isEmpty, "refused requests record nothing")
    }

    @Test func revocationIsRecordedAndListedInTheCRL() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.initialize(in: workspace)
        let revoked = try authority.issueClientCertificate(appID: "com.example.app", platform: .android)
        let kept = try authority.issueClientCertificate(appID: "com.example.app", platform: .android)
        let before = try CertificateAuthority.describe(workspace).crlNumber

        // Serials match as numbers: lowercase with colons is the same serial.
        let spelled = stride(from: 0, to: revoked.serial.count, by: 2).map { offset -> String in
            let start = revoked.serial.index(revoked.serial.startIndex, offsetBy: offset)
            return String(revoked.serial[start..<revoked.serial.index(start, offsetBy: 2)]).lowercased()
        }.joined(separator: ":")
        let record = try authority.revoke(serial: spelled, reason: .keyCompromise)
        #expect(record.status == .revoked)
        #expect(record.revocationReason == .keyCompromise)
        #expect(record.revoked != nil)

        let description = try CertificateAuthority.describe(workspace)
        #expect(description.crlNumber == before + 1)
        #expect(description.issued.first { $0.serial == kept.serial }?.status == .valid)
        let crlPath = workspace.caDirectory.appendingPathComponent("crl.pem").path
        let crl = try openssl(["crl", "-in", crlPath, "-noout", "-text"]).stdout
        #expect(crl.contains("Serial Number: \(revoked.serial)"))
        #expect(crl.contains("Key Compromise"))
        #expect(!crl.contains(kept.serial))
        #expect(crl.contains("X509v3 CRL Number: \n                \(before + 1)") || crl.contains("\(before + 1)\n"))

        let caPath = workspace.caDirectory.appendingPathComponent("ca.pem").path
        for (credential, shouldPass) in [(revoked, false), (kept, true)] {
            let leaf = folder.url.appendingPathComponent("\(credential.serial).pem")
            try credential.certificate.pem.write(to: leaf, atomically: true, encoding: .utf8)
            let verify = try openssl(["verify", "-crl_check", "-CRLfile", crlPath, "-CAfile", caPath, leaf.path])
            #expect(verify.succeeded == shouldPass, "\(verify.combined)")
            if !shouldPass { #expect(verify.combined.contains("certificate revoked")) }
        }

        #expect(throws: AuthorityError.alreadyRevoked(serial: revoked.serial)) { try authority.revoke(serial: revoked.serial) }
        #expect(throws: AuthorityError.unknownSerial("ABCDEF")) { try authority.revoke(serial: "ABCDEF") }
    }

    @Test func crlRenewalRaisesTheNumberAndMovesNextUpdate() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.initialize(in: workspace)
        let first = try CertificateAuthority.describe(workspace)
        try authority.publishCRL(validityDays: 2)
        let second = try CertificateAuthority.describe(workspace)
        #expect(second.crlNumber == first.crlNumber + 1)
        let expected = WorkspaceJSON.timestamp().addingTimeInterval(2 * 86_400)
        #expect(abs((second.crlNextUpdate ?? .distantPast).timeIntervalSince(expected)) < 5)
        #expect(throws: AuthorityError.self) { try authority.publishCRL(validityDays: 0) }
    }

    @Test(arguments: [PKCS12Bundle.Profile.modern, .compatible])
    func pkcs12OpensInOpenSSLWithItsPassword(profile: PKCS12Bundle.Profile) throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.initialize(in: workspace)
        let credential = try authority.issueClientCertificate(appID: "com.example.app", platform: .android)
        let password = try CredentialPassword.generate()
        #expect(password.count == 32)
        #expect(password.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let p12 = folder.url.appendingPathComponent("client.p12")
        try credential.pkcs12(password: password, profile: profile).write(to: p12)
        try (password + "\n").write(toFile: folder.path("pw"), atomically: true, encoding: .utf8)
        let info = try openssl(["pkcs12", "-info", "-noout", "-in", p12.path, "-passin", "file:" + folder.path("pw")])
        #expect(info.succeeded, "\(info.combined)")
        switch profile {
        case .modern:
            #expect(info.combined.contains("AES-256-CBC"))
            #expect(info.combined.contains("MAC: sha256"))
        case .compatible:
            #expect(info.combined.contains("pbeWithSHA1And3-KeyTripleDES-CBC"))
            #expect(info.combined.contains("MAC: sha1"))
        }
        let certificates = try openssl(["pkcs12", "-in", p12.path, "-nokeys", "-passin", "file:" + folder.path("pw")])
        #expect(certificates.stdout.contains("friendlyName: appseal android com.example.app"))
        #expect(certificates.stdout.components(separatedBy: "BEGIN CERTIFICATE").count == 3, "leaf and CA")
    }

    @Test func concurrentIssuersLoseNoRecords() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.initialize(in: workspace)
        let failures = LockedCount()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let other = try CertificateAuthority.open(try Workspace.open(at: folder.path("ws"))) { nil }
                _ = try other.issueClientCertificate(appID: "com.example.app\(index)", platform: .android)
            } catch {
                failures.increment()
            }
        }
        #expect(failures.value == 0)
        let records = try authority.records()
        #expect(records.count == 8)
        #expect(Set(records.map(\.serial)).count == 8)
        #expect(Set(records.map(\.appID)) == Set((0..<8).map { "com.example.app\($0)" }))
    }
}

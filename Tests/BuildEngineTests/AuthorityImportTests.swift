import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// `ca import` for teams that already run a CA: roots and intermediates made by openssl.
@Suite("Certificate authority import")
struct AuthorityImportTests {
    private func data(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    @Test func importedRootIssuesCertificatesOpenSSLVerifies() throws {
        let folder = try TemporaryDirectory()
        let root = try TestPKI.makeCA(in: folder.url, name: "root", subject: "/O=Example/CN=Example Root")
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.importExisting(into: workspace, certificatePEM: data(root.certificate),
                                                                keyPEM: data(root.key), passphrase: "import-pass")
        #expect(authority.certificate.subject.rfc2253 == "CN=Example Root,O=Example")
        #expect(try CertificateAuthority.describe(workspace).keyIsEncrypted)
        let credential = try authority.issueClientCertificate(appID: "com.example.app", platform: .android, validityDays: 10)
        let leaf = folder.url.appendingPathComponent("leaf.pem")
        try credential.certificate.pem.write(to: leaf, atomically: true, encoding: .utf8)
        let verify = try ProcessRunner.run("openssl", ["verify", "-crl_check", "-CRLfile", workspace.caDirectory.path + "/crl.pem",
                                                       "-CAfile", root.certificate.path, leaf.path])
        #expect(verify.succeeded, "\(verify.combined)")
    }

    @Test func intermediateNeedsItsChainAndParentCRL() throws {
        let folder = try TemporaryDirectory()
        let root = try TestPKI.makeCA(in: folder.url, name: "root", subject: "/O=Example/CN=Example Root")
        let intermediate = try TestPKI.makeIntermediateCA(in: folder.url, name: "intermediate", issuer: root,
                                                          subject: "/O=Example/CN=Example Mobile Issuing CA")
        let rootCRL = try TestPKI.makeEmptyCRL(in: folder.url, issuer: root)
        let workspace = try Workspace.open(at: folder.path("ws"))

        let noChain = #expect(throws: AuthorityError.self) {
            try CertificateAuthority.importExisting(into: workspace, certificatePEM: data(intermediate.certificate),
                                                    keyPEM: data(intermediate.key))
        }
        #expect(noChain?.description.contains("give that chain up to its root with --chain") == true)
        let noCRL = #expect(throws: AuthorityError.self) {
            try CertificateAuthority.importExisting(into: workspace, certificatePEM: data(intermediate.certificate),
                                                    keyPEM: data(intermediate.key), chainPEM: data(root.certificate))
        }
        #expect(noCRL?.description.contains("--parent-crl") == true)
        #expect(!CertificateAuthority.exists(in: workspace), "a refused import writes nothing")

        let authority = try CertificateAuthority.importExisting(
            into: workspace, certificatePEM: data(intermediate.certificate), keyPEM: data(intermediate.key),
            chainPEM: data(root.certificate), parentCRLPEM: data(rootCRL))
        let material = try ServerConfigWriter.material(from: workspace)
        #expect(material.bundleCertificateCount == 2)
        #expect(try Certificate.all(inPEM: material.caBundlePEM).map(\.subject.rfc2253)
                == ["CN=Example Mobile Issuing CA,O=Example", "CN=Example Root,O=Example"])

        // What nginx does: the whole chain, revocation checked at every level from the served CRL file.
        let credential = try authority.issueClientCertificate(appID: "com.example.app", platform: .android, validityDays: 10)
        let leaf = folder.url.appendingPathComponent("leaf.pem")
        let bundle = folder.url.appendingPathComponent("bundle.pem")
        let crl = folder.url.appendingPathComponent("served-crl.pem")
        try credential.certificate.pem.write(to: leaf, atomically: true, encoding: .utf8)
        try material.caBundlePEM.write(to: bundle)
        try material.crlPEM.write(to: crl)
        let verify = try ProcessRunner.run("openssl", ["verify", "-crl_check_all", "-CRLfile", crl.path,
                                                       "-CAfile", bundle.path, leaf.path])
        #expect(verify.succeeded, "\(verify.combined)")
    }

    /// nginx checks revocation at every level of the chain: with an imported intermediate, what
    /// server-config serves (bundle with the root, both CRLs) must still let issued clients in.
    @Test func nginxTrustsClientsOfAnImportedIntermediate() throws {
        let folder = try TemporaryDirectory()
        let root = try TestPKI.makeCA(in: folder.url, name: "root", subject: "/O=Example/CN=Example Root")
        let intermediate = try TestPKI.makeIntermediateCA(in: folder.url, name: "intermediate", issuer: root,
                                                          subject: "/O=Example/CN=Example Mobile Issuing CA")
        let rootCRL = try TestPKI.makeEmptyCRL(in: folder.url, issuer: root)
        let workspace = try Workspace.open(at: folder.path("ws"))
        let authority = try CertificateAuthority.importExisting(
            into: workspace, certificatePEM: data(intermediate.certificate), keyPEM: data(intermediate.key),
            chainPEM: data(root.certificate), parentCRLPEM: data(rootCRL))
        let kept = try authority.issueClientCertificate(appID: "com.example.app", platform: .android, validityDays: 10)
        let revoked = try authority.issueClientCertificate(appID: "com.example.app", platform: .android, validityDays: 10)
        try authority.revoke(serial: revoked.serial)
        var pairs: [PEMPair] = []
        for (name, credential) in [("kept", kept), ("revoked", revoked)] {
            let pair = PEMPair(certificate: folder.url.appendingPathComponent("\(name).pem"),
                               key: folder.url.appendingPathComponent("\(name).key"))
            try credential.certificate.pem.write(to: pair.certificate, atomically: true, encoding: .utf8)
            try AtomicFile.write(Data(try credential.privateKey.pemEncoded().utf8), to: pair.key, permissions: AtomicFile.secretPermissions)
            pairs.append(pair)
        }
        let result = try ServerConfigWriter.write(format: .nginx, to: folder.url.appendingPathComponent("server"), workspace: workspace)
        #expect(try String(contentsOf: result.snippet, encoding: .utf8).contains("\nssl_verify_depth 2;\n"))
        let serverCA = try TestPKI.makeCA(in: folder.url, name: "server-ca", subject: "/CN=Server CA")
        let server = try TestPKI.makeServerCertificate(in: folder.url, issuer: serverCA)
        let nginx = try NginxServer(serverCertificate: server.certificate.path, serverKey: server.key.path,
                                    serverDirectives: "include \(result.snippet.path);")
        defer { nginx.stop() }
        let accepted = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA.certificate.path,
                                            credential: .pem(certificate: pairs[0].certificate.path, key: pairs[0].key.path))
        #expect(accepted.httpStatus == 200, "\(accepted)\n\(nginx.log)")
        let refused = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA.certificate.path,
                                           credential: .pem(certificate: pairs[1].certificate.path, key: pairs[1].key.path))
        #expect(refused.httpStatus == 400, "\(refused)")
    }

    @Test func nonCAsMismatchedKeysAndGarbageAreRefused() throws {
        let folder = try TemporaryDirectory()
        let root = try TestPKI.makeCA(in: folder.url, name: "root", subject: "/CN=Root")
        let other = try TestPKI.makeCA(in: folder.url, name: "other", subject: "/CN=Other")
        let leaf = try TestPKI.makeClientCertificate(in: folder.url, name: "leaf", issuer: root, subject: "/CN=leaf",
                                                     sanURI: "urn:x")
        let workspace = try Workspace.open(at: folder.path("ws"))
        let cases: [(Data, Data, String)] = [
            (try data(leaf.certificate), try data(leaf.key), "is not a CA certificate"),
            (try data(root.certificate), try data(other.key), "the key does not belong to the certificate"),
            (Data("not a certificate".utf8), try data(root.key), "the certificate cannot be read"),
            (try data(root.certificate), Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8), "the key cannot be read"),
        ]
        for (certificate, key, reason) in cases {
            let error = #expect(throws: AuthorityError.self) {
                try CertificateAuthority.importExisting(into: workspace, certificatePEM: certificate, keyPEM: key)
            }
            #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        }
        #expect(!CertificateAuthority.exists(in: workspace))
    }

    @Test func cliImportTakesAnEncryptedKeyWithItsPasswordFile() throws {
        let folder = try TemporaryDirectory()
        let root = try TestPKI.makeCA(in: folder.url, name: "root", subject: "/CN=CLI Root")
        try "key-file-password\n".write(toFile: folder.path("keypass"), atomically: true, encoding: .utf8)
        let encrypted = folder.url.appendingPathComponent("root-encrypted.key")
        let conversion = try ProcessRunner.run("openssl", ["pkey", "-in", root.key.path, "-aes-256-cbc",
                                                           "-passout", "file:" + folder.path("keypass"), "-out", encrypted.path])
        #expect(conversion.succeeded, "\(conversion.combined)")
        let transcript = Transcript()
        let workspace = folder.path("ws")
        let missing = try transcript.appseal(["ca", "import", "--cert", root.certificate.path, "--key", encrypted.path],
                                             workspace: workspace, expectStatus: 3)
        #expect(missing.stderr.contains("the key is encrypted and the key password is missing or wrong"))
        let imported = try transcript.appseal(["ca", "import", "--cert", root.certificate.path, "--key", encrypted.path,
                                               "--key-password-file", folder.path("keypass")], workspace: workspace)
        #expect(imported.stdout.contains("Certificate authority CN=CLI Root"))
        #expect(!transcript.text.contains("key-file-password"))
        // The openssl root lives 30 days, so the default 365-day client would outlive it.
        let tooLong = try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("a.p12")],
                                             workspace: workspace, expectStatus: 3)
        #expect(tooLong.stderr.contains("the certificate must fall within the CA's validity"))
        try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("a.p12"), "--days", "10"],
                               workspace: workspace)
    }
}

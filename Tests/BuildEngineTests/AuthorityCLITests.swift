import Foundation
import Testing
import TestSupport

/// `appseal ca ...` and `appseal server-config` through the real binary: files, permissions,
/// exit codes, JSON, and that no secret ever reaches stdout or stderr.
@Suite("ca and server-config commands")
struct AuthorityCLITests {
    private func permissions(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    struct Show: Decodable {
        struct CA: Decodable { let subject: String; let keyType: String; let sha256Fingerprint: String; let spkiPin: String }
        struct CRL: Decodable { let number: Int; let revoked: Int; let nextUpdate: Date? }
        struct Record: Decodable {
            let serial: String; let state: String; let appID: String; let platform: String
            let buildID: String?; let sanURI: String; let revocationReason: String?
        }
        let certificate: CA
        let keyEncrypted: Bool
        let crl: CRL
        let issued: [Record]
    }

    private func show(_ transcript: Transcript, _ workspace: String) throws -> Show {
        let result = try transcript.appseal(["ca", "show", "--json"], workspace: workspace)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Show.self, from: result.stdoutData)
    }

    @Test func issueWithoutPasswordFileWritesAGeneratedPasswordNeverPrinted() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        let initialized = try transcript.appseal(["ca", "init", "--key", "ec-p384", "--subject", "CN=CLI CA,O=Example"],
                                                 workspace: workspace)
        #expect(initialized.stdout.contains("Certificate authority CN=CLI CA,O=Example"))
        #expect(initialized.stderr.contains("ca.key is not encrypted"))

        let p12 = folder.path("app.p12")
        let issued = try transcript.appseal(["ca", "issue", "--app-id", "com.example.app", "--out", p12,
                                             "--platform", "ios", "--days", "30", "--build-id", "b-1"], workspace: workspace)
        #expect(issued.stdout.contains("SAN URI      urn:appseal:app:ios:com.example.app"))
        #expect(issued.stdout.contains("password     \(p12).password (0600, generated)"))
        #expect(try permissions(p12) == 0o600)
        #expect(try permissions(p12 + ".password") == 0o600)
        let password = try String(contentsOfFile: p12 + ".password", encoding: .utf8)
        #expect(password.hasSuffix("\n") && password.count == 33)
        #expect(!transcript.text.contains(password.trimmingCharacters(in: .newlines)))

        let info = try ProcessRunner.run("openssl", ["pkcs12", "-info", "-noout", "-in", p12, "-passin", "file:\(p12).password"])
        #expect(info.succeeded, "\(info.combined)")

        let state = try show(transcript, workspace)
        #expect(state.certificate.subject == "CN=CLI CA,O=Example")
        #expect(state.certificate.keyType == "ec-p384")
        #expect(state.certificate.spkiPin.hasPrefix("sha256/"))
        #expect(state.keyEncrypted == false)
        #expect(state.issued.count == 1)
        #expect(state.issued.first?.buildID == "b-1")
        #expect(state.issued.first?.platform == "ios")
        #expect(state.issued.first?.state == "valid")

        // Never replaces an existing PKCS#12: its key exists nowhere else.
        let again = try transcript.appseal(["ca", "issue", "--app-id", "com.example.app", "--out", p12],
                                           workspace: workspace, expectStatus: 2)
        #expect(again.stderr.contains("already exists"))
        #expect(try show(transcript, workspace).issued.count == 1)
    }

    @Test func passwordComesFromAFileOrAnEnvironmentReference() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        try transcript.appseal(["ca", "init"], workspace: workspace)
        try "from-a-file-secret\n".write(toFile: folder.path("pw"), atomically: true, encoding: .utf8)
        try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("file.p12"),
                                "--password-file", folder.path("pw"), "--profile", "compatible"], workspace: workspace)
        #expect(!FileManager.default.fileExists(atPath: folder.path("file.p12.password")))
        let fromFile = try ProcessRunner.run("openssl", ["pkcs12", "-info", "-noout", "-in", folder.path("file.p12"),
                                                         "-passin", "file:" + folder.path("pw")])
        #expect(fromFile.succeeded, "\(fromFile.combined)")

        try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("env.p12"),
                                "--password-file", "env:P12_PASSWORD"], workspace: workspace,
                               environment: ["P12_PASSWORD": "from-the-environment"])
        try "from-the-environment\n".write(toFile: folder.path("pw2"), atomically: true, encoding: .utf8)
        let fromEnvironment = try ProcessRunner.run("openssl", ["pkcs12", "-info", "-noout", "-in", folder.path("env.p12"),
                                                                "-passin", "file:" + folder.path("pw2")])
        #expect(fromEnvironment.succeeded, "\(fromEnvironment.combined)")

        let unset = try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("x.p12"),
                                            "--password-file", "env:NOT_SET_ANYWHERE"], workspace: workspace, expectStatus: 3)
        #expect(unset.stderr.contains("the environment variable NOT_SET_ANYWHERE is not set"))
        try "\n".write(toFile: folder.path("empty"), atomically: true, encoding: .utf8)
        let empty = try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("y.p12"),
                                            "--password-file", folder.path("empty")], workspace: workspace, expectStatus: 3)
        #expect(empty.stderr.contains("is empty"))
        #expect(!transcript.text.contains("from-a-file-secret"))
        #expect(!transcript.text.contains("from-the-environment"))
    }

    @Test func encryptedCAKeyWithoutPassphraseIsAClearError() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        let passphrase = "cli-passphrase-\(UUID().uuidString)"
        try transcript.appseal(["ca", "init"], workspace: workspace, passphrase: passphrase)
        let key = try String(contentsOfFile: workspace + "/ca/ca.key", encoding: .utf8)
        #expect(key.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(try show(transcript, workspace).keyEncrypted)

        let missing = try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("a.p12")],
                                             workspace: workspace, expectStatus: 3)
        #expect(missing.stderr.contains("is encrypted and no passphrase is available; set APPSEAL_CA_PASSPHRASE"))
        let wrong = try transcript.appseal(["ca", "crl"], workspace: workspace, passphrase: "wrong", expectStatus: 3)
        #expect(wrong.stderr.contains("wrong passphrase"))
        try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("a.p12")],
                               workspace: workspace, passphrase: passphrase)
        #expect(!transcript.text.contains(passphrase))
    }

    @Test func revokeAndCRLUpdateWhatServersRead() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        try transcript.appseal(["ca", "init"], workspace: workspace)
        try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("a.p12")], workspace: workspace)
        let serial = try #require(try show(transcript, workspace).issued.first?.serial)

        let revoked = try transcript.appseal(["ca", "revoke", serial.lowercased(), "--reason", "superseded"], workspace: workspace)
        #expect(revoked.stdout.contains("Revoked \(serial)"))
        #expect(revoked.stdout.contains("nginx -s reload"))
        let state = try show(transcript, workspace)
        #expect(state.issued.first?.state == "revoked")
        #expect(state.issued.first?.revocationReason == "superseded")
        #expect(state.crl.revoked == 1)

        let crlFile = folder.path("published-crl.pem")
        let published = try transcript.appseal(["ca", "crl", "--out", crlFile, "--days", "7"], workspace: workspace)
        #expect(published.stdout.contains("CRL number \(state.crl.number + 1), 1 revoked"))
        let text = try ProcessRunner.run("openssl", ["crl", "-in", crlFile, "-noout", "-text"]).stdout
        #expect(text.contains("Serial Number: \(serial)"))
        #expect(text.contains("Superseded"))

        struct CRLSummary: Decodable { let number: Int; let revoked: [String]; let path: String }
        let json = try transcript.appseal(["ca", "crl", "--json"], workspace: workspace)
        let summary = try JSONDecoder().decode(CRLSummary.self, from: json.stdoutData)
        #expect(summary.number == state.crl.number + 2)
        #expect(summary.revoked == [serial])
        #expect(summary.path == workspace + "/ca/crl.pem")

        let twice = try transcript.appseal(["ca", "revoke", serial], workspace: workspace, expectStatus: 3)
        #expect(twice.stderr.contains("already revoked"))
        let unknown = try transcript.appseal(["ca", "revoke", "0123ABCD"], workspace: workspace, expectStatus: 3)
        #expect(unknown.stderr.contains("no certificate with serial 0123ABCD"))
        let badReason = try transcript.appseal(["ca", "revoke", serial, "--reason", "because"], workspace: workspace, expectStatus: 2)
        #expect(badReason.stderr.contains("--reason must be one of"))
        try transcript.appseal(["ca", "revoke", "not-hex"], workspace: workspace, expectStatus: 2)
    }

    @Test func badInputsGiveTheirExitCodes() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        let noCA = try transcript.appseal(["ca", "show"], workspace: workspace, expectStatus: 3)
        #expect(noCA.stderr.contains("run 'appseal ca init'"))
        try transcript.appseal(["server-config", "--format", "nginx", "--out", folder.path("s")], workspace: workspace, expectStatus: 3)
        try transcript.appseal(["ca", "init", "--key", "dsa"], workspace: workspace, expectStatus: 2)
        try transcript.appseal(["ca", "init", "--days", "0"], workspace: workspace, expectStatus: 2)
        let subject = try transcript.appseal(["ca", "init", "--subject", "XX=nope"], workspace: workspace, expectStatus: 3)
        #expect(subject.stderr.contains("invalid subject 'XX=nope'"))
        try transcript.appseal(["ca", "init"], workspace: workspace)
        let twice = try transcript.appseal(["ca", "init"], workspace: workspace, expectStatus: 3)
        #expect(twice.stderr.contains("never overwritten"))
        try transcript.appseal(["ca", "issue", "--app-id", "bad id", "--out", folder.path("a.p12")], workspace: workspace, expectStatus: 2)
        try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("none/a.p12")], workspace: workspace, expectStatus: 2)
        try transcript.appseal(["ca", "issue", "--app-id", "a.b"], workspace: workspace, expectStatus: 2)
        try transcript.appseal(["server-config", "--format", "apache", "--out", folder.path("s")], workspace: workspace, expectStatus: 2)
        try transcript.appseal(["server-config", "--format", "haproxy", "--out", folder.path("s"), "--listen", "nope"],
                               workspace: workspace, expectStatus: 2)

        // A corrupted issued.json is reported, named, and left as it was.
        let issued = workspace + "/ca/issued.json"
        try "{ not json".write(toFile: issued, atomically: true, encoding: .utf8)
        let corrupted = try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", folder.path("c.p12")],
                                               workspace: workspace, expectStatus: 3)
        #expect(corrupted.stderr.contains("\(issued) is corrupted"))
        #expect(try String(contentsOfFile: issued, encoding: .utf8) == "{ not json")
        #expect(!FileManager.default.fileExists(atPath: folder.path("c.p12")))
    }

    @Test func helpDescribesEveryCommand() throws {
        let ca = try ProcessRunner.appseal(["ca", "--help"])
        #expect(ca.status == 0)
        for sub in ["init", "show", "issue", "revoke", "crl", "import"] {
            #expect(ca.stdout.contains("\n  \(sub) "), "ca --help lacks \(sub)")
        }
        let issue = try ProcessRunner.appseal(["ca", "issue", "--help"])
        #expect(issue.stdout.contains("USAGE: appseal ca issue --app-id <id> --out <file.p12>"))
        #expect(issue.stdout.contains("--password-file <file>"))
        let server = try ProcessRunner.appseal(["server-config", "--help"])
        #expect(server.stdout.contains("USAGE: appseal server-config --format <format> --out <dir>"))
    }

    @Test func twoProcessesIssuingAtOnceKeepEveryRecord() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        try transcript.appseal(["ca", "init"], workspace: workspace)
        let count = 6
        let failures = LockedCount()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            do {
                try transcript.appseal(["ca", "issue", "--app-id", "app.n\(index)", "--out", folder.path("\(index).p12")],
                                       workspace: workspace)
            } catch {
                failures.increment()
            }
        }
        #expect(failures.value == 0, "\(transcript.text)")
        let state = try show(transcript, workspace)
        #expect(Set(state.issued.map(\.appID)) == Set((0..<count).map { "app.n\($0)" }))
        #expect(Set(state.issued.map(\.serial)).count == count)
    }

    @Test func serverConfigSummarizesWhatItWrote() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        try transcript.appseal(["ca", "init"], workspace: workspace)
        let out = folder.path("server")
        let result = try transcript.appseal(["server-config", "--format", "envoy", "--out", out, "--json",
                                             "--app-id", "com.example.app", "--platform", "ios"], workspace: workspace)
        struct Summary: Decodable { let format: String; let caBundle: String; let crl: String; let snippet: String; let enforced: [String] }
        let summary = try JSONDecoder().decode(Summary.self, from: result.stdoutData)
        #expect(summary.format == "envoy")
        #expect(summary.snippet == out + "/envoy-downstream-tls.yaml")
        #expect(summary.enforced.last == "only these apps, matched by subjectAltName URI: urn:appseal:app:ios:com.example.app")
        #expect(try String(contentsOfFile: summary.caBundle, encoding: .utf8)
                == String(contentsOfFile: workspace + "/ca/ca.pem", encoding: .utf8))
        #expect(try String(contentsOfFile: summary.crl, encoding: .utf8)
                == String(contentsOfFile: workspace + "/ca/crl.pem", encoding: .utf8))

        let human = try transcript.appseal(["server-config", "--format", "nginx", "--out", out], workspace: workspace)
        #expect(human.stdout.contains("nginx-client-certificates.conf"))
        #expect(human.stdout.contains("a client certificate is required"))
        #expect(!human.stderr.contains("warning"))

        // A CRL about to pass its next update would lock every client out: say so.
        try transcript.appseal(["ca", "crl", "--days", "1"], workspace: workspace)
        let soon = try transcript.appseal(["server-config", "--format", "nginx", "--out", out], workspace: workspace)
        #expect(soon.stderr.contains("warning: the CRL's next update is"))
        let shown = try transcript.appseal(["ca", "show"], workspace: workspace)
        #expect(shown.stderr.contains("warning: the CRL reaches its next update at"))
        #expect(!shown.stderr.contains("CA certificate expires"))
    }

    @Test func aCAAboutToExpireIsCalledOut() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let initialized = try transcript.appseal(["ca", "init", "--days", "10"], workspace: folder.path("ws"))
        #expect(initialized.stderr.contains("warning: the CA certificate expires at"))
        #expect(!initialized.stderr.contains("the CRL"))
    }

    @Test func showListsEveryCertificateWithItsState() throws {
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        let workspace = folder.path("ws")
        try transcript.appseal(["ca", "init", "--subject", "CN=Show CA"], workspace: workspace)
        try transcript.appseal(["ca", "issue", "--app-id", "com.example.one", "--out", folder.path("1.p12"),
                                "--build-id", "b-7"], workspace: workspace)
        try transcript.appseal(["ca", "issue", "--app-id", "com.example.two", "--out", folder.path("2.p12"),
                                "--platform", "ios"], workspace: workspace)
        let serial = try #require(try show(transcript, workspace).issued.first?.serial)
        try transcript.appseal(["ca", "revoke", serial], workspace: workspace)
        let text = try transcript.appseal(["ca", "show"], workspace: workspace).stdout
        #expect(text.hasPrefix("Certificate authority CN=Show CA\n"))
        #expect(text.contains("  key          ec-p256, not encrypted\n"))
        #expect(text.contains("1 revoked, next update "))
        #expect(text.contains("Issued certificates: 2\n"))
        let rows = text.components(separatedBy: "\n").filter { $0.hasPrefix("  ") && ($0.contains("com.example.") || $0.contains("SERIAL")) }
        #expect(rows.count == 3)
        #expect(rows.first?.contains("SERIAL") == true && rows.first?.contains("NOT AFTER") == true)
        #expect(rows.contains { $0.contains(serial) && $0.contains("revoked") && $0.contains("android") && $0.contains("b-7") })
        #expect(rows.contains { $0.contains("valid") && $0.contains("ios") && $0.contains("com.example.two") })
    }
}

import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

@Suite("Build options: keystore, imported P12, per-app scope, events and log", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct BuildOptionsTests {
    static let app = "apk/apps/hello-world.apk"

    /// A PKCS#12 keystore from the fixture RSA key, made with openssl.
    static func keystore(in folder: TemporaryDirectory, password: String) throws -> String {
        let path = folder.path("release.p12")
        try password.write(toFile: folder.path("pw"), atomically: true, encoding: .utf8)
        let key = try ProcessRunner.run("openssl", ["pkey", "-inform", "DER", "-in", Fixtures.url("other/signing-keys/rsa-2048.pk8").path,
                                                    "-out", folder.path("key.pem")])
        try #require(key.succeeded, "\(key.combined)")
        let made = try ProcessRunner.run("openssl", ["pkcs12", "-export", "-inkey", folder.path("key.pem"),
                                                     "-in", Fixtures.url("other/signing-keys/rsa-2048.x509.pem").path,
                                                     "-out", path, "-passout", "file:\(folder.path("pw"))"])
        try #require(made.succeeded, "\(made.combined)")
        return path
    }

    @Test func keystoreSignsTheOutputAndAWrongPasswordFailsBeforeAnythingIsIssued() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let keystore = try Self.keystore(in: fixture.folder, password: "s3cret-keystore")
        try "s3cret-keystore\n".write(toFile: fixture.folder.path("good"), atomically: true, encoding: .utf8)
        let built = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--keystore", keystore,
                                         "--keystore-password-file", fixture.folder.path("good"), "--json-events"])
        #expect(built.status == 0, "\(built.combined)")
        #expect(!built.combined.contains("s3cret-keystore"))
        let output = try #require(BuildFixture.events(built).last?["output"] as? String)
        let certs = try ProcessRunner.run("apksigner", ["verify", "--print-certs", output])
        let expected = try Certificate(pem: Data(contentsOf: Fixtures.url("other/signing-keys/rsa-2048.x509.pem")))
        #expect(certs.stdout.contains("certificate SHA-256 digest: \(expected.sha256Fingerprint.hex)"), "\(certs.combined)")

        try "wrong\n".write(toFile: fixture.folder.path("bad"), atomically: true, encoding: .utf8)
        let refused = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--keystore", keystore,
                                           "--keystore-password-file", fixture.folder.path("bad")])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("failed in validate: --keystore \(keystore) cannot be opened with the given password"))
        #expect(try fixture.issued().count == 1, "the refused build issued nothing")
        let usage = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign", "--unsigned"])
        #expect(usage.status == 2)
    }

    @Test func importedP12IsSealedAndReportedWithoutAWorkspaceServerFolder() throws {
        let fixture = try BuildFixture()
        let issue = try fixture.appseal(["ca", "issue", "--app-id", "de.rhab.helloworld", "--out", fixture.folder.path("client.p12")])
        try #require(issue.status == 0, "\(issue.combined)")
        let passwordFile = try #require(try FileManager.default.contentsOfDirectory(atPath: fixture.folder.url.path)
            .first { $0.hasPrefix("client.p12") && $0 != "client.p12" })
        let setID = try fixture.createSet("imported", features: [
            "mobile-client-certificates:importP12=\(fixture.folder.path("client.p12")),importP12PasswordFile=\(fixture.folder.path(passwordFile))"])
        let built = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign", "--json-events"])
        #expect(built.status == 0, "\(built.combined)")
        let finished = try #require(BuildFixture.events(built).last)
        let buildID = try #require(finished["build"] as? String)
        let report = try String(contentsOfFile: "\(fixture.workspace)/builds/\(buildID)/report.md", encoding: .utf8)
        #expect(report.contains("- Source: imported \(fixture.folder.path("client.p12"))"))
        #expect(report.contains("no server/ folder was written"))
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.workspace)/builds/\(buildID)/server"))
        #expect(try fixture.issued().count == 1, "importing issues nothing new")
    }

    @Test func perAppScopeReusesOneCertificateAcrossBuilds() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("per-app", features: ["mobile-client-certificates:scope=per-app"])
        var serials: [String] = []
        for _ in 0..<2 {
            let built = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign", "--json-events"])
            #expect(built.status == 0, "\(built.combined)")
            serials.append(try #require(BuildFixture.events(built).last?["certificateSerial"] as? String))
        }
        #expect(serials[0] == serials[1])
        #expect(try fixture.issued().count == 1)
        let key = "\(fixture.workspace)/credentials/android/de.rhab.helloworld/client.key"
        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        try BuildFixture.require(try fixture.appseal(["ca", "revoke", serials[0]]))
        let after = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign", "--json-events"])
        let renewed = try #require(BuildFixture.events(after).last?["certificateSerial"] as? String)
        #expect(renewed != serials[0], "a revoked per-app certificate is replaced")
    }

    @Test func eventsEncodeAsFlatNDJSONAndTheLogParsesBack() throws {
        let record = BuildRecord(id: "20261203-120000-00000000",
                                 fusionSet: FusionSet(id: FusionSetID.generate(), name: "n", platform: .android, annotations: [],
                                                      created: Date(), updated: Date(), features: [:]),
                                 inputPath: "/x.apk", started: Date())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let progress = BuildEvent(time: Date(timeIntervalSince1970: 0), buildID: record.id,
                                  kind: .progress(.sign, fraction: 0.33333, bytesDone: 1, bytesTotal: 3))
        #expect(String(decoding: try encoder.encode(progress), as: UTF8.self)
            == #"{"build":"20261203-120000-00000000","bytesDone":1,"bytesTotal":3,"event":"progress","fraction":0.333,"stage":"sign","time":-978307200}"#)
        let finished = BuildEvent(buildID: record.id, kind: .finished(record))
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(finished)) as? [String: Any]
        #expect(object?["event"] as? String == "finished")
        #expect(object?["status"] as? String == "running")

        let folder = try TemporaryDirectory()
        let log = try BuildLog(url: folder.url.appendingPathComponent("build.log"))
        log.append(LogEntry(level: .warning, stage: .runtime, message: "line one"))
        log.append(LogEntry(level: .info, stage: nil, message: "line \"two\"\nwith a break"))
        let data = try Data(contentsOf: folder.url.appendingPathComponent("build.log"))
        let entries = BuildLog.parse(data + Data("{\"torn".utf8))
        #expect(entries.map(\.message) == ["line one", "line \"two\"\nwith a break"])
        #expect(entries.map(\.level) == [.warning, .info])
        #expect(String(decoding: data, as: UTF8.self).split(separator: "\n").count == 2)
    }
}

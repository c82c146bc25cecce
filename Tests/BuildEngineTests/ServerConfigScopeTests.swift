import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// `appseal server-config --build ID | --fusion-set ID`, through the real binary.
@Suite("server-config for a build or a Fusion Set", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct ServerConfigScopeTests {
    struct Built {
        let id: String
        let output: String
        let appID: String
    }

    static func build(_ app: String, set: String, fixture: BuildFixture) throws -> Built {
        let result = try fixture.appseal(["build", Fixtures.url(app).path, "--fusion-set", set, "--debug-sign", "--json-events"])
        try BuildFixture.require(result)
        let finished = try #require(BuildFixture.events(result).last)
        let id = try #require(finished["build"] as? String)
        return Built(id: id, output: try #require(finished["output"] as? String),
                     appID: try #require(try fixture.record(id)["appID"] as? String))
    }

    static func subject(_ appID: String) -> String { "CN=\(appID),OU=android,O=appseal client" }

    static func allowLine(_ folder: String) throws -> String {
        let text = try String(contentsOfFile: "\(folder)/nginx-client-certificates.conf", encoding: .utf8)
        return try #require(text.split(separator: "\n").first { $0.contains("if ($ssl_client_s_dn !~") }).description
    }

    @Test func buildAndFusionSetChooseTheAppsAndNginxAcceptsOnlyThose() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let hello = try Self.build("apk/apps/hello-world.apk", set: setID, fixture: fixture)
        let other = try Self.build("apk/apps/apktool-issue636.apk", set: setID, fixture: fixture)
        let again = try Self.build("apk/apps/hello-world.apk", set: setID, fixture: fixture)

        // --build: exactly the config the build's own server/ holds (same allowed subjects).
        let byBuild = fixture.folder.path("by-build")
        let single = try fixture.appseal(["server-config", "--build", hello.id, "--format", "nginx", "--out", byBuild])
        try BuildFixture.require(single)
        #expect(single.stdout.contains("Apps:\n  \(hello.appID) (android), built by \(hello.id)\n"), "\(single.stdout)")
        #expect(try Self.allowLine(byBuild) == Self.allowLine("\(fixture.workspace)/builds/\(hello.id)/server"))
        #expect(try Self.allowLine(byBuild).contains(Self.subject(hello.appID).replacingOccurrences(of: ".", with: "\\.")))
        #expect(try !Self.allowLine(byBuild).contains(other.appID.replacingOccurrences(of: ".", with: "\\.")))

        // --fusion-set: every app built with the set, each once, with its builds.
        let bySet = fixture.folder.path("by-set")
        let all = try fixture.appseal(["server-config", "--fusion-set", setID, "--format", "nginx", "--out", bySet, "--json"])
        try BuildFixture.require(all)
        let summary = try #require(try JSONSerialization.jsonObject(with: all.stdoutData) as? [String: Any])
        let apps = try #require(summary["apps"] as? [[String: Any]])
        #expect(Set(apps.compactMap { $0["appID"] as? String }) == [hello.appID, other.appID])
        let helloBuilds = apps.first { $0["appID"] as? String == hello.appID }?["builds"] as? [String]
        #expect(Set(helloBuilds ?? []) == [hello.id, again.id])
        let line = try Self.allowLine(bySet)
        for appID in [hello.appID, other.appID] {
            #expect(line.contains(Self.subject(appID).replacingOccurrences(of: ".", with: "\\.")), "\(line)")
        }

        // nginx with the --build config: that app's certificate gets 200, the other app's (same CA) 403.
        let scratch = try TemporaryDirectory()
        let debug = try Certificate(pem: Data(contentsOf: URL(fileURLWithPath: "\(fixture.workspace)/debug/debug.pem")))
        func credential(_ built: Built, _ name: String) throws -> HTTPSClient.Credential {
            let payload = try SealedBlob.open(try ZipArchiveData.entry(SealedBlob.assetPath, of: built.output),
                                              signerCertificateSHA256: [debug.sha256Fingerprint.bytes])
            let path = scratch.path("\(name).p12")
            try payload.pkcs12.write(to: URL(fileURLWithPath: path))
            return .pkcs12(path: path, password: payload.pkcs12Password)
        }
        let serverCA = try TestPKI.makeCA(in: scratch.url, name: "server-ca", subject: "/CN=Scope server CA")
        let server = try TestPKI.makeServerCertificate(in: scratch.url, issuer: serverCA)
        let nginx = try NginxServer(serverCertificate: server.certificate.path, serverKey: server.key.path,
                                    serverDirectives: "include \(byBuild)/nginx-client-certificates.conf;")
        defer { nginx.stop() }
        let accepted = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA.certificate.path,
                                            credential: try credential(hello, "hello"))
        #expect(accepted.httpStatus == 200, "\(accepted) \(nginx.log)")
        let refused = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA.certificate.path,
                                           credential: try credential(other, "other"))
        #expect(refused.httpStatus == 403, "\(refused)")
    }

    @Test func buildsThatShippedNoWorkspaceCertificateAreRefusedWithTheReason() throws {
        let fixture = try BuildFixture()
        let cleartext = try fixture.createSet("cleartext", features: ["block-cleartext-traffic"])
        let plain = try Self.build("apk/apps/hello-world.apk", set: cleartext, fixture: fixture)
        let out = fixture.folder.path("out")
        let noCertificate = try fixture.appseal(["server-config", "--build", plain.id, "--format", "nginx", "--out", out])
        #expect(noCertificate.status == 3)
        #expect(noCertificate.stderr.contains("build \(plain.id) has no client certificate: its Fusion Set"), "\(noCertificate.stderr)")
        let emptySet = try fixture.appseal(["server-config", "--fusion-set", cleartext, "--format", "nginx", "--out", out])
        #expect(emptySet.status == 3)
        #expect(emptySet.stderr.contains("no successful build with Fusion Set \(cleartext) 'cleartext' has a certificate "
            + "from this workspace's CA yet"), "\(emptySet.stderr)")

        let certificates = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let refused = try fixture.appseal(["build", Fixtures.url("apk/apps/TestActivity.apk").path, "--fusion-set", certificates,
                                           "--debug-sign"])
        #expect(refused.status == 3)
        let failedID = try #require(try fixture.buildFolders().first { try fixture.record($0)["status"] as? String == "failed" })
        let failed = try fixture.appseal(["server-config", "--build", failedID, "--format", "nginx", "--out", out])
        #expect(failed.status == 3)
        #expect(failed.stderr.contains("build \(failedID) did not succeed (status failed)"), "\(failed.stderr)")

        let unknown = try fixture.appseal(["server-config", "--build", "20000101-000000-00000000", "--format", "nginx", "--out", out])
        #expect(unknown.status == 3)
        #expect(unknown.stderr == "error: no build '20000101-000000-00000000' in this workspace (see 'appseal builds list')\n")
        let both = try fixture.appseal(["server-config", "--build", plain.id, "--fusion-set", cleartext, "--format", "nginx",
                                        "--out", out])
        #expect(both.status == 2)
        #expect(both.stderr.contains("give --build or --fusion-set, not both"))
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is written for a refused request")
    }
}

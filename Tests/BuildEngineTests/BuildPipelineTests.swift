import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// A workspace with a CA and a Fusion Set, driven through the real binary.
struct BuildFixture {
    let folder: TemporaryDirectory
    var workspace: String { folder.path("ws") }

    init() throws {
        folder = try TemporaryDirectory(prefix: "appseal-build")
        try Self.require(try ProcessRunner.appseal(["--workspace", workspace, "ca", "init"]))
    }

    struct UnexpectedStatus: Error, CustomStringConvertible {
        let description: String
    }

    static func require(_ result: ProcessResult, _ status: Int32 = 0) throws {
        if result.status != status {
            throw UnexpectedStatus(description: "expected exit \(status), got \(result.status): \(result.combined)")
        }
    }

    @discardableResult
    func appseal(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.appseal(["--workspace", workspace] + arguments, environment: environment)
    }

    func createSet(_ name: String, platform: String = "android", features: [String]) throws -> String {
        let result = try appseal(["fusion-set", "create", "--name", name, "--platform", platform, "--json"]
            + features.flatMap { ["--feature", $0] })
        try Self.require(result)
        let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
        return object?["id"] as? String ?? ""
    }

    func buildFolders() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(workspace)/builds")) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// NDJSON events of `--json-events`.
    static func events(_ result: ProcessResult) -> [[String: Any]] {
        result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func record(_ id: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(workspace)/builds/\(id)/build.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func issued() throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(workspace)/ca/issued.json"))
        let object = try JSONSerialization.jsonObject(with: data)
        if let list = object as? [[String: Any]] { return list }
        return (object as? [String: Any])?["certificates"] as? [[String: Any]] ?? []
    }
}

@Suite("Build pipeline, end to end")
struct BuildPipelineTests {
    /// minSdk 21 and later (the runtime's floor): v1+v2, v1 only, multidex v1+v2+v3, multidex v2 only, unsigned with a .so.
    static let apps = ["apk/apps/hello-world.apk", "apk/apps/apktool-issue636.apk", "apk/apps/apktool-issue3533.apk",
                       "apk/apps/apktool-issue2701.apk", "apk/apksig/golden-aligned-in.apk"]

    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)), arguments: apps)
    func securedBuildPassesTheEcosystemToolsAndUnsealsToTheIssuedCertificate(app: String) throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates:hosts=api.example.com",
                                                             "block-cleartext-traffic"])
        let input = Fixtures.url(app).path
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let result = try fixture.appseal(["build", input, "--fusion-set", setID, "--debug-sign", "--json-events"])
        #expect(result.status == 0, "\(result.combined)")
        let events = BuildFixture.events(result)
        let finished = try #require(events.last)
        #expect(finished["event"] as? String == "finished")
        #expect(finished["status"] as? String == "succeeded")
        let started = events.filter { $0["event"] as? String == "stage-started" }.compactMap { $0["stage"] as? String }
        #expect(started == BuildStage.allCases.map(\.rawValue))
        let output = try #require(finished["output"] as? String)
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "the input is never modified")

        let apksigner = try ProcessRunner.run("apksigner", ["verify", "--print-certs", output])
        #expect(apksigner.status == 0, "\(apksigner.combined)")
        let zipalign = try ProcessRunner.run("zipalign", ["-c", "-p", "4", output])
        #expect(zipalign.status == 0, "\(zipalign.combined)")
        let xmltree = try ProcessRunner.run("aapt", ["dump", "xmltree", output, "AndroidManifest.xml"])
        #expect(xmltree.stdout.contains("A: android:usesCleartextTraffic(0x010104ec)=(type 0x12)0x0"), "\(xmltree.combined)")
        let listing = try ProcessRunner.run("unzip", ["-l", output])
        #expect(listing.stdout.contains(SealedBlob.assetPath))

        // Unseal as the runtime will: with the SHA-256 of the certificate apksigner says signed it.
        let digestLine = try #require(apksigner.stdout.split(separator: "\n").first { $0.contains("certificate SHA-256 digest:") })
        let signer = try #require(Data(hexString: String(digestLine.split(separator: " ").last!)))
        let blob = try ZipArchiveData.entry(SealedBlob.assetPath, of: output)
        let payload = try SealedBlob.open(blob, signerCertificateSHA256: [signer])
        let bundle = try PKCS12Bundle(der: payload.pkcs12, password: payload.pkcs12Password)
        let certificate = try #require(bundle.certificate)
        // The default profile is the one every Android version's PKCS12 KeyStore reads.
        let p12Folder = try TemporaryDirectory()
        try payload.pkcs12.write(to: p12Folder.url.appendingPathComponent("client.p12"))
        try Data(payload.pkcs12Password.utf8).write(to: p12Folder.url.appendingPathComponent("pass"))
        let info = try ProcessRunner.run("openssl", ["pkcs12", "-info", "-noout", "-legacy", "-in", p12Folder.path("client.p12"),
                                                     "-passin", "file:\(p12Folder.path("pass"))"])
        #expect(info.combined.contains("MAC: sha1") && info.combined.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "\(info.combined)")
        let buildID = try #require(finished["build"] as? String)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(fixture.workspace)/builds/\(buildID)/report.json"))) as? [String: Any]
        // The input's SHA-256, hashed beside the stages, reaches the report and the build record.
        let inputSHA256 = Digest.sha256(try Data(contentsOf: URL(fileURLWithPath: input))).hex
        #expect((report?["app"] as? [String: Any])?["sha256"] as? String == inputSHA256)
        let shown = try ProcessRunner.appseal(["--workspace", fixture.workspace, "builds", "show", buildID, "--json"])
        #expect(shown.stdout.contains(inputSHA256), "\(shown.combined)")
        let reported = try #require(report?["clientCertificate"] as? [String: Any])
        #expect(reported["sha256"] as? String == certificate.sha256Fingerprint.hex)
        #expect(payload.configuration.buildID == buildID)
        #expect(payload.configuration.hosts == ["api.example.com"])

        // The embedded certificate chains to the workspace CA, and issued.json knows it by build.
        let scratch = try TemporaryDirectory()
        try Data(certificate.pem.utf8).write(to: scratch.url.appendingPathComponent("client.pem"))
        let verify = try ProcessRunner.run("openssl", ["verify", "-CAfile", "\(fixture.workspace)/ca/ca.pem", scratch.path("client.pem")])
        #expect(verify.status == 0, "\(verify.combined)")
        let entry = try #require(try fixture.issued().first { $0["serial"] as? String == certificate.serialNumber.hex })
        #expect(entry["buildID"] as? String == buildID)
        #expect(entry["appID"] as? String == payload.configuration.appID)

        // No secret of the build reaches its output or log.
        let log = try String(contentsOfFile: "\(fixture.workspace)/builds/\(buildID)/build.log", encoding: .utf8)
        for text in [result.stdout, result.stderr, log] { #expect(!text.contains(payload.pkcs12Password)) }
    }

    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
    func nginxFromTheBuildsServerFolderAcceptsTheEmbeddedCertificateAndRejectsAForeignOne() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let result = try fixture.appseal(["build", Fixtures.url("apk/apps/hello-world.apk").path, "--fusion-set", setID,
                                          "--debug-sign", "--json-events"])
        #expect(result.status == 0, "\(result.combined)")
        let finished = try #require(BuildFixture.events(result).last)
        let output = try #require(finished["output"] as? String)
        let buildID = try #require(finished["build"] as? String)

        let debugCertificate = try Certificate(pem: Data(contentsOf: URL(fileURLWithPath: "\(fixture.workspace)/debug/debug.pem")))
        let payload = try SealedBlob.open(try ZipArchiveData.entry(SealedBlob.assetPath, of: output),
                                          signerCertificateSHA256: [debugCertificate.sha256Fingerprint.bytes])
        let scratch = try TemporaryDirectory()
        let p12 = scratch.path("client.p12")
        try payload.pkcs12.write(to: URL(fileURLWithPath: p12))

        let serverCA = try TestPKI.makeCA(in: scratch.url, name: "server-ca", subject: "/CN=Test server CA")
        let server = try TestPKI.makeServerCertificate(in: scratch.url, issuer: serverCA)
        let snippet = "\(fixture.workspace)/builds/\(buildID)/server/nginx-client-certificates.conf"
        let nginx = try NginxServer(serverCertificate: server.certificate.path, serverKey: server.key.path,
                                    serverDirectives: "include \(snippet);")
        defer { nginx.stop() }
        let accepted = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA.certificate.path,
                                            credential: .pkcs12(path: p12, password: payload.pkcs12Password))
        #expect(accepted.httpStatus == 200, "\(accepted) \(nginx.log)")

        let otherCA = try TestPKI.makeCA(in: scratch.url, name: "other-ca", subject: "/CN=Other CA")
        let appID = payload.configuration.appID
        let foreign = try TestPKI.makeClientCertificate(in: scratch.url, name: "foreign", issuer: otherCA,
                                                        subject: "/O=appseal client/OU=android/CN=\(appID)",
                                                        sanURI: "urn:appseal:app:android:\(appID)")
        let rejected = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA.certificate.path,
                                            credential: .pem(certificate: foreign.certificate.path, key: foreign.key.path))
        #expect(rejected.httpStatus != 200, "\(rejected)")
        let anonymous = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA.certificate.path, credential: .none)
        #expect(anonymous.httpStatus != 200, "\(anonymous)")
    }

    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
    func unsignedBuildIsSealedForTheGivenSignersAndOpensOnceSignedWithOne() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let signerCertificate = Fixtures.url("other/signing-keys/rsa-2048.x509.pem").path
        let extra = String(repeating: "ab", count: 32)
        let output = fixture.folder.path("unsigned.apk")
        let result = try fixture.appseal(["build", Fixtures.url("apk/apps/hello-world.apk").path, "--fusion-set", setID,
                                          "--unsigned", "--signer-cert", signerCertificate, "--signer-sha256", extra, "--out", output])
        #expect(result.status == 0, "\(result.combined)")
        #expect(try ProcessRunner.run("apksigner", ["verify", output]).status != 0, "left unsigned")
        #expect(try ProcessRunner.run("zipalign", ["-c", "-p", "4", output]).status == 0)
        let header = try SealedBlob.header(of: try ZipArchiveData.entry(SealedBlob.assetPath, of: output))
        let certificate = try Certificate(pem: Data(contentsOf: URL(fileURLWithPath: signerCertificate)))
        #expect(header.signerCertificateSHA256 == [certificate.sha256Fingerprint.bytes, Data(hexString: extra)!])

        // Signed elsewhere (apksigner with that key), the blob opens with the signer's digest.
        let signed = fixture.folder.path("signed.apk")
        let sign = try ProcessRunner.run("apksigner", ["sign", "--key", Fixtures.url("other/signing-keys/rsa-2048.pk8").path,
                                                       "--cert", signerCertificate, "--out", signed, output])
        #expect(sign.status == 0, "\(sign.combined)")
        _ = try SealedBlob.open(try ZipArchiveData.entry(SealedBlob.assetPath, of: signed),
                                signerCertificateSHA256: [certificate.sha256Fingerprint.bytes])

        let missing = try fixture.appseal(["build", Fixtures.url("apk/apps/hello-world.apk").path, "--fusion-set", setID, "--unsigned"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("needs the certificate it will be signed with"))
    }
}

/// Reads one entry of a ZIP with the archive layer the engine uses.
enum ZipArchiveData {
    static func entry(_ name: String, of path: String) throws -> Data {
        let archive = try ZipArchiveOpener.open(path)
        guard let entry = archive.entry(named: name) else { throw BuildFailure(.invalidInput, "\(path) has no \(name)") }
        return Data(try archive.readData(entry))
    }
}

@Suite("appseal verify unseals the blob", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct VerifySealedBlobTests {
    @Test func verifyOpensTheBlobAndRejectsAResignedCopyAndARevokedCertificate() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let built = try fixture.appseal(["build", Fixtures.url("apk/apps/hello-world.apk").path, "--fusion-set", setID,
                                         "--debug-sign", "--json-events"])
        let finished = try #require(BuildFixture.events(built).last)
        let output = try #require(finished["output"] as? String)
        let serial = try #require(finished["certificateSerial"] as? String)

        let verified = try fixture.appseal(["verify", output, "--json"])
        #expect(verified.status == 0, "\(verified.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: verified.stdoutData) as? [String: Any])
        let blob = try #require(object["sealedBlob"] as? [String: Any])
        #expect(blob["opened"] as? Bool == true)
        #expect(blob["chainsToWorkspaceCA"] as? Bool == true)
        #expect(blob["matchesBuildReport"] as? Bool == true)
        #expect(blob["issuedStatus"] as? String == "valid")
        #expect(blob["certificateSerial"] as? String == serial)
        // The credential is only presented because the runtime is there: verify says which DEX it is.
        #expect(blob["runtimeProviderDeclared"] as? Bool == true)
        let runtimeDEX = try #require(blob["runtimeDEX"] as? String)
        let text = try fixture.appseal(["verify", output])
        #expect(text.stdout.contains("\(runtimeDEX) is this appseal's runtime, byte for byte"), "\(text.combined)")

        // A repackager re-signs the secured app with their own key: the blob no longer opens.
        let resigned = fixture.folder.path("resigned.apk")
        let sign = try ProcessRunner.run("apksigner", ["sign", "--key", Fixtures.url("other/signing-keys/rsa-2048.pk8").path,
                                                       "--cert", Fixtures.url("other/signing-keys/rsa-2048.x509.pem").path,
                                                       "--out", resigned, output])
        try #require(sign.succeeded, "\(sign.combined)")
        let foreign = try fixture.appseal(["verify", resigned])
        #expect(foreign.status == 4)
        #expect(foreign.stdout.contains("does NOT open with this APK's signer: sealed blob is bound to signer certificate(s) "))

        try BuildFixture.require(try fixture.appseal(["ca", "revoke", serial]))
        let revoked = try fixture.appseal(["verify", output])
        #expect(revoked.status == 4)
        #expect(revoked.stdout.contains("  issued.json: revoked\n"))
    }
}

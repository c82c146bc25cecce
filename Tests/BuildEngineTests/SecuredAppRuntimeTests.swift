import AndroidPackage
import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// The whole chain for real: `appseal build` makes a secured APK; the DEX and the sealed blob are
/// taken out of that APK, the DEX is turned into JVM classes by enjarify and started through the
/// provider's onCreate (the runtime's own test stand-ins for android.*), against nginx configured
/// only by the build's `server/` folder. The app's signer is the workspace debug key the build
/// signed with; a repackager's key must get nothing.
@Suite("A secured APK's runtime against the build's own server config",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct SecuredAppRuntimeTests {
    @Test func theInjectedRuntimePresentsTheBuildsCertificateToItsServerAndARepackagedCopyGetsNothing() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates", "block-cleartext-traffic"])
        let result = try fixture.appseal(["build", Fixtures.url("apk/apps/hello-world.apk").path, "--fusion-set", setID,
                                          "--debug-sign", "--json-events"])
        try BuildFixture.require(result)
        let finished = try #require(BuildFixture.events(result).last)
        let output = try #require(finished["output"] as? String)
        let buildID = try #require(finished["build"] as? String)

        let scratch = try TemporaryDirectory(prefix: "appseal-secured-runtime")
        // The runtime exactly as the APK carries it.
        let dex = scratch.path("classes2.dex")
        try ZipArchiveData.entry("classes2.dex", of: output).write(to: URL(fileURLWithPath: dex))
        let jar = scratch.path("runtime.jar")
        try DexTools.enjarify(dex, to: jar)
        let sources = scratch.url.appendingPathComponent("java")
        let paths = try AndroidRuntimeStandIns.write(into: sources)
        let classes = scratch.path("classes")
        let json = "/usr/share/java/com.android.json.jar"  // Android's own org.json (libandroid-json-java)
        let javac = try ProcessRunner.run(try ProcessRunner.resolve("javac"), ["-nowarn", "-d", classes, "-cp", jar + ":" + json] + paths)
        try #require(javac.succeeded, "\(javac.combined)")
        let classPath = [jar, classes, json].joined(separator: ":")

        // The assets folder holds the APK's own blob.
        let assets = scratch.url.appendingPathComponent("assets")
        let blobURL = assets.appendingPathComponent(AndroidRuntime.sealedBlobAssetName)
        try FileManager.default.createDirectory(at: blobURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ZipArchiveData.entry(SealedBlob.assetPath, of: output).write(to: blobURL)

        // Signers: the debug key the build signed with, and a repackager's key.
        let debugDER = try Certificate(pem: Data(contentsOf: URL(fileURLWithPath: "\(fixture.workspace)/debug/debug.pem"))).der
        let genuine = scratch.url.appendingPathComponent("genuine.der")
        try debugDER.write(to: genuine)
        let repackagerPair = try TestPKI.makeCA(in: scratch.url, name: "repackager", subject: "/CN=Repackager")
        let repackager = scratch.url.appendingPathComponent("repackager.der")
        try Certificate(pem: Data(contentsOf: repackagerPair.certificate)).der.write(to: repackager)

        // nginx with nothing but the build's server/ snippet for client authentication.
        let serverCA = try TestPKI.makeCA(in: scratch.url, name: "server-ca", subject: "/CN=Secured app server CA")
        let server = try TestPKI.makeServerCertificate(in: scratch.url, issuer: serverCA)
        let snippet = "\(fixture.workspace)/builds/\(buildID)/server/nginx-client-certificates.conf"
        let nginx = try NginxServer(serverCertificate: server.certificate.path, serverKey: server.key.path,
                                    serverDirectives: "include \(snippet);")
        defer { nginx.stop() }
        let trustStore = scratch.path("trust.p12")
        let keytool = try ProcessRunner.run(try ProcessRunner.resolve("keytool"), [
            "-importcert", "-noprompt", "-alias", "server-ca", "-file", serverCA.certificate.path,
            "-keystore", trustStore, "-storetype", "PKCS12", "-storepass", "changeit",
        ])
        try #require(keytool.succeeded, "\(keytool.combined)")

        let url = "https://localhost:\(nginx.port)/"
        func run(signer: URL) throws -> DriverRun {
            let java = try ProcessRunner.run(try ProcessRunner.resolve("java"), [
                "-Xshare:off", "-Dhttp.keepAlive=false",
                "-Djavax.net.ssl.trustStore=\(trustStore)", "-Djavax.net.ssl.trustStorePassword=changeit",
                "-cp", classPath, AndroidRuntimeStandIns.driverClass, assets.path, signer.path, signer.path, "21", url,
            ])
            try #require(java.succeeded, "\(java.combined)")
            return DriverRun(output: java.stdout)
        }
        let signed = try run(signer: genuine)
        // Before onCreate nothing presents a certificate (nginx: 400); after it, every client gets 200.
        signed.expect(phase: "before", url: url) { $0 == "400" }
        signed.expect(phase: "after", url: url) { $0 == "200" }
        #expect(signed.log.contains("I/appseal: client certificate of build \(buildID) unsealed"), "\(signed.output)")

        let repackaged = try run(signer: repackager)
        repackaged.expect(phase: "after", url: url) {
            $0.contains("appseal: sealed credential unavailable") && $0.contains("no slot")
        }
    }
}

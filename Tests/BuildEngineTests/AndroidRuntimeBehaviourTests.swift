import AndroidPackage
import BuildEngine
import CryptoCore
import Foundation
import Testing
import TestSupport

/// The Android runtime, run for real: appseal's DEX converted to JVM classes by enjarify, started by
/// the driver through the provider's onCreate with test stand-ins for the android.* classes, against
/// nginx configured with the workspace's server-config snippet (client certificate required, issued by
/// the workspace CA, checked against its CRL). Each driver run
/// requests every URL with four clients before and after onCreate: HttpsURLConnection's default
/// factory ("plain"), SSLContext.getInstance("TLS").init(null, null, null) ("null-managers"),
/// init(null, {platform trust manager}, null) as OkHttp does ("platform-trust"), and java.net.http
/// with SSLContext.getDefault() ("engine": the SSLEngine API that Netty and gRPC use).
@Suite struct AndroidRuntimeBehaviourTests {
    static let clients = ["plain", "null-managers", "platform-trust", "engine"]

    @Test func genuineBuildPresentsItsCertificateToEveryClient() throws {
        let world = try RuntimeWorld()
        let blob = try world.blob(hosts: [], sealedFor: [world.signer])
        // Android 7+ (PinningTrustManager) and Android 5 (LegacyTrustManager).
        for sdk in [30, 21] {
            let run = try world.run(blob: blob, legacySigner: world.signerFile, currentSigner: world.signerFile, sdk: sdk,
                                    urls: [world.url(world.modern)])
            // Without the runtime nginx answers 400: no client certificate was sent.
            run.expect(phase: "before", url: world.url(world.modern)) { $0 == "400" }
            run.expect(phase: "after", url: world.url(world.modern)) { $0 == "200" }
            #expect(run.log.contains("I/appseal: client certificate of build \(world.buildID) unsealed"), "\(run.output)")
            #expect(run.log.contains("I/appseal: TLS defaults installed"), "\(run.output)")
            #expect(run.output.contains("onCreate true"))
        }
    }

    /// From API 28 the runtime asks for the current signers (GET_SIGNING_CERTIFICATES): with key
    /// rotation, GET_SIGNATURES reports the original key, which the blob is not sealed for.
    @Test func keyRotationUsesTheCurrentSignerFromAPI28() throws {
        let world = try RuntimeWorld()
        let blob = try world.blob(hosts: [], sealedFor: [world.signer])
        let url = world.url(world.modern)
        let rotated = try world.run(blob: blob, legacySigner: world.otherFile, currentSigner: world.signerFile, sdk: 28, urls: [url])
        rotated.expect(phase: "after", url: url) { $0 == "200" }
        let legacy = try world.run(blob: blob, legacySigner: world.otherFile, currentSigner: world.signerFile, sdk: 27, urls: [url])
        legacy.expect(phase: "after", url: url) { $0.contains("appseal: sealed credential unavailable") && $0.contains("no slot") }
    }

    /// Fails closed: a repackaged (other signer), altered or missing blob leaves nothing presented and
    /// every server refused, with the reason logged under the "appseal" tag; the app still starts.
    @Test(arguments: ["another signer", "tampered", "missing", "truncated"])
    func unavailableCredentialRefusesEveryServer(_ damage: String) throws {
        let world = try RuntimeWorld()
        var blob: Data? = try world.blob(hosts: [], sealedFor: [world.signer])
        var signer = world.signerFile
        let reason: String
        switch damage {
        case "another signer":
            signer = world.otherFile
            // Both sides are named, so logcat tells a repackaged app from a blob sealed for the wrong key.
            reason = "no slot for this app's signing certificate (re-signed with another key?): installed signer SHA-256 "
                + world.other.map { String(format: "%02x", $0) }.joined() + "; sealed for "
                + world.signer.map { String(format: "%02x", $0) }.joined()
        case "tampered":
            blob![blob!.count - 20] ^= 0x01
            reason = "does not authenticate"
        case "missing":
            blob = nil
            reason = "java.io.FileNotFoundException"
        default:
            blob = blob!.prefix(blob!.count - 1)
            reason = "length does not match its header"
        }
        let url = world.url(world.modern)
        // API 30: PinningTrustManager; API 23 (once): LegacyTrustManager, which refuses just the same.
        for sdk in damage == "another signer" ? [30, 23] : [30] {
            let run = try world.run(blob: blob, legacySigner: signer, currentSigner: signer, sdk: sdk, urls: [url])
            run.expect(phase: "before", url: url) { $0 == "400" }
            run.expect(phase: "after", url: url) {
                $0.hasPrefix("refused java.security.cert.CertificateException: appseal: sealed credential unavailable: ") && $0.contains(reason)
            }
            #expect(run.log.contains("E/appseal: sealed credential unavailable, every TLS server will be refused: "), "\(run.output)")
            #expect(run.log.contains(reason), "\(run.output)")
            #expect(run.output.contains("onCreate true"))
        }
    }

    /// Pins per host (public-key scheme), and the TLS minimum against a TLSv1.2-only server. The two
    /// names of one nginx (localhost, 127.0.0.1) carry different pins.
    @Test func pinsAndTLSMinimumAreEnforcedPerHost() throws {
        let world = try RuntimeWorld()
        let serverPin = try Certificate(pem: Data(contentsOf: world.server.certificate)).spkiPin
        let wrongPin = world.unrelatedPin
        let blob = try world.blob(hosts: ["localhost", "127.0.0.1"],
                                  pins: ["localhost": [wrongPin, serverPin], "127.0.0.1": [wrongPin]],
                                  pinScheme: "public-key", tlsMinimum: "1.3", sealedFor: [world.signer])
        let pinned = world.url(world.modern)
        let mispinned = world.url(world.modern, host: "127.0.0.1")
        let tooOld = world.url(world.tls12Only)
        let run = try world.run(blob: blob, legacySigner: world.signerFile, currentSigner: world.signerFile, sdk: 30,
                                urls: [pinned, mispinned, tooOld])
        run.expect(phase: "after", url: pinned) { $0 == "200" }
        run.expect(phase: "after", url: mispinned) {
            $0 == "refused java.security.cert.CertificateException: appseal: no pin of 127.0.0.1 matches the server's certificates (scheme public-key)"
        }
        run.expect(phase: "after", url: tooOld) {
            $0 == "refused java.security.cert.CertificateException: appseal: the server negotiated TLSv1.2, below this build's TLS minimum TLSv1.3"
        }
        #expect(run.log.contains("W/appseal: appseal: no pin of 127.0.0.1"), "\(run.output)")
    }

    /// The root scheme pins the CA the server's chain ends at, which nginx does not send (the runtime
    /// completes the chain from the platform's trusted CAs); the certificate goes only to listed hosts.
    @Test func rootPinAndHostListWithholdTheCertificateFromOtherHosts() throws {
        let world = try RuntimeWorld()
        let rootPin = "sha256/" + (try Certificate(pem: Data(contentsOf: world.serverCA.certificate))).sha256Fingerprint.bytes.base64EncodedString()
        let blob = try world.blob(hosts: ["localhost"], pins: ["localhost": [rootPin]], pinScheme: "root",
                                  sealedFor: [world.other, world.signer])
        let listed = world.url(world.modern)
        let unlisted = world.url(world.modern, host: "127.0.0.1")
        let run = try world.run(blob: blob, legacySigner: world.signerFile, currentSigner: world.signerFile, sdk: 30,
                                urls: [listed, unlisted])
        run.expect(phase: "after", url: listed) { $0 == "200" }
        // Not a listed host: the handshake succeeds, but without the client certificate.
        run.expect(phase: "after", url: unlisted) { $0 == "400" }

        let leafBlob = try world.blob(hosts: ["localhost"], pins: ["*.localhost": [rootPin], "localhost": [rootPin]],
                                      pinScheme: "leaf", sealedFor: [world.signer])
        let leafRun = try world.run(blob: leafBlob, legacySigner: world.signerFile, currentSigner: world.signerFile, sdk: 30,
                                    urls: [listed])
        leafRun.expect(phase: "after", url: listed) { $0.contains("no pin of localhost matches the server's certificates (scheme leaf)") }
    }
}

extension AndroidRuntimeBehaviourTests {
    /// Android 5 and 6 (API 21-23) have no X509ExtendedTrustManager and no handshake sessions: the
    /// runtime uses its plain trust manager and takes the peer host from the socket's address, so the
    /// certificate still goes to the listed hosts only; pins and the TLS minimum need API 24.
    @Test func androidFiveAndSixPresentTheCertificateToListedHostsOnly() throws {
        let world = try RuntimeWorld()
        let wrongPin = world.unrelatedPin
        let blob = try world.blob(hosts: ["localhost"], pins: ["localhost": [wrongPin]], pinScheme: "public-key",
                                  tlsMinimum: "1.3", sealedFor: [world.signer])
        let listed = world.url(world.modern)
        let unlisted = world.url(world.modern, host: "127.0.0.1")
        let run = try world.run(blob: blob, legacySigner: world.signerFile, currentSigner: world.signerFile, sdk: 23,
                                urls: [listed, unlisted, world.url(world.tls12Only)])
        run.expect(phase: "after", url: listed) { $0 == "200" }
        run.expect(phase: "after", url: unlisted) { $0 == "400" }
        // Documented limit of API 21-23: the platform does not say which host or protocol a check is for.
        run.expect(phase: "after", url: world.url(world.tls12Only)) { $0 == "200" }
    }

    /// The runtime's own parsers, called directly: it reads what `SealedBlob.seal` wrote, and rejects
    /// every flipped byte, every truncation and trailing data of the blob, crafted payload lengths
    /// (including 2^32 - 1) and configurations with an unknown version, platform, scheme, minimum or
    /// pin form; host matching, pin lookup and its base64 agree with the documented rules.
    @Test func runtimeParsersReadTheBuildsBlobAndRejectHostileInput() throws {
        let world = try RuntimeWorld(servers: false)
        let password = try CredentialPassword.generate()
        let configuration = RuntimeConfiguration(
            buildID: world.buildID, appID: "com.example.sealed", platform: .android, hosts: ["api.example.com"],
            pins: ["api.example.com": ["sha256/" + Data(repeating: 7, count: 32).base64EncodedString()]],
            pinScheme: "leaf", tlsMinimum: "1.3", certificateSHA256: String(repeating: "ab", count: 32),
            certificateSerial: "0F", features: ["mobile-client-certificates"])
        let pkcs12 = Data((0..<900).map { UInt8($0 % 251) })
        let blob = try SealedBlob.seal(SealedPayload(configuration: configuration, pkcs12: pkcs12, pkcs12Password: password),
                                       signerCertificateSHA256: [world.other, world.signer])
        let blobFile = world.directory.url.appendingPathComponent("probe.bin")
        try blob.write(to: blobFile)
        let result = try ProcessRunner.run(try ProcessRunner.resolve("java"), [
            "-Xshare:off", "-cp", world.classPath, AndroidRuntimeStandIns.probeClass, blobFile.path, world.signerFile.path,
        ])
        try #require(result.succeeded, "\(result.combined)")
        let lines = result.stdout.components(separatedBy: "\n")
        #expect(lines.contains("failures 0"), "\(result.stdout)")
        #expect(!lines.contains { $0.hasPrefix("FAIL") }, "\(result.stdout)")
        #expect(lines.filter { $0.hasPrefix("ok ") }.count >= 30, "\(result.stdout)")
        #expect(lines.contains("password \(password)"))
        #expect(lines.contains("pkcs12 \(pkcs12.count)"))
        let json = try #require(lines.first { $0.hasPrefix("configuration ") }?.dropFirst("configuration ".count))
        #expect(try JSONDecoder().decode(RuntimeConfiguration.self, from: Data(json.utf8)) == configuration)
    }
}

/// One driver run's output: "<phase> <client> <url> <outcome>" lines and the logcat lines.
struct DriverRun {
    let output: String
    var log: String { output.components(separatedBy: "\n").filter { $0.contains("/appseal: ") }.joined(separator: "\n") }

    func outcome(phase: String, client: String, url: String) -> String? {
        let prefix = "\(phase) \(client) \(url) "
        return output.components(separatedBy: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    func expect(phase: String, url: String, sourceLocation: SourceLocation = #_sourceLocation, _ accepted: (String) -> Bool) {
        for client in AndroidRuntimeBehaviourTests.clients {
            let outcome = outcome(phase: phase, client: client, url: url)
            #expect(outcome.map(accepted) == true, "\(phase) \(client) \(url): \(outcome ?? "no outcome")\n\(output)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// What every test shares, built once per test process (the slow part) and removed when the process
/// exits: the runtime's DEX as JVM classes (enjarify), the stand-ins, driver and probe compiled
/// against them, Android's org.json, and the PKI: a workspace whose appseal CA issued the app's client
/// credential and wrote the nginx snippet of server-config (what a build's `server/` holds), the
/// server's own CA and certificate with the JVM's trust store, the app's signing certificate and a
/// repackager's.
struct RuntimeFixture: Sendable {
    let classPath: String
    let serverCA: PEMPair
    let server: PEMPair
    /// The client credential as the build embeds it (appseal's CA and PKCS#12 encoder).
    let clientCertificate: Certificate
    let clientPKCS12: Data
    let clientPassword: String
    /// `server-config --format nginx` of the workspace: client verification against its CA and CRL.
    let nginxSnippet: String
    /// The public-key pin of a key no server here uses.
    let unrelatedPin: String
    /// DER certificates the app is "signed" with, and their SHA-256.
    let signerFile: URL
    let otherFile: URL
    let signer: Data
    let other: Data
    let trustStore: String

    static let shared: Result<RuntimeFixture, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("appseal-runtime-shared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        folderToRemove = folder.path
        atexit {
            if let folder = RuntimeFixture.folderToRemove { try? FileManager.default.removeItem(atPath: folder) }
        }
        return try RuntimeFixture(folder: folder)
    }

    /// Written once, inside the initialiser of `shared` (which runs once), read at exit.
    nonisolated(unsafe) static var folderToRemove: String?

    private init(folder: URL) throws {
        let dex = folder.appendingPathComponent("runtime.dex").path
        try Data(try AndroidRuntime.assembleDEX()).write(to: URL(fileURLWithPath: dex))
        let jar = folder.appendingPathComponent("runtime.jar").path
        try DexTools.enjarify(dex, to: jar)
        let json = "/usr/share/java/com.android.json.jar"
        guard FileManager.default.fileExists(atPath: json) else {
            throw ToolFailure(tool: "libandroid-json-java", reason: "is not installed (scripts/install-prerequisites)", log: json)
        }
        let sources = folder.appendingPathComponent("java")
        let paths = try AndroidRuntimeStandIns.write(into: sources)
        let classes = folder.appendingPathComponent("classes").path
        let javac = try ProcessRunner.run(try ProcessRunner.resolve("javac"), ["-nowarn", "-d", classes, "-cp", jar + ":" + json] + paths)
        guard javac.succeeded else { throw ToolFailure(tool: "javac", reason: "failed", log: javac.combined) }
        classPath = [jar, classes, json].joined(separator: ":")

        serverCA = try TestPKI.makeCA(in: folder, name: "server-ca", subject: "/CN=Runtime Test Server CA")
        server = try TestPKI.makeServerCertificate(in: folder, issuer: serverCA)
        let workspace = try Workspace.open(at: folder.appendingPathComponent("workspace").path)
        let authority = try CertificateAuthority.initialize(in: workspace)
        let credential = try authority.issueClientCertificate(appID: "com.example.sealed", platform: .android)
        clientCertificate = credential.certificate
        clientPassword = try CredentialPassword.generate()
        clientPKCS12 = try credential.pkcs12(password: clientPassword)
        nginxSnippet = try ServerConfigWriter.write(format: .nginx, to: folder.appendingPathComponent("server"),
                                                    workspace: workspace).snippet.path
        unrelatedPin = authority.certificate.spkiPin
        let signerPair = try TestPKI.makeCA(in: folder, name: "signer", subject: "/CN=App Signing Key")
        let otherPair = try TestPKI.makeCA(in: folder, name: "other", subject: "/CN=Repackager's Key")
        signerFile = folder.appendingPathComponent("signer.der")
        otherFile = folder.appendingPathComponent("other.der")
        let signerDER = try Certificate(pem: Data(contentsOf: signerPair.certificate)).der
        let otherDER = try Certificate(pem: Data(contentsOf: otherPair.certificate)).der
        try signerDER.write(to: signerFile)
        try otherDER.write(to: otherFile)
        signer = Digest.sha256(signerDER).bytes
        other = Digest.sha256(otherDER).bytes

        trustStore = folder.appendingPathComponent("trust.p12").path
        let keytool = try ProcessRunner.run(try ProcessRunner.resolve("keytool"), [
            "-importcert", "-noprompt", "-alias", "server-ca", "-file", serverCA.certificate.path,
            "-keystore", trustStore, "-storetype", "PKCS12", "-storepass", "changeit",
        ])
        guard keytool.succeeded else { throw ToolFailure(tool: "keytool", reason: "failed", log: keytool.combined) }
    }
}

/// The nginx servers and the sealed blobs for one test, over the shared fixture.
@dynamicMemberLookup
final class RuntimeWorld {
    let directory: TemporaryDirectory
    let fixture: RuntimeFixture
    let buildID = "20261203-150000-0a1b2c3d"
    /// TLS 1.2 and 1.3; TLS 1.2 only. Both include the workspace's nginx snippet.
    private let modernServer: NginxServer?
    private let tls12OnlyServer: NginxServer?
    var modern: NginxServer { modernServer! }
    var tls12Only: NginxServer { tls12OnlyServer! }

    subscript<Value>(dynamicMember keyPath: KeyPath<RuntimeFixture, Value>) -> Value { fixture[keyPath: keyPath] }

    /// `servers: false` leaves nginx out, for tests that need only the PKI and the classes.
    init(servers: Bool = true) throws {
        directory = try TemporaryDirectory(prefix: "appseal-runtime")
        fixture = try RuntimeFixture.shared.get()
        guard servers else {
            modernServer = nil
            tls12OnlyServer = nil
            return
        }
        let clientAuthentication = "        include \(fixture.nginxSnippet);\n"
        modernServer = try NginxServer(serverCertificate: fixture.server.certificate.path, serverKey: fixture.server.key.path,
                                       serverDirectives: "        ssl_protocols TLSv1.2 TLSv1.3;\n" + clientAuthentication)
        tls12OnlyServer = try NginxServer(serverCertificate: fixture.server.certificate.path, serverKey: fixture.server.key.path,
                                          serverDirectives: "        ssl_protocols TLSv1.2;\n" + clientAuthentication)
    }

    func url(_ server: NginxServer, host: String = "localhost") -> String { "https://\(host):\(server.port)/" }

    /// A blob as the build seals it: the workspace CA's credential as PKCS#12 and the configuration.
    func blob(hosts: [String], pins: [String: [String]] = [:], pinScheme: String? = nil, tlsMinimum: String? = nil,
              sealedFor signers: [Data]) throws -> Data {
        let certificate = fixture.clientCertificate
        let configuration = RuntimeConfiguration(
            buildID: buildID, appID: "com.example.sealed", platform: .android, hosts: hosts, pins: pins,
            pinScheme: pinScheme, tlsMinimum: tlsMinimum, certificateSHA256: certificate.sha256Fingerprint.hex,
            certificateSerial: certificate.serialNumber.hex, features: ["mobile-client-certificates"])
        return try SealedBlob.seal(SealedPayload(configuration: configuration, pkcs12: fixture.clientPKCS12,
                                                 pkcs12Password: fixture.clientPassword),
                                   signerCertificateSHA256: signers)
    }

    /// Runs the driver in a fresh JVM with `blob` as the app's asset (none when nil).
    func run(blob: Data?, legacySigner: URL, currentSigner: URL, sdk: Int, urls: [String]) throws -> DriverRun {
        let assets = directory.url.appendingPathComponent("assets-\(UUID().uuidString)")
        let folder = assets.appendingPathComponent((AndroidRuntime.sealedBlobAssetName as NSString).deletingLastPathComponent)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let blob { try blob.write(to: assets.appendingPathComponent(AndroidRuntime.sealedBlobAssetName)) }
        let result = try ProcessRunner.run(try ProcessRunner.resolve("java"), [
            "-Xshare:off", "-Dhttp.keepAlive=false",
            "-Djavax.net.ssl.trustStore=\(fixture.trustStore)", "-Djavax.net.ssl.trustStorePassword=changeit",
            "-cp", fixture.classPath, AndroidRuntimeStandIns.driverClass,
            assets.path, legacySigner.path, currentSigner.path, String(sdk),
        ] + urls)
        guard result.succeeded else { throw ToolFailure(tool: "java", reason: "driver failed", log: result.combined) }
        return DriverRun(output: result.stdout)
    }
}

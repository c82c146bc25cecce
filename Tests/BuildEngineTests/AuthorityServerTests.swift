import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// Issue 3's proof: nginx and HAProxy configured only by what `appseal server-config` wrote
/// (plus the server's own TLS certificate) accept the workspace CA's clients and refuse every
/// other client, including after a revocation and a reload. Everything is done through the real
/// `appseal` binary except the expired certificate, which needs a validity window in the past.
@Suite("Certificate authority against real servers")
struct AuthorityServerTests {
    static let appID = "com.example.app"

    /// A workspace whose CA started 30 days ago (so an expired client can exist), two issued
    /// clients, and the clients that must be refused.
    final class Matrix {
        let folder: TemporaryDirectory
        let workspacePath: String
        let transcript = Transcript()
        let serverCA: PEMPair
        let server: PEMPair
        let serverCombined: URL
        /// `ca issue` clients: PKCS#12 (modern and compatible) and the PEM openssl extracts from each.
        let first: IssuedClient
        let second: IssuedClient
        let selfSigned: PEMPair
        let foreign: PEMPair
        let expired: PEMPair
        let passphrase = "matrix-ca-passphrase-\(UUID().uuidString)"

        struct IssuedClient {
            let serial: String
            let p12: String
            let password: String
            let pem: PEMPair
        }

        init() throws {
            folder = try TemporaryDirectory()
            workspacePath = folder.path("ws")
            let workspace = try Workspace.open(at: workspacePath)
            let start = Date().addingTimeInterval(-30 * 86_400)
            let authority = try CertificateAuthority.initialize(in: workspace, subject: "CN=Matrix CA,O=appseal tests",
                                                                passphrase: passphrase, now: start)
            // The CRL signed at init is dated 30 days ago too; `ca crl` signs a current one.
            try transcript.appseal(["ca", "crl"], workspace: workspacePath, passphrase: passphrase)

            first = try Self.issue(name: "first", profile: "modern", folder: folder, workspace: workspacePath,
                                   transcript: transcript, passphrase: passphrase)
            second = try Self.issue(name: "second", profile: "compatible", folder: folder, workspace: workspacePath,
                                    transcript: transcript, passphrase: passphrase)

            let identity = try ClientIdentity(appID: AuthorityServerTests.appID, platform: .android)
            let subject = "/O=\(ClientIdentity.organization)/OU=android/CN=\(AuthorityServerTests.appID)"
            selfSigned = try TestPKI.makeClientCertificate(in: folder.url, name: "self-signed", issuer: nil,
                                                           subject: subject, sanURI: identity.uri)
            // Another CA with exactly the workspace CA's name: only the signature tells them apart.
            let impostorCA = try TestPKI.makeCA(in: folder.url, name: "impostor-ca", subject: "/O=appseal tests/CN=Matrix CA")
            foreign = try TestPKI.makeClientCertificate(in: folder.url, name: "foreign", issuer: impostorCA,
                                                        subject: subject, sanURI: identity.uri)
            let expiredCredential = try authority.issueClientCertificate(
                identity: identity, buildID: nil, keyType: .ecP256,
                validity: DateInterval(start: start.addingTimeInterval(3600), end: start.addingTimeInterval(2 * 86_400)))
            expired = PEMPair(certificate: folder.url.appendingPathComponent("expired.pem"),
                              key: folder.url.appendingPathComponent("expired.key"))
            try expiredCredential.certificate.pem.write(to: expired.certificate, atomically: true, encoding: .utf8)
            try AtomicFile.write(Data(try expiredCredential.privateKey.pemEncoded().utf8), to: expired.key,
                                 permissions: AtomicFile.secretPermissions)

            serverCA = try TestPKI.makeCA(in: folder.url, name: "server-ca", subject: "/CN=Matrix server CA")
            server = try TestPKI.makeServerCertificate(in: folder.url, issuer: serverCA)
            serverCombined = folder.url.appendingPathComponent("server-combined.pem")
            try (String(contentsOf: server.certificate, encoding: .utf8) + String(contentsOf: server.key, encoding: .utf8))
                .write(to: serverCombined, atomically: true, encoding: .utf8)
        }

        private static func issue(name: String, profile: String, folder: TemporaryDirectory, workspace: String,
                                  transcript: Transcript, passphrase: String) throws -> IssuedClient {
            let p12 = folder.path("\(name).p12")
            let result = try transcript.appseal(["ca", "issue", "--app-id", AuthorityServerTests.appID, "--out", p12,
                                                 "--profile", profile, "--json"], workspace: workspace, passphrase: passphrase)
            struct Summary: Decodable {
                struct Certificate: Decodable { let serial: String }
                let certificate: Certificate
                let passwordFile: String?
            }
            let summary = try JSONDecoder().decode(Summary.self, from: result.stdoutData)
            let passwordFile = try #require(summary.passwordFile)
            let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            // curl --cert/--key wants PEM: openssl itself takes it out of the PKCS#12.
            let pem = PEMPair(certificate: folder.url.appendingPathComponent("\(name).pem"),
                              key: folder.url.appendingPathComponent("\(name).key"))
            for (flag, output) in [("-nokeys", pem.certificate), ("-nocerts", pem.key)] {
                let extract = try ProcessRunner.run("openssl", ["pkcs12", "-in", p12, flag, "-nodes", "-clcerts",
                                                                "-passin", "file:" + passwordFile, "-out", output.path])
                guard extract.succeeded else { throw ToolFailure(tool: "openssl pkcs12", reason: "failed", log: extract.combined) }
            }
            return IssuedClient(serial: summary.certificate.serial, p12: p12, password: password, pem: pem)
        }

        func serverConfig(_ format: String, _ extra: [String] = []) throws -> URL {
            let out = folder.url.appendingPathComponent("server-\(format)")
            try transcript.appseal(["server-config", "--format", format, "--out", out.path] + extra, workspace: workspacePath)
            return out
        }

        /// Everything secret the tests made; none of it may appear in any output or log.
        var secrets: [String] {
            var values = [passphrase, first.password, second.password]
            for pair in [first.pem, second.pem, expired] {
                let key = (try? String(contentsOf: pair.key, encoding: .utf8)) ?? ""
                values += key.components(separatedBy: "\n").filter { $0.count > 40 && !$0.hasPrefix("-----") }
            }
            return values
        }
    }

    /// Asserts how a server answered each client. `refused` is what a refusal looks like there.
    static func expectMatrix(port: Int, _ matrix: Matrix, refused: (HTTPSOutcome) -> Bool,
                             log: () -> String) throws {
        let serverCA = matrix.serverCA.certificate.path
        let accepted: [(String, HTTPSOutcome)] = [
            ("curl --cert/--key", try HTTPSClient.curl(port: port, serverCA: serverCA,
                credential: .pem(certificate: matrix.first.pem.certificate.path, key: matrix.first.pem.key.path))),
            ("curl P12 modern", try HTTPSClient.curl(port: port, serverCA: serverCA,
                credential: .pkcs12(path: matrix.first.p12, password: matrix.first.password))),
            ("curl P12 compatible", try HTTPSClient.curl(port: port, serverCA: serverCA,
                credential: .pkcs12(path: matrix.second.p12, password: matrix.second.password))),
            ("openssl s_client", try HTTPSClient.sClient(port: port, serverCA: serverCA,
                certificate: matrix.second.pem.certificate.path, key: matrix.second.pem.key.path)),
        ]
        for (client, outcome) in accepted {
            #expect(outcome.httpStatus == 200, "\(client): \(outcome)\n\(log())")
            #expect(outcome.body.contains("appseal-ok"), "\(client): \(outcome)")
        }
        let refusedClients: [(String, HTTPSOutcome)] = [
            ("no certificate", try HTTPSClient.curl(port: port, serverCA: serverCA, credential: .none)),
            ("self-signed look-alike", try HTTPSClient.curl(port: port, serverCA: serverCA,
                credential: .pem(certificate: matrix.selfSigned.certificate.path, key: matrix.selfSigned.key.path))),
            ("another CA of the same name", try HTTPSClient.curl(port: port, serverCA: serverCA,
                credential: .pem(certificate: matrix.foreign.certificate.path, key: matrix.foreign.key.path))),
            ("expired", try HTTPSClient.curl(port: port, serverCA: serverCA,
                credential: .pem(certificate: matrix.expired.certificate.path, key: matrix.expired.key.path))),
            ("s_client self-signed", try HTTPSClient.sClient(port: port, serverCA: serverCA,
                certificate: matrix.selfSigned.certificate.path, key: matrix.selfSigned.key.path)),
        ]
        for (client, outcome) in refusedClients {
            #expect(refused(outcome), "\(client) was not refused: \(outcome)")
            #expect(!outcome.body.contains("appseal-ok"), "\(client) reached the backend")
        }
    }

    static func expectRevocation(port: Int, _ matrix: Matrix, refused: (HTTPSOutcome) -> Bool,
                                 reload: () throws -> Void) throws {
        let serverCA = matrix.serverCA.certificate.path
        try matrix.transcript.appseal(["ca", "revoke", matrix.first.serial, "--reason", "key-compromise"],
                                      workspace: matrix.workspacePath, passphrase: matrix.passphrase)
        try reload()
        let revokedPEM = try HTTPSClient.curl(port: port, serverCA: serverCA,
            credential: .pem(certificate: matrix.first.pem.certificate.path, key: matrix.first.pem.key.path))
        let revokedP12 = try HTTPSClient.curl(port: port, serverCA: serverCA,
            credential: .pkcs12(path: matrix.first.p12, password: matrix.first.password))
        let kept = try HTTPSClient.curl(port: port, serverCA: serverCA,
            credential: .pkcs12(path: matrix.second.p12, password: matrix.second.password))
        #expect(refused(revokedPEM), "revoked certificate was not refused: \(revokedPEM)")
        #expect(refused(revokedP12), "revoked PKCS#12 was not refused: \(revokedP12)")
        #expect(kept.httpStatus == 200, "the other issued certificate must still pass: \(kept)")
    }

    static func expectNoSecrets(_ matrix: Matrix, serverLog: String) {
        let everything = matrix.transcript.text + serverLog
        for secret in matrix.secrets {
            #expect(!everything.contains(secret), "a secret appeared in output or logs")
        }
    }

    @Test func nginx() throws {
        let matrix = try Matrix()
        let out = try matrix.serverConfig("nginx")
        let snippet = out.appendingPathComponent("nginx-client-certificates.conf").path
        let nginx = try NginxServer(serverCertificate: matrix.server.certificate.path, serverKey: matrix.server.key.path,
                                    serverDirectives: "include \(snippet);")
        defer { nginx.stop() }
        // nginx answers a refused client certificate with 400 before any location runs.
        let refused: (HTTPSOutcome) -> Bool = { $0.httpStatus == 400 }
        try Self.expectMatrix(port: nginx.port, matrix, refused: refused, log: { nginx.log })
        try Self.expectRevocation(port: nginx.port, matrix, refused: refused) {
            _ = try matrix.serverConfig("nginx")
            try nginx.reload()
        }
        Self.expectNoSecrets(matrix, serverLog: nginx.log)
    }

    @Test func haproxy() throws {
        let matrix = try Matrix()
        let port = try Network.freePort()
        let out = try matrix.serverConfig("haproxy", ["--listen", "127.0.0.1:\(port)",
                                                      "--server-cert", matrix.serverCombined.path, "--app-id", Self.appID])
        let base = try HAProxyBase.write(in: matrix.folder.url)
        let haproxy = try HAProxyServer(port: port, configFiles: [base, out.appendingPathComponent("haproxy-frontend.cfg")])
        defer { haproxy.stop() }
        // HAProxy refuses an unverified client in the TLS handshake: no HTTP status at all.
        let refused: (HTTPSOutcome) -> Bool = { $0.httpStatus == nil }
        try Self.expectMatrix(port: port, matrix, refused: refused, log: { haproxy.log })
        try Self.expectRevocation(port: port, matrix, refused: refused) {
            _ = try matrix.serverConfig("haproxy", ["--listen", "127.0.0.1:\(port)",
                                                    "--server-cert", matrix.serverCombined.path, "--app-id", Self.appID])
            try haproxy.reload()
        }
        Self.expectNoSecrets(matrix, serverLog: haproxy.log)
    }
}

/// Runs the real binary and keeps everything it printed, for the no-secrets checks.
final class Transcript: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""

    var text: String { lock.withLock { collected } }

    @discardableResult
    func appseal(_ arguments: [String], workspace: String, passphrase: String? = nil,
                 environment: [String: String] = [:], expectStatus: Int32? = 0) throws -> ProcessResult {
        var env = environment
        if let passphrase { env["APPSEAL_CA_PASSPHRASE"] = passphrase }
        let result = try ProcessRunner.appseal(["--workspace", workspace] + arguments, environment: env)
        lock.withLock { collected += result.stdout + result.stderr }
        if let expectStatus, result.status != expectStatus {
            throw ToolFailure(tool: "appseal \(arguments.prefix(2).joined(separator: " "))",
                                     reason: "exited \(result.status), expected \(expectStatus)", log: result.combined)
        }
        return result
    }
}

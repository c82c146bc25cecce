import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// The snippets themselves: what they contain, that the servers' own checkers accept them, and
/// that nginx and HAProxy configured only from them accept a client of the CA and refuse others.
/// The full matrix with the workspace CA (revocation, expiry, look-alikes) is in AuthorityServerTests.
@Suite("Server config")
struct ServerConfigTests {
    /// An openssl-made CA with an empty CRL, a server certificate and one client, in a temp folder.
    final class Setup {
        let folder: TemporaryDirectory
        let ca: PEMPair
        let serverCA: PEMPair
        let server: PEMPair
        let material: ServerConfigMaterial

        init() throws {
            folder = try TemporaryDirectory()
            ca = try TestPKI.makeCA(in: folder.url, name: "client-ca", subject: "/CN=Test client CA")
            serverCA = try TestPKI.makeCA(in: folder.url, name: "server-ca", subject: "/CN=Test server CA")
            server = try TestPKI.makeServerCertificate(in: folder.url, issuer: serverCA)
            let crl = try TestPKI.makeEmptyCRL(in: folder.url, issuer: ca)
            material = ServerConfigMaterial(
                caBundlePEM: try Data(contentsOf: ca.certificate), crlPEM: try Data(contentsOf: crl),
                caSubject: "CN=Test client CA", caFingerprintSHA256: "00:11", bundleCertificateCount: 1,
                crlNextUpdate: Date().addingTimeInterval(30 * 86400))
        }

        func client(_ name: String, identity: ClientIdentity, issuer: PEMPair?) throws -> PEMPair {
            try TestPKI.makeClientCertificate(in: folder.url, name: name, issuer: issuer,
                                              subject: "/O=\(ClientIdentity.organization)/OU=\(identity.platform.rawValue)/CN=\(identity.appID)",
                                              sanURI: identity.uri)
        }
    }

    @Test func nginxSnippetRequiresVerifiesAndNamesItsFiles() throws {
        let setup = try Setup()
        let out = setup.folder.url.appendingPathComponent("nginx")
        let result = try ServerConfigWriter.write(format: .nginx, to: out, material: setup.material)
        let snippet = try String(contentsOf: result.snippet, encoding: .utf8)
        #expect(result.snippet.lastPathComponent == "nginx-client-certificates.conf")
        for directive in ["ssl_verify_client on;", "ssl_client_certificate \(out.path)/ca.pem;",
                          "ssl_crl \(out.path)/crl.pem;", "ssl_verify_depth 1;"] {
            #expect(snippet.contains("\n" + directive + "\n"), "missing \(directive)")
        }
        #expect(snippet.contains("#   1. appseal ca crl --out \(out.path)/crl.pem   (or run this server-config command again)\n#   2. nginx -s reload\n"))
        #expect(snippet.contains("appseal ca revoke SERIAL"))
        #expect(!snippet.contains("$ssl_client_s_dn"), "no app restriction was asked for")
        #expect(try Data(contentsOf: result.caBundle) == setup.material.caBundlePEM)
        #expect(try Data(contentsOf: result.crl) == setup.material.crlPEM)
    }

    @Test func installDirectoryIsWhatTheSnippetReferences() throws {
        let setup = try Setup()
        var options = ServerConfigOptions()
        options.installDirectory = "/etc/nginx/appseal"
        let result = try ServerConfigWriter.write(format: .nginx, to: setup.folder.url.appendingPathComponent("n"),
                                                  material: setup.material, options: options)
        let snippet = try String(contentsOf: result.snippet, encoding: .utf8)
        #expect(snippet.contains("\nssl_client_certificate /etc/nginx/appseal/ca.pem;\n"))
        #expect(snippet.contains("include /etc/nginx/appseal/nginx-client-certificates.conf;"))
        #expect(snippet.contains("#   2. copy it to /etc/nginx/appseal/crl.pem on the server\n#   3. nginx -s reload\n"))
    }

    @Test(arguments: [
        ("listen", "no-port"), ("listen", ":0"), ("listen", ":70000"), ("listen", "host;x:443"),
        ("install", "relative/path"), ("install", "/etc/nginx; evil"), ("install", "/a b"),
        ("cert", "/x\"y"), ("backend", "bad name"), ("backend", ""),
    ])
    func unsafeOptionsAreRefused(option: String, value: String) throws {
        let setup = try Setup()
        var options = ServerConfigOptions()
        switch option {
        case "listen": options.listen = value
        case "install": options.installDirectory = value
        case "cert": options.serverCertificatePath = value
        default: options.backendName = value
        }
        let out = setup.folder.url.appendingPathComponent("refused")
        #expect(throws: ServerConfigError.self) {
            try ServerConfigWriter.write(format: .haproxy, to: out, material: setup.material, options: options)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing is written for refused options")
    }

    @Test func haproxySnippetPassesHAProxysOwnCheck() throws {
        let setup = try Setup()
        let combined = setup.folder.url.appendingPathComponent("server-combined.pem")
        try (String(contentsOf: setup.server.certificate, encoding: .utf8) + String(contentsOf: setup.server.key, encoding: .utf8))
            .write(to: combined, atomically: true, encoding: .utf8)
        var options = ServerConfigOptions()
        options.serverCertificatePath = combined.path
        options.listen = "127.0.0.1:\(try Network.freePort())"
        options.allowedClients = [try ClientIdentity(appID: "com.example.app", platform: .android)]
        let out = setup.folder.url.appendingPathComponent("haproxy")
        let result = try ServerConfigWriter.write(format: .haproxy, to: out, material: setup.material, options: options)
        let snippet = try String(contentsOf: result.snippet, encoding: .utf8)
        #expect(snippet.contains("verify required ca-file \(out.path)/ca.pem crl-file \(out.path)/crl.pem"))
        #expect(snippet.contains("ssl_c_s_dn(,0,rfc2253) -m str \"CN=com.example.app,OU=android,O=appseal client\""))
        let base = try HAProxyBase.write(in: setup.folder.url)
        let check = try ProcessRunner.run("haproxy", ["-c", "-f", base.path, "-f", result.snippet.path])
        #expect(check.succeeded, "\(check.combined)")
    }

    @Test func envoySnippetIsTheDownstreamTLSContextEnvoyExpects() throws {
        let setup = try Setup()
        var options = ServerConfigOptions()
        options.allowedClients = [try ClientIdentity(appID: "com.example.app", platform: .android),
                                  try ClientIdentity(appID: "com.example.app", platform: .ios)]
        let out = setup.folder.url.appendingPathComponent("envoy")
        let result = try ServerConfigWriter.write(format: .envoy, to: out, material: setup.material, options: options)
        // PyYAML reads it as Envoy's loader would; print the fields Envoy acts on.
        let script = """
        import sys, yaml, json
        doc = yaml.safe_load(open(sys.argv[1]))
        ctx = doc["transport_socket"]["typed_config"]
        v = ctx["common_tls_context"]["validation_context"]
        print(json.dumps({"type": ctx["@type"], "require": ctx["require_client_certificate"],
                          "ca": v["trusted_ca"]["filename"], "crl": v["crl"]["filename"],
                          "leaf": v["only_verify_leaf_cert_crl"],
                          "sans": [(m["san_type"], m["matcher"]["exact"]) for m in v["match_typed_subject_alt_names"]]}, sort_keys=True))
        """
        let parsed = try ProcessRunner.run("python3", ["-c", script, result.snippet.path])
        #expect(parsed.succeeded, "\(parsed.combined)")
        struct Fields: Decodable, Equatable {
            let type: String, require: Bool, ca: String, crl: String, leaf: Bool, sans: [[String]]
        }
        let fields = try JSONDecoder().decode(Fields.self, from: parsed.stdoutData)
        #expect(fields == Fields(
            type: "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
            require: true, ca: out.path + "/ca.pem", crl: out.path + "/crl.pem", leaf: true,
            sans: [["URI", "urn:appseal:app:android:com.example.app"], ["URI", "urn:appseal:app:ios:com.example.app"]]))
    }

    @Test func nginxFromTheSnippetAcceptsTheCAsClientOnlyAndRestrictsApps() throws {
        let setup = try Setup()
        let allowed = try ClientIdentity(appID: "com.example.app", platform: .android)
        let other = try ClientIdentity(appID: "com.example.other", platform: .android)
        var options = ServerConfigOptions()
        options.allowedClients = [allowed]
        let out = setup.folder.url.appendingPathComponent("nginx")
        let result = try ServerConfigWriter.write(format: .nginx, to: out, material: setup.material, options: options)
        let nginx = try NginxServer(serverCertificate: setup.server.certificate.path, serverKey: setup.server.key.path,
                                    serverDirectives: "include \(result.snippet.path);")
        defer { nginx.stop() }
        let serverCA = setup.serverCA.certificate.path

        let good = try setup.client("good", identity: allowed, issuer: setup.ca)
        let accepted = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA,
                                            credential: .pem(certificate: good.certificate.path, key: good.key.path))
        #expect(accepted.httpStatus == 200, "\(accepted)\n\(nginx.log)")
        #expect(accepted.body == "appseal-ok\n")

        let none = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA, credential: .none)
        #expect(none.httpStatus == 400, "\(none)")

        let wrongApp = try setup.client("other-app", identity: other, issuer: setup.ca)
        let forbidden = try HTTPSClient.curl(port: nginx.port, serverCA: serverCA,
                                             credential: .pem(certificate: wrongApp.certificate.path, key: wrongApp.key.path))
        #expect(forbidden.httpStatus == 403, "\(forbidden)")
    }

    @Test func haproxyFromTheSnippetAcceptsTheCAsClientOnly() throws {
        let setup = try Setup()
        let combined = setup.folder.url.appendingPathComponent("server-combined.pem")
        try (String(contentsOf: setup.server.certificate, encoding: .utf8) + String(contentsOf: setup.server.key, encoding: .utf8))
            .write(to: combined, atomically: true, encoding: .utf8)
        let identity = try ClientIdentity(appID: "com.example.app", platform: .ios)
        let port = try Network.freePort()
        var options = ServerConfigOptions()
        options.serverCertificatePath = combined.path
        options.listen = "127.0.0.1:\(port)"
        options.allowedClients = [identity]
        let result = try ServerConfigWriter.write(format: .haproxy, to: setup.folder.url.appendingPathComponent("h"),
                                                  material: setup.material, options: options)
        let haproxy = try HAProxyServer(port: port, configFiles: [try HAProxyBase.write(in: setup.folder.url), result.snippet])
        defer { haproxy.stop() }
        let serverCA = setup.serverCA.certificate.path

        let good = try setup.client("good", identity: identity, issuer: setup.ca)
        let accepted = try HTTPSClient.sClient(port: port, serverCA: serverCA,
                                               certificate: good.certificate.path, key: good.key.path)
        #expect(accepted.httpStatus == 200, "\(accepted)\n\(haproxy.log)")

        let none = try HTTPSClient.curl(port: port, serverCA: serverCA, credential: .none)
        #expect(none.httpStatus == nil && none.exitStatus != 0, "\(none)")

        let android = try setup.client("android", identity: try ClientIdentity(appID: "com.example.app", platform: .android), issuer: setup.ca)
        let forbidden = try HTTPSClient.curl(port: port, serverCA: serverCA,
                                             credential: .pem(certificate: android.certificate.path, key: android.key.path))
        #expect(forbidden.httpStatus == 403, "\(forbidden)")
    }
}

/// The part of an HAProxy config that is the user's, not appseal's: global, defaults and the
/// backend the snippet's frontend forwards to (here it answers 200 itself).
enum HAProxyBase {
    static func write(in folder: URL, backend: String = "app") throws -> URL {
        let url = folder.appendingPathComponent("haproxy-base.cfg")
        let text = """
        global
            maxconn 64
        defaults
            mode http
            timeout connect 5s
            timeout client 10s
            timeout server 10s
        backend \(backend)
            http-request return status 200 content-type text/plain string "appseal-ok"

        """
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}

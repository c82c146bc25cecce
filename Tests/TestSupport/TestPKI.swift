import Foundation

/// A certificate and its key as PEM files.
public struct PEMPair: Sendable {
    public let certificate: URL
    public let key: URL

    public init(certificate: URL, key: URL) {
        self.certificate = certificate
        self.key = key
    }
}

/// Certificates made with the openssl command line, independent of appseal: the servers' own
/// TLS certificates and the clients that must be refused (self-signed look-alikes, foreign CAs).
public enum TestPKI {
    @discardableResult
    static func openssl(_ arguments: [String]) throws -> ProcessResult {
        let result = try ProcessRunner.run("openssl", arguments)
        guard result.succeeded else {
            throw ToolFailure(tool: "openssl \(arguments.first ?? "")", reason: "failed", log: result.combined)
        }
        return result
    }

    private static let ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    /// A self-signed CA, e.g. subject "/CN=Other CA".
    public static func makeCA(in folder: URL, name: String, subject: String) throws -> PEMPair {
        let pair = PEMPair(certificate: folder.appendingPathComponent("\(name).pem"),
                           key: folder.appendingPathComponent("\(name).key"))
        try openssl(["req", "-x509"] + ecKey + [
            "-keyout", pair.key.path, "-out", pair.certificate.path, "-days", "30", "-subj", subject,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        return pair
    }

    /// An intermediate CA signed by `issuer` (pathlen 0).
    public static func makeIntermediateCA(in folder: URL, name: String, issuer: PEMPair, subject: String) throws -> PEMPair {
        try signed(in: folder, name: name, issuer: issuer, subject: subject, days: 30, extensions: [
            "basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign",
            "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always",
        ])
    }

    /// A TLS server certificate for `localhost` and 127.0.0.1 signed by `issuer`.
    public static func makeServerCertificate(in folder: URL, issuer: PEMPair) throws -> PEMPair {
        try signed(in: folder, name: "server", issuer: issuer, subject: "/CN=localhost", days: 30, extensions: [
            "subjectAltName=DNS:localhost,IP:127.0.0.1", "extendedKeyUsage=serverAuth",
            "keyUsage=critical,digitalSignature", "basicConstraints=critical,CA:FALSE",
        ])
    }

    /// A client certificate with the given subject and SAN URI, signed by `issuer`, or
    /// self-signed when `issuer` is nil.
    public static func makeClientCertificate(in folder: URL, name: String, issuer: PEMPair?,
                                             subject: String, sanURI: String) throws -> PEMPair {
        let extensions = [
            "subjectAltName=URI:\(sanURI)", "extendedKeyUsage=clientAuth",
            "keyUsage=critical,digitalSignature", "basicConstraints=critical,CA:FALSE",
        ]
        guard let issuer else {
            let pair = PEMPair(certificate: folder.appendingPathComponent("\(name).pem"),
                               key: folder.appendingPathComponent("\(name).key"))
            try openssl(["req", "-x509"] + ecKey + ["-keyout", pair.key.path, "-out", pair.certificate.path,
                                                      "-days", "30", "-subj", subject]
                        + extensions.flatMap { ["-addext", $0] })
            return pair
        }
        return try signed(in: folder, name: name, issuer: issuer, subject: subject, days: 30, extensions: extensions)
    }

    private static func signed(in folder: URL, name: String, issuer: PEMPair, subject: String,
                               days: Int, extensions: [String]) throws -> PEMPair {
        let pair = PEMPair(certificate: folder.appendingPathComponent("\(name).pem"),
                           key: folder.appendingPathComponent("\(name).key"))
        let request = folder.appendingPathComponent("\(name).csr")
        let extensionFile = folder.appendingPathComponent("\(name).ext")
        try (extensions.joined(separator: "\n") + "\n").write(to: extensionFile, atomically: true, encoding: .utf8)
        try openssl(["req", "-new"] + ecKey + ["-keyout", pair.key.path, "-out", request.path, "-subj", subject])
        try openssl(["x509", "-req", "-in", request.path, "-CA", issuer.certificate.path, "-CAkey", issuer.key.path,
                     "-set_serial", "0x" + randomSerialHex(), "-days", String(days),
                     "-extfile", extensionFile.path, "-out", pair.certificate.path])
        return pair
    }

    /// A positive 128-bit serial in hex (first byte 0x01...0x7f).
    public static func randomSerialHex() -> String {
        String(format: "%02x", UInt8.random(in: 1...0x7F)) + (1..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// An empty CRL signed by `issuer` with `openssl ca -gencrl`, valid for 30 days.
    public static func makeEmptyCRL(in folder: URL, issuer: PEMPair) throws -> URL {
        let database = folder.appendingPathComponent("crl-db")
        try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
        try "".write(to: database.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(to: database.appendingPathComponent("crlnumber"), atomically: true, encoding: .utf8)
        let config = """
        [ ca ]
        default_ca = test_ca
        [ test_ca ]
        database = \(database.path)/index.txt
        crlnumber = \(database.path)/crlnumber
        default_md = sha256
        default_crl_days = 30

        """
        let configURL = database.appendingPathComponent("openssl.cnf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let crl = folder.appendingPathComponent("openssl-crl.pem")
        try openssl(["ca", "-gencrl", "-config", configURL.path, "-keyfile", issuer.key.path,
                     "-cert", issuer.certificate.path, "-out", crl.path])
        return crl
    }
}

/// What an HTTPS request from a real client got.
public struct HTTPSOutcome: Sendable, CustomStringConvertible {
    /// The client's exit status (curl: 0 when an HTTP response came back).
    public let exitStatus: Int32
    /// The HTTP status, or nil when the TLS handshake or connection failed.
    public let httpStatus: Int?
    public let body: String
    public let diagnostics: String

    public var description: String {
        "exit \(exitStatus), HTTP \(httpStatus.map(String.init) ?? "none"), body \(body.debugDescription), \(diagnostics)"
    }
}

/// HTTPS clients the tests use against the servers: curl and openssl s_client.
public enum HTTPSClient {
    /// A client credential: PEM certificate and key, or a PKCS#12 file and its password.
    public enum Credential: Sendable {
        case none
        case pem(certificate: String, key: String)
        case pkcs12(path: String, password: String)
    }

    /// GET https://localhost:`port`/ with curl. Options, the P12 password included, go through a
    /// config file (`-K`), so no secret is on curl's command line.
    public static func curl(port: Int, serverCA: String, credential: Credential) throws -> HTTPSOutcome {
        let scratch = try TemporaryDirectory(prefix: "appseal-curl")
        var lines = [
            "url = \"https://localhost:\(port)/\"",
            "resolve = \"localhost:\(port):127.0.0.1\"",
            "cacert = \"\(serverCA)\"",
            "silent", "show-error",
            "max-time = 20",
            "output = \"\(scratch.path("body"))\"",
            "write-out = \"%{http_code}\"",
        ]
        switch credential {
        case .none:
            break
        case let .pem(certificate, key):
            lines += ["cert = \"\(certificate)\"", "key = \"\(key)\""]
        case let .pkcs12(path, password):
            lines += ["cert-type = \"P12\"", "cert = \"\(escapeColons(path)):\(password)\""]
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: scratch.path("config"), atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run("curl", ["-K", scratch.path("config")])
        let body = (try? String(contentsOfFile: scratch.path("body"), encoding: .utf8)) ?? ""
        let code = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        return HTTPSOutcome(exitStatus: result.status, httpStatus: code == 0 ? nil : code, body: body,
                            diagnostics: result.stderr)
    }

    /// The same request through `openssl s_client`, reading the status line of the response.
    public static func sClient(port: Int, serverCA: String, certificate: String?, key: String?) throws -> HTTPSOutcome {
        var arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
                         "-CAfile", serverCA, "-verify_return_error", "-quiet", "-ign_eof"]
        if let certificate, let key { arguments += ["-cert", certificate, "-key", key] }
        let request = Data("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        let result = try ProcessRunner.run("openssl", arguments, stdin: request)
        let statusLine = result.stdout.components(separatedBy: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        let status = parts.count >= 2 && parts[0].hasPrefix("HTTP/") ? Int(parts[1]) : nil
        let body = result.stdout.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return HTTPSOutcome(exitStatus: result.status, httpStatus: status, body: body, diagnostics: result.stderr)
    }

    /// curl reads `path:password`; a colon in the path itself must be escaped.
    private static func escapeColons(_ path: String) -> String {
        path.replacingOccurrences(of: ":", with: "\\:")
    }
}

import Foundation

/// Which server the snippet is for.
public enum ServerConfigFormat: String, CaseIterable, Sendable {
    case nginx
    case haproxy
    case envoy

    /// The snippet's file name inside the output folder.
    public var snippetFileName: String {
        switch self {
        case .nginx: return "nginx-client-certificates.conf"
        case .haproxy: return "haproxy-frontend.cfg"
        case .envoy: return "envoy-downstream-tls.yaml"
        }
    }
}

/// What the snippet trusts: the CA bundle and CRL, with the facts the comments quote.
public struct ServerConfigMaterial: Sendable {
    /// The CA certificate followed by any certificates up to its root, PEM.
    public let caBundlePEM: Data
    public let crlPEM: Data
    public let caSubject: String
    public let caFingerprintSHA256: String
    /// How many certificates the bundle holds: a client chain is this long plus its leaf.
    public let bundleCertificateCount: Int
    public let crlNextUpdate: Date

    public init(caBundlePEM: Data, crlPEM: Data, caSubject: String, caFingerprintSHA256: String,
                bundleCertificateCount: Int, crlNextUpdate: Date) {
        self.caBundlePEM = caBundlePEM
        self.crlPEM = crlPEM
        self.caSubject = caSubject
        self.caFingerprintSHA256 = caFingerprintSHA256
        self.bundleCertificateCount = bundleCertificateCount
        self.crlNextUpdate = crlNextUpdate
    }
}

/// How the snippet is shaped. The defaults give a snippet for any client the CA issued;
/// `allowedClients` narrows it to given apps (the build engine passes the built app).
public struct ServerConfigOptions: Sendable {
    /// Empty: every certificate of the CA is accepted. Otherwise only these identities.
    public var allowedClients: [ClientIdentity] = []
    /// The folder the files will live in on the server; nil means the output folder itself.
    public var installDirectory: String? = nil
    /// HAProxy `bind` address and Envoy listener address, `host:port` or `:port`.
    public var listen: String = ":443"
    /// The server's own TLS certificate (HAProxy: certificate and key in one PEM, or the key
    /// beside it as `<name>.key`; Envoy: the certificate chain).
    public var serverCertificatePath: String = "/etc/ssl/appseal/server.pem"
    /// Envoy's private key for `serverCertificatePath`.
    public var serverKeyPath: String = "/etc/ssl/appseal/server.key"
    /// HAProxy `default_backend` the verified requests go to.
    public var backendName: String = "app"

    public init() {}
}

/// What `ServerConfigWriter.write` produced.
public struct ServerConfigResult: Sendable {
    public let caBundle: URL
    public let crl: URL
    public let snippet: URL
    /// One line per rule the snippet enforces, for reports and the CLI summary.
    public let enforced: [String]
    /// After this the servers refuse every client until a new CRL is in place.
    public let crlNextUpdate: Date
}

public enum ServerConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidOption(name: String, value: String, allowed: String)
    case workspace(WorkspaceError)
    case authority(AuthorityError)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, allowed):
            return "invalid \(name) '\(value)': \(allowed)"
        case let .workspace(error):
            return error.description
        case let .authority(error):
            return error.description
        }
    }
}

/// Writes `ca.pem`, `crl.pem` and the snippet for one server into a folder, atomically each.
/// The CLI (`appseal server-config`) and the build engine (`builds/<ID>/server/`) both use it.
public enum ServerConfigWriter {
    public static let caBundleFileName = "ca.pem"
    public static let crlFileName = "crl.pem"

    @discardableResult
    public static func write(format: ServerConfigFormat, to directory: URL, material: ServerConfigMaterial,
                             options: ServerConfigOptions = ServerConfigOptions(),
                             generated: Date = Date()) throws(ServerConfigError) -> ServerConfigResult {
        try validate(options)
        let folder = directory.standardizedFileURL
        let referenced = options.installDirectory ?? folder.path
        let context = SnippetContext(
            format: format, material: material, options: options, generated: generated,
            caPath: (referenced as NSString).appendingPathComponent(caBundleFileName),
            crlPath: (referenced as NSString).appendingPathComponent(crlFileName),
            snippetPath: (referenced as NSString).appendingPathComponent(format.snippetFileName),
            writtenCRLPath: folder.appendingPathComponent(crlFileName).path)
        let snippet: String
        switch format {
        case .nginx: snippet = ServerSnippets.nginx(context)
        case .haproxy: snippet = ServerSnippets.haproxy(context)
        case .envoy: snippet = ServerSnippets.envoy(context)
        }
        let caURL = folder.appendingPathComponent(caBundleFileName)
        let crlURL = folder.appendingPathComponent(crlFileName)
        let snippetURL = folder.appendingPathComponent(format.snippetFileName)
        do {
            try createFolder(folder)
            try AtomicFile.write(material.caBundlePEM, to: caURL)
            try AtomicFile.write(material.crlPEM, to: crlURL)
            try AtomicFile.write(Data(snippet.utf8), to: snippetURL)
        } catch {
            throw .workspace(error)
        }
        return ServerConfigResult(caBundle: caURL, crl: crlURL, snippet: snippetURL, enforced: context.enforcedRules,
                                   crlNextUpdate: material.crlNextUpdate)
    }

    private static func createFolder(_ folder: URL) throws(WorkspaceError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: folder.path, operation: "create folder", reason: error.localizedDescription)
        }
    }

    /// Values land inside server configs, so anything that could end a directive or a quoted
    /// string is refused rather than escaped.
    static func validate(_ options: ServerConfigOptions) throws(ServerConfigError) {
        let pathRule = "an absolute path without spaces, quotes, ';', '#', '{', '}' or control characters"
        func isSafePath(_ path: String) -> Bool {
            path.hasPrefix("/") && path.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value != 0x7F && !"\"'`;#{}\\$".unicodeScalars.contains(scalar)
            }
        }
        if let install = options.installDirectory, !isSafePath(install) {
            throw .invalidOption(name: "install directory", value: install, allowed: pathRule)
        }
        if !isSafePath(options.serverCertificatePath) {
            throw .invalidOption(name: "server certificate path", value: options.serverCertificatePath, allowed: pathRule)
        }
        if !isSafePath(options.serverKeyPath) {
            throw .invalidOption(name: "server key path", value: options.serverKeyPath, allowed: pathRule)
        }
        if ListenAddress(options.listen) == nil {
            throw .invalidOption(name: "listen address", value: options.listen,
                                 allowed: "host:port or :port, with a port from 1 to 65535 (IPv6 as [addr]:port)")
        }
        let backendOK = (1...64).contains(options.backendName.utf8.count) && options.backendName.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D || byte == 0x3A
        }
        if !backendOK {
            throw .invalidOption(name: "backend name", value: options.backendName,
                                 allowed: "1 to 64 letters, digits, '.', '_', '-' or ':'")
        }
    }
}

/// `host:port`, `:port` or `[v6]:port`.
struct ListenAddress: Equatable {
    let host: String?
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let hostPart = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let hostAllowed = hostPart.utf8.count <= 255 && hostPart.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x2D || byte == 0x3A || byte == 0x5B || byte == 0x5D
        }
        guard hostAllowed else { return nil }
        self.host = hostPart.isEmpty ? nil : hostPart
        self.port = port
    }
}

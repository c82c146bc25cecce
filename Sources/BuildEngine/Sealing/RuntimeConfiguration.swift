import Foundation

/// The configuration the runtime reads from the sealed blob: which hosts get the client
/// certificate, the pins, the TLS minimum, and which build and certificate this is.
/// Stored as UTF-8 JSON inside the encrypted payload (docs/sealed-blob-format.md).
public struct RuntimeConfiguration: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    public var buildID: String
    public var appID: String
    public var platform: AppPlatform
    /// Hosts the client certificate is for; empty means any server that asks for one.
    public var hosts: [String]
    /// Host → pins in the `sha256/<base64>` form; empty when pinning is not part of the set.
    public var pins: [String: [String]]
    public var pinScheme: String?
    /// "1.2" or "1.3"; nil when the set does not ask for a minimum.
    public var tlsMinimum: String?
    /// Lowercase hex SHA-256 of the embedded client certificate (DER).
    public var certificateSHA256: String
    public var certificateSerial: String
    /// Feature ids the build applied.
    public var features: [String]

    public init(buildID: String, appID: String, platform: AppPlatform, hosts: [String], pins: [String: [String]],
                pinScheme: String?, tlsMinimum: String?, certificateSHA256: String, certificateSerial: String,
                features: [String]) {
        self.version = Self.currentVersion
        self.buildID = buildID
        self.appID = appID
        self.platform = platform
        self.hosts = hosts
        self.pins = pins
        self.pinScheme = pinScheme
        self.tlsMinimum = tlsMinimum
        self.certificateSHA256 = certificateSHA256
        self.certificateSerial = certificateSerial
        self.features = features
    }
}

/// What the blob carries once opened.
public struct SealedPayload: Sendable, Equatable {
    public var configuration: RuntimeConfiguration
    /// The PKCS#12 (DER) holding the client key, certificate and chain.
    public var pkcs12: Data
    /// The random password of that PKCS#12; it exists only inside the sealed payload.
    public var pkcs12Password: String

    public init(configuration: RuntimeConfiguration, pkcs12: Data, pkcs12Password: String) {
        self.configuration = configuration
        self.pkcs12 = pkcs12
        self.pkcs12Password = pkcs12Password
    }
}

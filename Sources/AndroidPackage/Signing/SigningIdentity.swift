import ArchiveKit
import Foundation

/// A private key able to make the signatures APK signing needs: RSA PKCS#1 v1.5 or ECDSA
/// (DER-encoded), over the message hashed with `hash`. CryptoCore's keys conform.
public protocol ApkSigningKey: Sendable {
    func sign(_ message: [UInt8], hash: HashFunction) throws -> [UInt8]
}

/// Who signs: a private key and its certificate chain (leaf first), plus the v1 signer name.
public struct SigningIdentity: Sendable {
    public let key: any ApkSigningKey
    /// DER certificates, the signer's own first.
    public let certificateChain: [[UInt8]]
    public let certificate: CertificateFields

    public init(key: any ApkSigningKey, certificateChain: [[UInt8]]) throws {
        guard let leaf = certificateChain.first else {
            throw ApkSigningError.unsupportedKey(reason: "no certificate given for the key")
        }
        self.key = key
        self.certificateChain = certificateChain
        self.certificate = try CertificateFields(der: leaf)
    }
}

/// Which package format is signed: APKs get v1/v2/v3 chosen from minSdk; app bundles only v1,
/// the way jarsigner signs them (bundletool re-signs the APKs it generates).
public enum PackageFormat: String, Sendable, Codable {
    case apk, aab

    public static func guess(path: String) -> PackageFormat {
        path.lowercased().hasSuffix(".aab") ? .aab : .apk
    }
}

public struct ApkSigningOptions: Sendable {
    /// Schemes to sign with; nil chooses from minSdk as apksigner does (v1 below API 24, v2 and v3 always; AAB: v1).
    public var schemes: Set<SignatureScheme>?
    /// The app's minSdkVersion; nil reads it from the manifest.
    public var minSdk: Int?
    public var alignment: ApkAlignment
    /// Base name of META-INF/<NAME>.SF and its signature block; made safe as apksigner does.
    public var v1SignerName: String
    public var format: PackageFormat?
    /// Bytes done and total, called from the signing thread as work completes.
    public var progress: (@Sendable (_ done: Int64, _ total: Int64) -> Void)?
    /// Polled between entries and chunks; returning true stops signing and removes the output.
    public var isCancelled: (@Sendable () -> Bool)?
    /// Worker threads for inflating entries and digesting chunks.
    public var parallelism: Int
    /// Whether the output is fsynced before it is renamed into place; by default from `APPSEAL_DURABLE`.
    public var durability: OutputDurability
    /// Also compute the output file's SHA-256 while writing it (`ApkSigningResult.outputSHA256`).
    public var digestsOutput: Bool

    public init(schemes: Set<SignatureScheme>? = nil, minSdk: Int? = nil, alignment: ApkAlignment = .default,
                v1SignerName: String = "CERT", format: PackageFormat? = nil,
                progress: (@Sendable (Int64, Int64) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil,
                parallelism: Int = max(1, ProcessInfo.processInfo.activeProcessorCount),
                durability: OutputDurability = .fromEnvironment, digestsOutput: Bool = false) {
        self.durability = durability
        self.digestsOutput = digestsOutput
        self.schemes = schemes
        self.minSdk = minSdk
        self.alignment = alignment
        self.v1SignerName = v1SignerName
        self.format = format
        self.progress = progress
        self.isCancelled = isCancelled
        self.parallelism = parallelism
    }

    /// apksigner's defaults for an app with this minSdk.
    public static func defaultSchemes(minSdk: Int, format: PackageFormat) -> Set<SignatureScheme> {
        if format == .aab { return [.v1] }
        return minSdk < 24 ? [.v1, .v2, .v3] : [.v2, .v3]
    }
}

/// What signing did, for reports and logs.
public struct ApkSigningResult: Sendable, Codable {
    public let output: String
    public let schemes: [SignatureScheme]
    /// The minSdkVersion the schemes and digests were chosen for: the app's, or for app bundles
    /// (always v1 with SHA-256, as jarsigner signs) API 18, the lowest level that accepts SHA-256.
    public let minSdk: Int
    public let format: PackageFormat
    public let signatureAlgorithm: String
    public let v1DigestAlgorithm: JarDigestAlgorithm?
    public let entriesCopied: Int
    public let entriesRealigned: Int
    public let entriesStripped: [String]
    /// Input entries whose content the build replaced, and new entries it added.
    public let entriesReplaced: Int
    public let entriesAdded: Int
    public let outputSize: Int
    /// SHA-256 of the output file (lowercase hex), when `ApkSigningOptions.digestsOutput` asked for it.
    public let outputSHA256: String?
}

extension SigningIdentity {
    /// SHA-256 of the signer certificate, lowercase hex.
    public var certificateSHA256: String {
        Hashing.hash(certificate.der, .sha256).map { String(format: "%02x", $0) }.joined()
    }
}

extension ApkSigner {
    /// The minSdk signing would use for this file (the manifest's, or the bundle floor).
    public static func minSdk(of path: String, format: PackageFormat) throws -> Int {
        try ApkManifestLevels.minSdk(of: try ApkArchive.open(path), format: format)
    }
}

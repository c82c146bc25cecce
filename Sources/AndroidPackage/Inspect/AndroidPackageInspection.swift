/// Everything `appseal inspect` reports about an .apk or .aab, as one Codable value (the
/// `--json` output and the metadata BuildEngine keeps for an uploaded app).
public struct AndroidPackageInspection: Sendable, Equatable, Codable {
    public enum Format: String, Sendable, Codable { case apk, aab }

    public struct Components: Sendable, Equatable, Codable {
        public var activities: Int
        public var services: Int
        public var receivers: Int
        public var providers: Int
    }

    public struct Files: Sendable, Equatable, Codable {
        public var count: Int
        public var compressedBytes: UInt64
        public var uncompressedBytes: UInt64
        public var archiveBytes: UInt64
    }

    /// A framework or language found in the package, with the entry that proves it.
    public struct Framework: Sendable, Equatable, Codable {
        public var name: String
        public var evidence: String
    }

    public struct Signer: Sendable, Equatable, Codable {
        /// Where the certificate came from: `v1 (META-INF/CERT.RSA)`, `v2`, `v3`, `v3.1`.
        public var scheme: String
        public var subject: String
        public var issuer: String
        public var sha256: String
        public var keyAlgorithm: String
    }

    public struct Problem: Sendable, Equatable, Codable {
        public enum Severity: String, Sendable, Codable { case error, warning, info }
        public var severity: Severity
        /// A stable identifier for scripts (`v2-only-below-24`, `debuggable`, ...).
        public var code: String
        public var message: String
    }

    public var path: String
    public var format: Format
    public var packageName: String?
    public var versionCode: Int?
    public var versionName: String?
    public var minSDK: Int?
    public var targetSDK: Int?
    public var maxSDK: Int?
    /// A preview codename given instead of a number, when there is one.
    public var minSDKCodename: String?
    public var targetSDKCodename: String?
    /// The label's text (resolved from resources.arsc for an APK), else the reference as `@type/name`.
    public var label: String?
    public var debuggable: Bool?
    public var allowBackup: Bool?
    public var usesCleartextTraffic: Bool?
    /// `@xml/name` (and for an APK the file it resolves to, after an arrow).
    public var networkSecurityConfig: String?
    public var permissions: [String]
    public var components: Components
    public var applicationClassName: String?
    public var nativeABIs: [String]
    public var dexCount: Int
    public var files: Files
    public var frameworks: [Framework]
    /// `v1`, `v2`, `v3`, `v3.1`, `source-stamp` in that order, as far as present.
    public var signatureSchemes: [String]
    public var signers: [Signer]
    public var problems: [Problem]
}

import AndroidPackage
import CryptoCore
import Foundation

/// What Inspect learnt about the input app.
public struct AppFacts: Sendable, Codable, Equatable {
    public enum Format: String, Sendable, Codable {
        case apk
        case aab
        case ipa
    }

    public let path: String
    public let format: Format
    public let platform: AppPlatform
    public let appID: String
    public let versionName: String?
    public let versionCode: String?
    public let minSdk: Int?
    public let targetSdk: Int?
    public let usesCleartextTraffic: Bool?
    /// The `android:networkSecurityConfig` reference, as written in the manifest.
    public let networkSecurityConfig: String?
    public let entryCount: Int
    public let size: UInt64
    /// Hex SHA-256 of the input. A build hashes it on its own thread while the other stages run and
    /// fills this in before Report (and before a failed build is recorded).
    public internal(set) var sha256: String
}

/// The client credential of a build: issued by the workspace CA or imported.
struct BuildCredential {
    let privateKey: PrivateKey
    let certificate: Certificate
    let chain: [Certificate]
    let serial: String
    /// "workspace-ca", "workspace-ca (per-app, reused)" or "imported <path>".
    let source: String
    let pkcs12: Data
    let pkcs12Password: String
    let profile: PKCS12Bundle.Profile
    /// Issued for this build only: revoked again if the build does not finish.
    let issuedForThisBuild: Bool
}

/// What a feature did in this build, for the report.
public struct AppliedFeature: Sendable, Codable, Equatable {
    public let id: String
    public let title: String
    public let options: [String: OptionValue]
    public let applied: String
    public let notEnforced: String?
}

/// One check the Verify stage made.
public struct VerificationResult: Sendable, Codable, Equatable {
    public let check: String
    public let passed: Bool
    public let detail: String
}

/// The state the stages hand each other.
struct BuildState {
    var app: AppFacts?
    var credential: BuildCredential?
    var signing: ResolvedSigning?
    /// SHA-256 of every certificate the blob is sealed for.
    var sealedForSigners: [Data] = []
    var runtimeConfiguration: RuntimeConfiguration?
    /// The input's SHA-256, being computed beside the stages after Inspect.
    var inputDigest: Completion<Result<String, Error>>?
    /// Set by Validate when the Runtime stage injects the Android runtime.
    var runtimePlan: RuntimePlan?
    /// Entries whose content the build replaces (the patched manifest).
    var replacements: [String: [UInt8]] = [:]
    /// Entries the build adds, stored uncompressed.
    var additions: [(name: String, data: [UInt8])] = []
    var applied: [AppliedFeature] = []
    /// A signed build's one write of the output: entries written by Repackage, signatures by Sign.
    var signingSession: ApkSigningSession?
    var signingProgress: ThreadSafeProgress?
    var outputTemporary: URL?
    var outputDestination: URL?
    var scratchFiles: [URL] = []
    var verification: [VerificationResult] = []
    var signatureSchemes: [String] = []
    var outputSHA256: String?
}

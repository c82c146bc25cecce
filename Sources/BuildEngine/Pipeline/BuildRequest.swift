import Foundation

/// A password or passphrase held in memory only. It never prints: `description` and
/// `debugDescription` are redacted so it cannot reach a log or an error by interpolation.
public struct SecretText: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// How the output is signed.
public enum SigningChoice: Sendable {
    /// A PKCS#12 keystore and its password (and the alias when it holds several keys).
    case keystore(path: String, password: SecretText)
    /// The workspace's debug key, created on first use (for testing on devices, not for stores).
    case debugKey
    /// Left unsigned for signing elsewhere; the blob is sealed for these signer certificates
    /// (files, PEM or DER) and/or SHA-256 fingerprints, e.g. an upload key and the store's key.
    case unsigned(signerCertificatePaths: [String], signerSHA256: [String])
}

/// Everything a build needs to start.
public struct BuildRequest: Sendable {
    public var inputPath: String
    /// A Fusion Set ID, unique ID prefix or exact name.
    public var fusionSet: String
    /// Where the secured app goes; nil puts it in the build's folder as `<name>-secured.<ext>`.
    public var outputPath: String?
    public var signing: SigningChoice
    /// The workspace CA's passphrase, when its key is encrypted.
    public var caPassphrase: SecretText?
    /// Called on the build thread before each stage; tests use it to cancel at a known point.
    var beforeStage: (@Sendable (BuildStage) -> Void)?

    public init(inputPath: String, fusionSet: String, outputPath: String? = nil, signing: SigningChoice,
                caPassphrase: SecretText? = nil) {
        self.inputPath = inputPath
        self.fusionSet = fusionSet
        self.outputPath = outputPath
        self.signing = signing
        self.caPassphrase = caPassphrase
    }
}

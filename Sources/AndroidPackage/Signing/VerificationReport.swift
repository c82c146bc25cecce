import Foundation

/// A signer as a verifier saw it: its certificate and the algorithms checked.
public struct VerifiedSigner: Sendable, Codable, Equatable {
    public let subject: String
    public let issuer: String
    /// SHA-256 of the certificate DER, lowercase hex (what `apksigner --print-certs` shows).
    public let certificateSHA256: String
    public let key: String
    public let signatureAlgorithms: [String]
    /// v3 only: the SDK range this signer covers.
    public var minSdk: Int?
    public var maxSdk: Int?
}

/// The result of one scheme's check.
public struct SchemeVerification: Sendable, Codable, Equatable {
    /// "v1", "v2", "v3", "v3.1" or "source-stamp".
    public let scheme: String
    public var present: Bool
    /// Whether appseal checked it (v3.1 and source stamps are recognised, not checked).
    public var checked: Bool
    public var verified: Bool
    /// Whether Android needs this scheme for the app's SDK range (failures then reject the app).
    public var required: Bool
    public var signers: [VerifiedSigner]
    public var digestsChecked: [String]
    public var errors: [String]
}

public struct VerificationReport: Sendable, Codable, Equatable {
    public let path: String
    public let format: PackageFormat
    public var minSdk: Int?
    public var targetSdk: Int?
    public var verified: Bool
    public var schemes: [SchemeVerification]
    /// IDs of the APK Signing Block's pairs, as 0x-hex.
    public var signingBlockIds: [String]
    /// Whether every verified scheme names the same signer certificate; nil with fewer than two.
    public var signersMatchAcrossSchemes: Bool?
    /// Every reason the app is not verified.
    public var errors: [String]
    /// Problems that do not make Android reject the app.
    public var warnings: [String]

    public func scheme(_ name: String) -> SchemeVerification? { schemes.first { $0.scheme == name } }
}

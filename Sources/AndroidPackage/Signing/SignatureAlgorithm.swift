import Foundation

/// Digests a v2/v3 signature can state over the APK's contents.
public enum ContentDigestAlgorithm: String, Sendable, Codable, CaseIterable {
    case chunkedSHA256 = "CHUNKED_SHA256"
    case chunkedSHA512 = "CHUNKED_SHA512"
    /// fs-verity Merkle-tree root over the same data, plus its length (see VerityDigest).
    case verityChunkedSHA256 = "VERITY_CHUNKED_SHA256"

    var outputSize: Int { self == .chunkedSHA512 ? 64 : 32 }
}

/// Hash functions the signer uses; CryptoCore provides them (see CryptoAdapters.swift).
public enum HashFunction: String, Sendable, Codable {
    case sha1, sha256, sha384, sha512
}

/// Signature algorithm IDs of APK Signature Scheme v2/v3 (apksig's SignatureAlgorithm).
public enum SignatureAlgorithm: UInt32, Sendable, Codable, CaseIterable {
    case rsaPSSWithSHA256 = 0x0101
    case rsaPSSWithSHA512 = 0x0102
    case rsaPKCS1WithSHA256 = 0x0103
    case rsaPKCS1WithSHA512 = 0x0104
    case ecdsaWithSHA256 = 0x0201
    case ecdsaWithSHA512 = 0x0202
    case dsaWithSHA256 = 0x0301
    case verityRSAPKCS1WithSHA256 = 0x0421
    case verityECDSAWithSHA256 = 0x0423
    case verityDSAWithSHA256 = 0x0425

    public var name: String {
        switch self {
        case .rsaPSSWithSHA256: return "RSA_PSS_WITH_SHA256"
        case .rsaPSSWithSHA512: return "RSA_PSS_WITH_SHA512"
        case .rsaPKCS1WithSHA256: return "RSA_PKCS1_V1_5_WITH_SHA256"
        case .rsaPKCS1WithSHA512: return "RSA_PKCS1_V1_5_WITH_SHA512"
        case .ecdsaWithSHA256: return "ECDSA_WITH_SHA256"
        case .ecdsaWithSHA512: return "ECDSA_WITH_SHA512"
        case .dsaWithSHA256: return "DSA_WITH_SHA256"
        case .verityRSAPKCS1WithSHA256: return "VERITY_RSA_PKCS1_V1_5_WITH_SHA256"
        case .verityECDSAWithSHA256: return "VERITY_ECDSA_WITH_SHA256"
        case .verityDSAWithSHA256: return "VERITY_DSA_WITH_SHA256"
        }
    }

    public var contentDigest: ContentDigestAlgorithm {
        switch self {
        case .rsaPSSWithSHA256, .rsaPKCS1WithSHA256, .ecdsaWithSHA256, .dsaWithSHA256: return .chunkedSHA256
        case .rsaPSSWithSHA512, .rsaPKCS1WithSHA512, .ecdsaWithSHA512: return .chunkedSHA512
        case .verityRSAPKCS1WithSHA256, .verityECDSAWithSHA256, .verityDSAWithSHA256: return .verityChunkedSHA256
        }
    }

    /// The hash the signature itself is computed with.
    public var signatureHash: HashFunction {
        switch self {
        case .rsaPSSWithSHA512, .rsaPKCS1WithSHA512, .ecdsaWithSHA512: return .sha512
        default: return .sha256
        }
    }

    /// The lowest Android version that accepts this algorithm, which v3 records as the signer's minSdk.
    public var minimumSdk: Int {
        switch self {
        case .verityRSAPKCS1WithSHA256, .verityECDSAWithSHA256, .verityDSAWithSHA256: return 28
        default: return 24
        }
    }

    /// What apksigner chooses for a key: SHA-512 for RSA keys over 3072 bits and EC keys over 256.
    public static func suggested(for key: PublicKeyKind) throws -> SignatureAlgorithm {
        switch key {
        case let .rsa(bits): return bits <= 3072 ? .rsaPKCS1WithSHA256 : .rsaPKCS1WithSHA512
        case let .ec(curveBits): return curveBits <= 256 ? .ecdsaWithSHA256 : .ecdsaWithSHA512
        case .dsa: throw ApkSigningError.unsupportedKey(reason: "DSA keys are not supported for signing; use RSA or EC")
        case let .other(oid): throw ApkSigningError.unsupportedKey(reason: "keys of algorithm \(oid) cannot sign APKs; use RSA or EC")
        }
    }
}

/// How a v1 signature is made for a key: digest for entries and the .SF, and the file extension.
struct JarSignatureProfile {
    let digest: JarDigestAlgorithm
    let blockExtension: String
    /// digestAlgorithm and digestEncryptionAlgorithm OIDs of the PKCS#7 SignerInfo.
    let digestOID: String
    let signatureOID: String

    static let sha1OID = "1.3.14.3.2.26"
    static let sha256OID = "2.16.840.1.101.3.4.2.1"

    /// apksigner's choice: SHA-256 unless the app supports Android before 4.3 (API 18), which only
    /// verifies SHA-1 JAR signatures.
    static func make(for key: PublicKeyKind, minSdk: Int) throws -> JarSignatureProfile {
        let digest: JarDigestAlgorithm = minSdk < 18 ? .sha1 : .sha256
        let digestOID = digest == .sha1 ? sha1OID : sha256OID
        switch key {
        case .rsa:
            return JarSignatureProfile(digest: digest, blockExtension: "RSA", digestOID: digestOID,
                                       signatureOID: PublicKeyKind.rsaOID)
        case .ec:
            guard minSdk >= 18 else {
                throw ApkSigningError.unsupportedKey(reason: "EC keys need minSdk 18 or later for v1 signing (this app's minSdk is \(minSdk)); use an RSA key")
            }
            return JarSignatureProfile(digest: digest, blockExtension: "EC", digestOID: digestOID,
                                       signatureOID: PublicKeyKind.ecOID)
        case .dsa, .other:
            _ = try SignatureAlgorithm.suggested(for: key)
            throw ApkSigningError.unsupportedKey(reason: "unsupported key \(key)")
        }
    }
}

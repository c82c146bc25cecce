import COpenSSL
import Foundation

/// The hash functions appseal accepts when it checks signatures made by others: every
/// `DigestAlgorithm`, plus MD5, which old Android apps (JDK 1.5 jarsigner) still carry in their
/// v1 signatures and which Android and apksigner accept there.
///
/// MD5 lives only here, never in `DigestAlgorithm`: nothing that signs, fingerprints, derives
/// keys or computes MACs can be handed MD5, because none of those APIs takes this type.
public enum VerificationDigestAlgorithm: Sendable, Hashable, CustomStringConvertible {
    case md5
    case standard(DigestAlgorithm)

    public var description: String {
        switch self {
        case .md5: "md5"
        case let .standard(algorithm): algorithm.rawValue
        }
    }

    /// Output size in bytes.
    public var byteCount: Int {
        switch self {
        case .md5: 16
        case let .standard(algorithm): algorithm.byteCount
        }
    }

    /// The static method table (no fetch, safe to use from any thread).
    var evpMD: OpaquePointer {
        switch self {
        case .md5: EVP_md5()
        case let .standard(algorithm): algorithm.evpMD
        }
    }

    /// The digest of `data` in one call, to compare with a digest someone else computed.
    public func hash(_ data: Data) -> Data {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let succeeded = data.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &output, &length, evpMD, nil) == 1
        }
        // A built-in digest fails only when memory is exhausted.
        guard succeeded else { fatalError("OpenSSL could not compute \(self): \(OpenSSLErrorQueue.drain())") }
        return Data(output.prefix(Int(length)))
    }
}

extension PublicKey {
    /// Checks a signature whose hash may be a verification-only one (MD5); see
    /// `VerificationDigestAlgorithm`.
    public func isValidSignature(_ signature: Data, for data: Data, digest: VerificationDigestAlgorithm,
                                 rsaPadding: RSAPadding = .pkcs1v15) -> Bool {
        isValidSignature(signature, for: data, evpMD: digest.evpMD, rsaPadding: rsaPadding)
    }
}

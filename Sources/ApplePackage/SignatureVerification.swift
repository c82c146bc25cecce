import CryptoCore
import Foundation

/// Whether a CMS signature's cryptography holds: each signer's signature over the content (and the
/// signed attributes' messageDigest), checked by CryptoCore through OpenSSL. Chains are not checked:
/// trust in Apple's roots is the device's decision, not something a build machine can establish.
public struct SignatureVerification: Codable, Sendable, Equatable {
    public let verified: Bool
    /// Why it failed, from OpenSSL's error queue.
    public let reason: String?

    /// Verifies `der`, over its embedded content or over `detachedContent`.
    static func check(der: some Collection<UInt8>, detachedContent: (some Collection<UInt8>)?) -> SignatureVerification {
        do {
            let signedData = try CryptoCore.CMSSignedData(der: Data(der))
            try signedData.verify(detachedContent: detachedContent.map { Data($0) })
            return SignatureVerification(verified: true, reason: nil)
        } catch {
            return SignatureVerification(verified: false, reason: String(describing: error))
        }
    }
}

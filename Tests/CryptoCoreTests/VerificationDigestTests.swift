import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("Verification-only digests (MD5)")
struct VerificationDigestTests {
    @Test("MD5 known answers (RFC 1321 appendix A.5)", arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    ])
    func md5KnownAnswers(message: String, expected: String) {
        let digest = VerificationDigestAlgorithm.md5.hash(Data(message.utf8))
        #expect(digest.hexString == expected)
        #expect(digest.count == VerificationDigestAlgorithm.md5.byteCount)
    }

    @Test("Standard algorithms hash as DigestAlgorithm does", arguments: DigestAlgorithm.allCases)
    func standardMatchesDigestAlgorithm(algorithm: DigestAlgorithm) {
        let data = Data("appseal".utf8)
        #expect(VerificationDigestAlgorithm.standard(algorithm).hash(data) == algorithm.hash(data).bytes)
    }

    @Test("An MD5withRSA signature made by openssl verifies; a changed message, SHA-1 or PSS does not")
    func md5WithRSASignatureFromOpenSSL() throws {
        let directory = try TemporaryDirectory()
        let key = try PrivateKey.generate(.rsa2048)
        let keyPath = try directory.write("key.pem", Data(try key.pemEncoded().utf8))
        let message = Data("Signature-Version: 1.0\r\nCreated-By: 1.5.0_22 (Sun Microsystems Inc.)\r\n".utf8)
        let messagePath = try directory.write("message", message)
        let signaturePath = directory.path("message.sig")
        try OpenSSLCLI.run(["dgst", "-md5", "-sign", keyPath, "-out", signaturePath, messagePath])
        let signature = try Data(contentsOf: URL(fileURLWithPath: signaturePath))
        let publicKey = key.publicKey
        #expect(publicKey.isValidSignature(signature, for: message, digest: VerificationDigestAlgorithm.md5))
        #expect(!publicKey.isValidSignature(signature, for: message + Data([0x0A]), digest: VerificationDigestAlgorithm.md5))
        #expect(!publicKey.isValidSignature(signature, for: message, digest: .standard(.sha1)))
        #expect(!publicKey.isValidSignature(signature, for: message, digest: VerificationDigestAlgorithm.md5, rsaPadding: .pss))
        var damaged = signature
        damaged[damaged.startIndex + 10] ^= 0x01
        #expect(!publicKey.isValidSignature(damaged, for: message, digest: VerificationDigestAlgorithm.md5))
    }

    @Test("MD5 is not a DigestAlgorithm, so nothing that signs, fingerprints or MACs can use it")
    func md5IsNotOfferedForSigning() {
        #expect(!DigestAlgorithm.allCases.map(\.rawValue).contains("md5"))
        #expect(DigestAlgorithm(rawValue: "md5") == nil)
    }
}

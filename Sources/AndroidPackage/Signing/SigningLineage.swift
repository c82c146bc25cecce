import Foundation

/// The v3 proof-of-rotation attribute: a list of certificates, oldest first, each node signed
/// by the previous certificate's key, so an app can move to a new signing key. Layout: uint32
/// version 1, then length-prefixed nodes of (length-prefixed signed data: length-prefixed
/// certificate, uint32 algorithm the previous key signed with), uint32 flags, uint32 algorithm
/// this node's key signs the next node with, length-prefixed signature.
enum SigningLineage {
    static let maximumNodes = 64

    /// Checks every link and that the newest certificate is the v3 signer's; returns the certificates, oldest first.
    static func verify(_ value: [UInt8], signerCertificate: [UInt8], offset: Int) throws -> [[UInt8]] {
        let structure = "v3 proof-of-rotation lineage"
        var reader = LittleEndianReader(value, structure: structure, base: offset)
        let version = try reader.uint32()
        guard version == 1 else {
            throw ApkSigningError.malformed(structure: structure, offset: offset, reason: "version \(version), expected 1")
        }
        var certificates: [[UInt8]] = []
        var previousKey: [UInt8]?
        var previousAlgorithm: UInt32 = 0
        while !reader.isAtEnd {
            guard certificates.count < maximumNodes else {
                throw ApkSigningError.malformed(structure: structure, offset: reader.fileOffset, reason: "more than \(maximumNodes) certificates")
            }
            let number = certificates.count + 1
            var node = try reader.lengthPrefixedReader(structure)
            var signedData = try node.lengthPrefixedReader(structure)
            let signedBytes = Array(signedData.bytes)
            _ = try node.uint32()
            let algorithm = try node.uint32()
            let signature = Array(try node.lengthPrefixed())
            let certificate = Array(try signedData.lengthPrefixed())
            let signedAlgorithm = try signedData.uint32()
            let fields = try CertificateFields(der: certificate)
            if let previousKey {
                guard signedAlgorithm == previousAlgorithm else {
                    throw ApkSigningError.malformed(structure: structure, offset: node.fileOffset,
                                                    reason: "certificate #\(number) names signature algorithm \(signedAlgorithm), its link was signed with \(previousAlgorithm)")
                }
                guard let signing = SignatureAlgorithm(rawValue: previousAlgorithm),
                      SignatureCheck.isValid(signature: signature, over: signedBytes, publicKey: previousKey,
                                             hash: signing.signatureHash,
                                             pss: signing == .rsaPSSWithSHA256 || signing == .rsaPSSWithSHA512) else {
                    throw ApkSigningError.malformed(structure: structure, offset: node.fileOffset,
                                                    reason: "the signature on certificate #\(number) by certificate #\(number - 1) does not verify")
                }
            }
            guard !certificates.contains(certificate) else {
                throw ApkSigningError.malformed(structure: structure, offset: node.fileOffset, reason: "certificate #\(number) appears twice")
            }
            certificates.append(certificate)
            previousKey = fields.canonicalSubjectPublicKeyInfo
            previousAlgorithm = algorithm
        }
        guard let newest = certificates.last, newest == signerCertificate else {
            throw ApkSigningError.malformed(structure: structure, offset: offset,
                                            reason: "the newest certificate in the lineage is not the v3 signer's certificate")
        }
        return certificates
    }
}

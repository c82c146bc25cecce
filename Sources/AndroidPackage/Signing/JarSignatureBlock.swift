import Foundation

/// The PKCS#7 SignedData of a v1 signature (META-INF/<NAME>.RSA or .EC), written as apksigner
/// writes it: detached content, no signed attributes, the certificate chain, and one SignerInfo
/// whose signature is over the .SF file's bytes.
enum JarSignatureBlock {
    static let signedDataOID = "1.2.840.113549.1.7.2"
    static let dataOID = "1.2.840.113549.1.7.1"

    static func encode(certificates: [[UInt8]], signer: CertificateFields, profile: JarSignatureProfile,
                       signature: [UInt8]) -> [UInt8] {
        let signerInfo = DER.sequence([
            DER.integer(1),
            DER.sequence([signer.issuerEncoded, signer.serialNumberEncoded]),
            DER.algorithmIdentifier(profile.digestOID),
            DER.algorithmIdentifier(profile.signatureOID),
            DER.octetString(signature),
        ])
        let signedData = DER.sequence([
            DER.integer(1),
            DER.set([DER.algorithmIdentifier(profile.digestOID)]),
            DER.sequence([DER.objectIdentifier(dataOID)]),
            DER.tlv(DER.contextConstructed(0), certificates.flatMap { $0 }),
            DER.set([signerInfo]),
        ])
        return DER.sequence([DER.objectIdentifier(signedDataOID), DER.tlv(DER.contextConstructed(0), signedData)])
    }
}

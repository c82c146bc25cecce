import COpenSSL
import Foundation

/// Writes the `modern` PKCS#12 profile itself: the same structure OpenSSL 3's `pkcs12 -export` writes
/// (certificates in a PBES2-encrypted safe, the key in a PBES2 shrouded key bag, an HMAC-SHA256 MAC), with
/// the key derivations done by `IteratedSHA256`. OpenSSL still reads every file, ours included.
struct PKCS12ModernEncoder {
    let bundle: PKCS12Bundle
    let password: String
    let iterations: Int

    /// Encoded once: the object identifiers the structure uses.
    private enum OID {
        static let data = DERWriter.objectIdentifier("1.2.840.113549.1.7.1")
        static let encryptedData = DERWriter.objectIdentifier("1.2.840.113549.1.7.6")
        static let pbes2 = DERWriter.objectIdentifier("1.2.840.113549.1.5.13")
        static let pbkdf2 = DERWriter.objectIdentifier("1.2.840.113549.1.5.12")
        static let hmacWithSHA256 = DERWriter.objectIdentifier("1.2.840.113549.2.9")
        static let aes256CBC = DERWriter.objectIdentifier("2.16.840.1.101.3.4.1.42")
        static let sha256 = DERWriter.objectIdentifier("2.16.840.1.101.3.4.2.1")
        static let shroudedKeyBag = DERWriter.objectIdentifier("1.2.840.113549.1.12.10.1.2")
        static let certificateBag = DERWriter.objectIdentifier("1.2.840.113549.1.12.10.1.3")
        static let x509Certificate = DERWriter.objectIdentifier("1.2.840.113549.1.9.22.1")
        static let friendlyName = DERWriter.objectIdentifier("1.2.840.113549.1.9.20")
        static let localKeyID = DERWriter.objectIdentifier("1.2.840.113549.1.9.21")
    }

    private static let saltByteCount = 16
    private static let ivByteCount = 16
    private static let keyByteCount = 32
    private static let macKeyID: UInt8 = 3
    private typealias DER = DERWriter

    func encoded() throws -> Data {
        // The key and its certificate are paired by the certificate's SHA-1, as OpenSSL and Java do.
        let localKeyID = bundle.certificate.map { [UInt8](Digest.sha1($0.der).bytes) }
        var safes: [[UInt8]] = []
        var certificateBags: [[UInt8]] = []
        if let certificate = bundle.certificate {
            certificateBags.append(certificateBag(certificate, attributes: attributes(localKeyID: localKeyID)))
        }
        certificateBags += bundle.chain.map { certificateBag($0, attributes: []) }
        if !certificateBags.isEmpty {
            safes.append(try encryptedContentInfo(DER.sequence(certificateBags)))
        }
        if let privateKey = bundle.privateKey {
            var keyInfo = [UInt8](try privateKey.derEncoded())
            defer { keyInfo.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
            let (algorithm, ciphertext) = try pbes2Encrypt(keyInfo)
            let bag = safeBag(OID.shroudedKeyBag, DER.sequence([algorithm, DER.octetString(ciphertext)]),
                              attributes: attributes(localKeyID: localKeyID))
            safes.append(dataContentInfo(DER.sequence([bag])))
        }
        let authenticatedSafe = DER.sequence(safes)
        return Data(DER.sequence([DER.integer(3), dataContentInfo(authenticatedSafe), try macData(over: authenticatedSafe)]))
    }

    private func attributes(localKeyID: [UInt8]?) -> [[UInt8]] {
        var attributes: [[UInt8]] = []
        if let friendlyName = bundle.friendlyName {
            attributes.append(DER.sequence([OID.friendlyName, DER.set([DER.bmpString(friendlyName)])]))
        }
        if let localKeyID {
            attributes.append(DER.sequence([OID.localKeyID, DER.set([DER.octetString(localKeyID)])]))
        }
        return attributes
    }

    private func certificateBag(_ certificate: Certificate, attributes: [[UInt8]]) -> [UInt8] {
        let value = DER.sequence([OID.x509Certificate,
                                  DER.tlv(DER.contextConstructed(0), DER.octetString([UInt8](certificate.der)))])
        return safeBag(OID.certificateBag, value, attributes: attributes)
    }

    private func safeBag(_ type: [UInt8], _ value: [UInt8], attributes: [[UInt8]]) -> [UInt8] {
        var parts = [type, DER.tlv(DER.contextConstructed(0), value)]
        if !attributes.isEmpty { parts.append(DER.set(attributes)) }
        return DER.sequence(parts)
    }

    private func dataContentInfo(_ content: [UInt8]) -> [UInt8] {
        DER.sequence([OID.data, DER.tlv(DER.contextConstructed(0), DER.octetString(content))])
    }

    private func encryptedContentInfo(_ content: [UInt8]) throws -> [UInt8] {
        let (algorithm, ciphertext) = try pbes2Encrypt(content)
        let encryptedContent = DER.sequence([OID.data, algorithm,
                                             DER.tlv(DER.contextPrimitive(0), ciphertext)])
        return DER.sequence([OID.encryptedData,
                             DER.tlv(DER.contextConstructed(0), DER.sequence([DER.integer(0), encryptedContent]))])
    }

    /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) with a fresh salt and IV: the AlgorithmIdentifier and the ciphertext.
    private func pbes2Encrypt(_ plaintext: [UInt8]) throws -> (algorithm: [UInt8], ciphertext: [UInt8]) {
        let operation = "PKCS12 create"
        let salt = [UInt8](try SecureRandom.bytes(Self.saltByteCount))
        let iv = try SecureRandom.bytes(Self.ivByteCount)
        var key = try IteratedSHA256.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations,
                                            byteCount: Self.keyByteCount)
        defer { key.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        let cipher = try CipherContext(operation)
        try cipher.start(EVP_aes_256_cbc(), encrypting: true, key: Data(key), iv: iv, operation)
        let ciphertext = try cipher.update(Data(plaintext), operation) + cipher.finishEncrypting(operation)
        let kdfParameters = DER.sequence([DER.octetString(salt), DER.integer(iterations),
                                          DER.sequence([OID.hmacWithSHA256, DER.null])])
        let algorithm = DER.sequence([
            OID.pbes2,
            DER.sequence([
                DER.sequence([OID.pbkdf2, kdfParameters]),
                DER.sequence([OID.aes256CBC, DER.octetString([UInt8](iv))]),
            ]),
        ])
        return (algorithm, [UInt8](ciphertext))
    }

    /// MacData: HMAC-SHA256 over the authenticated safe, keyed by the PKCS#12 KDF of the BMPString password.
    private func macData(over authenticatedSafe: [UInt8]) throws -> [UInt8] {
        let salt = [UInt8](try SecureRandom.bytes(Self.saltByteCount))
        var bmpPassword: [UInt8] = password.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        bmpPassword += [0, 0]
        var key = try IteratedSHA256.pkcs12(id: Self.macKeyID, password: bmpPassword, salt: salt,
                                            iterations: iterations, byteCount: IteratedSHA256.digestByteCount)
        defer {
            key.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) }
            bmpPassword.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) }
        }
        let hmac = try HMAC(key: Data(key), digest: .sha256)
        hmac.update(Data(authenticatedSafe))
        let mac = [UInt8](hmac.finalize())
        return DER.sequence([DER.sequence([DER.sequence([OID.sha256, DER.null]), DER.octetString(mac)]),
                             DER.octetString(salt), DER.integer(iterations)])
    }
}

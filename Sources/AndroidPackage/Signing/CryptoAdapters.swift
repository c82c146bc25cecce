import CryptoCore
import Foundation

/// Connects the signer's hashing and key needs to CryptoCore (OpenSSL).
enum Hashing {
    final class Hasher: IncrementalHasher {
        private let hasher: DigestHasher
        init(_ function: HashFunction) { hasher = DigestHasher(function.digestAlgorithm) }
        func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bytes) }
        func finalize() -> [UInt8] { [UInt8](hasher.finalize().bytes) }
    }

    static func hasher(_ function: HashFunction) -> IncrementalHasher { Hasher(function) }

    static func hash(_ bytes: [UInt8], _ function: HashFunction) -> [UInt8] {
        let hasher = Hasher(function)
        hasher.update(bytes)
        return hasher.finalize()
    }
}

extension HashFunction {
    var digestAlgorithm: DigestAlgorithm {
        switch self {
        case .sha1: return .sha1
        case .sha256: return .sha256
        case .sha384: return .sha384
        case .sha512: return .sha512
        }
    }
}

extension PrivateKey: ApkSigningKey {
    public func sign(_ message: [UInt8], hash: HashFunction) throws -> [UInt8] {
        [UInt8](try signature(for: Data(message), digest: hash.digestAlgorithm, rsaPadding: .pkcs1v15))
    }
}

extension SigningIdentity {
    /// A key and certificate chain from CryptoCore, checked to belong together.
    public init(privateKey: PrivateKey, certificates: [Certificate]) throws {
        guard let leaf = certificates.first else {
            throw ApkSigningError.unsupportedKey(reason: "no certificate given for the key")
        }
        guard privateKey.publicKey.spkiDER == leaf.publicKey.spkiDER else {
            throw ApkSigningError.unsupportedKey(reason: "the private key does not belong to the certificate \(leaf.subject.rfc2253)")
        }
        try self.init(key: privateKey, certificateChain: certificates.map { [UInt8]($0.der) })
    }

    /// apksigner's `--key F.pk8 --cert F.pem`: a PKCS#8 key (DER or PEM, unencrypted) and a
    /// certificate file (PEM with one or more certificates, or DER).
    public static func load(keyFile: String, certificateFile: String) throws -> SigningIdentity {
        let keyData = try readSecretFile(keyFile)
        let certificateData = try readFile(certificateFile)
        let key: PrivateKey
        do {
            key = try PrivateKey(pemOrDER: keyData)
        } catch {
            throw ApkSigningError.unsupportedKey(reason: "\(keyFile) is not a readable unencrypted PKCS#8 private key")
        }
        let certificates: [Certificate]
        do {
            let text = String(decoding: certificateData.prefix(4096), as: UTF8.self)
            certificates = text.contains("-----BEGIN") ? try Certificate.all(inPEM: certificateData)
                                                       : [try Certificate(der: certificateData)]
        } catch {
            throw ApkSigningError.unsupportedKey(reason: "\(certificateFile) holds no readable X.509 certificate: \(error)")
        }
        return try SigningIdentity(privateKey: key, certificates: certificates)
    }

    static func readFile(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ApkSigningError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Key files are read like any file; the error never includes their content.
    static func readSecretFile(_ path: String) throws -> Data { try readFile(path) }
}

/// Checks a v1/v2/v3 signature with the signer's public key (SubjectPublicKeyInfo DER).
enum SignatureCheck {
    static func isValid(signature: [UInt8], over message: [UInt8], publicKey spki: [UInt8], hash: HashFunction,
                        pss: Bool = false) -> Bool {
        guard let key = try? PublicKey(spkiDER: Data(spki)) else { return false }
        return key.isValidSignature(Data(signature), for: Data(message), digest: hash.digestAlgorithm,
                                    rsaPadding: pss ? .pss : .pkcs1v15)
    }
}

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
        isValid(signature: signature, over: message, publicKey: spki, digest: .standard(hash.digestAlgorithm), pss: pss)
    }

    /// Also takes MD5, which only v1 verification of old apps needs.
    static func isValid(signature: [UInt8], over message: [UInt8], publicKey spki: [UInt8], digest: VerificationDigestAlgorithm,
                        pss: Bool = false) -> Bool {
        guard let key = try? PublicKey(spkiDER: Data(spki)) else { return false }
        return key.isValidSignature(Data(signature), for: Data(message), digest: digest, rsaPadding: pss ? .pss : .pkcs1v15)
    }
}

extension SigningIdentity {
    static let javaKeyStoreMagic: [UInt8] = [0xFE, 0xED, 0xFE, 0xED]
    static let javaCryptoKeyStoreMagic: [UInt8] = [0xCE, 0xCE, 0xCE, 0xCE]

    /// The key and certificate chain of a PKCS#12 keystore. `alias`, when given, must be the
    /// key's friendly name. Java keystores (JKS/JCEKS) are refused with the keytool command
    /// that converts them.
    public static func load(pkcs12 path: String, password: String, alias: String? = nil) throws -> (identity: SigningIdentity, alias: String?) {
        let data = try readSecretFile(path)
        try checkKeystoreFormat(data, path: path)
        let bundle: PKCS12Bundle
        do {
            bundle = try PKCS12Bundle(der: data, password: password)
        } catch let error as CryptoError where error.code == .wrongPassword {
            throw ApkSigningError.unsupportedKey(reason: "wrong password for keystore \(path) (or the file is damaged)")
        } catch {
            throw ApkSigningError.unsupportedKey(reason: "\(path) is not a readable PKCS#12 keystore: \(error)")
        }
        guard let key = bundle.privateKey, let certificate = bundle.certificate else {
            throw ApkSigningError.unsupportedKey(reason: "keystore \(path) holds no private key with its certificate")
        }
        if let alias, bundle.friendlyName?.lowercased() != alias.lowercased() {
            throw ApkSigningError.unsupportedKey(reason: "keystore \(path) has no key named '\(alias)'"
                + (bundle.friendlyName.map { "; its key is named '\($0)'" } ?? "; its key has no name"))
        }
        let chain = [certificate] + bundle.chain.filter { $0.der != certificate.der }
        return (try SigningIdentity(privateKey: key, certificates: chain), bundle.friendlyName)
    }

    /// Refuses Java keystores before any password is asked for.
    public static func checkKeystoreFormat(path: String) throws {
        try checkKeystoreFormat(try readSecretFile(path), path: path)
    }

    static func checkKeystoreFormat(_ data: Data, path: String) throws {
        let magic = [UInt8](data.prefix(4))
        guard magic == javaKeyStoreMagic || magic == javaCryptoKeyStoreMagic else { return }
        let kind = magic == javaKeyStoreMagic ? "JKS" : "JCEKS"
        throw ApkSigningError.unsupportedKey(reason: """
        \(path) is a Java \(kind) keystore; appseal reads PKCS#12. Convert it with:
          keytool -importkeystore -srckeystore \(path) -destkeystore \(URL(fileURLWithPath: path).deletingPathExtension().path).p12 -deststoretype PKCS12
        """)
    }

    /// The signer certificate's subject, RFC 2253.
    public var subject: String {
        (try? Certificate(der: Data(certificate.der)))?.subject.rfc2253 ?? "(unparseable subject)"
    }
}

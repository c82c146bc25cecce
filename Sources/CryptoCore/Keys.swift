import COpenSSL
import CAppsealShim
import Foundation

/// The key types appseal generates; raw values are the CLI and Fusion Set spelling.
public enum KeyType: String, Sendable, CaseIterable, Codable {
    case ecP256 = "ec-p256"
    case ecP384 = "ec-p384"
    case rsa2048 = "rsa-2048"
    case rsa3072 = "rsa-3072"
    case rsa4096 = "rsa-4096"

    /// The digest certificates and signatures use with this key by default (matches the curve strength for EC).
    public var defaultDigest: DigestAlgorithm {
        self == .ecP384 ? .sha384 : .sha256
    }

    public var algorithm: KeyAlgorithm {
        switch self {
        case .ecP256: .ec(curve: .p256)
        case .ecP384: .ec(curve: .p384)
        case .rsa2048: .rsa(bits: 2048)
        case .rsa3072: .rsa(bits: 3072)
        case .rsa4096: .rsa(bits: 4096)
        }
    }
}

/// A named elliptic curve, by its OpenSSL group name.
public struct EllipticCurve: Sendable, Hashable, CustomStringConvertible {
    public let openSSLName: String
    public static let p256 = EllipticCurve(openSSLName: "prime256v1")
    public static let p384 = EllipticCurve(openSSLName: "secp384r1")
    public static let p521 = EllipticCurve(openSSLName: "secp521r1")

    public var description: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        default: openSSLName
        }
    }
}

/// What kind of key something holds, as read from the key itself.
public enum KeyAlgorithm: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    case ec(curve: EllipticCurve)
    case ed25519
    case ed448
    /// Anything else OpenSSL can load, by its type name.
    case other(String)

    /// The generation type this matches, when it is one appseal generates.
    public var keyType: KeyType? { KeyType.allCases.first { $0.algorithm == self } }

    public var isRSA: Bool { if case .rsa = self { true } else { false } }
    public var isEC: Bool { if case .ec = self { true } else { false } }

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA-\(bits)"
        case .ec(let curve): "EC \(curve)"
        case .ed25519: "Ed25519"
        case .ed448: "Ed448"
        case .other(let name): name
        }
    }

    static func of(_ pkey: OpaquePointer) -> KeyAlgorithm {
        switch EVP_PKEY_get_base_id(pkey) {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS:
            return .rsa(bits: Int(EVP_PKEY_get_bits(pkey)))
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 80)
            var length = 0
            if EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length) == 1 {
                return .ec(curve: EllipticCurve(openSSLName: String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)))
            }
            OpenSSLErrorQueue.clear()
            return .other("EC")
        case EVP_PKEY_ED25519:
            return .ed25519
        case EVP_PKEY_ED448:
            return .ed448
        default:
            if let name = EVP_PKEY_get0_type_name(pkey) { return .other(String(cString: name)) }
            return .other("unknown")
        }
    }
}

/// RSA signature padding; EC and EdDSA keys ignore it.
public enum RSAPadding: Sendable, Hashable {
    /// RSASSA-PKCS1-v1_5 (APK v1/v2/v3 RSA, JAR, X.509).
    case pkcs1v15
    /// RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest (APK v2 RSA-PSS).
    case pss
}

/// Owns one EVP_PKEY. Keys are never mutated after creation, so sharing across threads is safe.
final class PKeyHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}

/// A passphrase handed to OpenSSL's PEM callback through its user-data pointer.
private final class PassphraseBox {
    var bytes: [UInt8]
    init(_ passphrase: String) { bytes = Array(passphrase.utf8) }
    deinit { bytes.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
}

/// Copies the passphrase into OpenSSL's buffer; with no passphrase it refuses, so OpenSSL never prompts on a terminal.
private let passphraseCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
    buffer, size, _, userData in
    guard let buffer, let userData else { return -1 }
    let box = Unmanaged<PassphraseBox>.fromOpaque(userData).takeUnretainedValue()
    guard box.bytes.count <= Int(size) else { return -1 }
    for (index, byte) in box.bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
    return Int32(box.bytes.count)
}

/// Reads a private key from PEM with `PEM_read_bio_PrivateKey` semantics and our passphrase rules.
func readPrivateKeyPEM(_ pem: Data, passphrase: String?, operation: String) throws -> OpaquePointer {
    OpenSSLErrorQueue.clear()
    let bio = try MemoryBIO(reading: pem, operation: operation)
    let text = String(decoding: pem.prefix(64 * 1024), as: UTF8.self)
    let encrypted = text.contains("BEGIN ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")
    if encrypted && passphrase == nil {
        throw CryptoError(.wrongPassword, operation: operation, reasons: ["the key is encrypted and no passphrase was given"])
    }
    let box = passphrase.map(PassphraseBox.init)
    let userData = box.map { Unmanaged.passUnretained($0).toOpaque() }
    let key = withExtendedLifetime(box) { PEM_read_bio_PrivateKey(bio.pointer, nil, passphraseCallback, userData) }
    guard let key else {
        if encrypted {
            throw CryptoError.drainingQueue(.wrongPassword, operation: operation, message: "wrong passphrase or damaged encrypted key")
        }
        throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "no private key in PEM input")
    }
    return key
}

/// A private key: generate, import, export, sign. The key material never appears in descriptions or errors.
public struct PrivateKey: Sendable, CustomStringConvertible {
    let handle: PKeyHandle
    public let algorithm: KeyAlgorithm
    /// The matching public key (encoded once: SPKI encoding goes through OpenSSL 3's slower encoder framework).
    public let publicKey: PublicKey

    init(taking pointer: OpaquePointer) throws {
        handle = PKeyHandle(taking: pointer)
        algorithm = KeyAlgorithm.of(pointer)
        publicKey = try PublicKey(sharing: pointer)
    }

    var pointer: OpaquePointer { handle.pointer }

    /// A fresh key from the CSPRNG.
    public static func generate(_ type: KeyType) throws -> PrivateKey {
        let operation = "key generation (\(type.rawValue))"
        OpenSSLErrorQueue.clear()
        let key: OpaquePointer? = switch type {
        case .ecP256: appseal_generate_ec_key(NID_X9_62_prime256v1)
        case .ecP384: appseal_generate_ec_key(NID_secp384r1)
        case .rsa2048: appseal_EVP_PKEY_Q_keygen_rsa(2048)
        case .rsa3072: appseal_EVP_PKEY_Q_keygen_rsa(3072)
        case .rsa4096: appseal_EVP_PKEY_Q_keygen_rsa(4096)
        }
        return try PrivateKey(taking: try require(key, operation))
    }

    /// Reads PEM: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`) or a traditional
    /// `RSA/EC PRIVATE KEY` block, encrypted or not. An encrypted key needs `passphrase`.
    public init(pem: Data, passphrase: String? = nil) throws {
        try self.init(taking: try readPrivateKeyPEM(pem, passphrase: passphrase, operation: "private key import"))
    }

    public init(pem: String, passphrase: String? = nil) throws {
        try self.init(pem: Data(pem.utf8), passphrase: passphrase)
    }

    /// Reads DER: unencrypted PKCS#8 PrivateKeyInfo (v1, or v2 OneAsymmetricKey with an embedded public key)
    /// or a traditional RSA/EC structure.
    public init(der: Data) throws {
        let decode = { (bytes: Data) throws -> OpaquePointer in
            try decodeDER(bytes, "private key import", decode: { cursor, length in
                d2i_AutoPrivateKey(nil, cursor, length)
            }, free: { EVP_PKEY_free($0) })
        }
        do {
            try self.init(taking: try decode(der))
        } catch {
            guard let version1 = OneAsymmetricKey.version1(of: der) else { throw error }
            try self.init(taking: try decode(version1))
        }
    }

    /// Reads PEM or DER, whichever `bytes` are.
    public init(pemOrDER bytes: Data, passphrase: String? = nil) throws {
        if bytes.starts(with: Array("-----".utf8)) || String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN") {
            try self.init(pem: bytes, passphrase: passphrase)
        } else {
            try self.init(der: bytes)
        }
    }

    /// Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public func pemEncoded() throws -> String {
        let data = try writeToData("private key export") { bio in
            PEM_write_bio_PrivateKey(bio, pointer, nil, nil, 0, nil, nil)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Encrypted PKCS#8 PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`): AES-256-CBC, PBKDF2-HMAC-SHA256.
    public func pemEncoded(passphrase: String) throws -> String {
        guard !passphrase.isEmpty else { throw CryptoError.invalid("private key export", "the passphrase is empty") }
        var bytes = Array(passphrase.utf8).map { CChar(bitPattern: $0) }
        defer { bytes.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        let count = Int32(bytes.count)
        let data = try writeToData("private key export") { bio in
            PEM_write_bio_PKCS8PrivateKey(bio, pointer, EVP_aes_256_cbc(), bytes, count, nil, nil)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Unencrypted PKCS#8 DER.
    public func derEncoded() throws -> Data {
        try writeToData("private key export") { bio in
            i2d_PKCS8PrivateKey_bio(bio, pointer, nil, nil, 0, nil, nil)
        }
    }

    /// Signs `data`: RSA with `rsaPadding` (PKCS#1 v1.5 by default), ECDSA as a DER `Ecdsa-Sig-Value`,
    /// EdDSA over the message itself (`digest` is then ignored).
    public func signature(for data: Data, digest: DigestAlgorithm, rsaPadding: RSAPadding = .pkcs1v15) throws -> Data {
        let operation = "sign (\(algorithm), \(digest.rawValue))"
        OpenSSLErrorQueue.clear()
        let context = try require(EVP_MD_CTX_new(), operation)
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        try check(EVP_DigestSignInit(context, &keyContext, usesDigest ? digest.evpMD : nil, nil, pointer), operation)
        if algorithm.isRSA, rsaPadding == .pss, let keyContext {
            try check(EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING), operation)
            try check(EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST), operation)
        }
        let message = [UInt8](data)
        var length = 0
        try check(EVP_DigestSign(context, nil, &length, message, message.count), operation)
        var output = [UInt8](repeating: 0, count: length)
        try check(EVP_DigestSign(context, &output, &length, message, message.count), operation)
        return Data(output.prefix(length))
    }

    private var usesDigest: Bool {
        switch algorithm {
        case .ed25519, .ed448: false
        default: true
        }
    }

    public var description: String { "PrivateKey(\(algorithm))" }
}

/// A public key, kept as its SubjectPublicKeyInfo DER.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    let handle: PKeyHandle
    public let algorithm: KeyAlgorithm
    /// Key size in bits as OpenSSL counts it: the modulus for RSA, the field size for EC (256, 384, 521).
    public var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }
    /// DER SubjectPublicKeyInfo.
    public let spkiDER: Data

    /// Shares a key OpenSSL already holds (a private key or a certificate's key).
    init(sharing pointer: OpaquePointer) throws {
        let der = try derEncoding("public key export") { i2d_PUBKEY(pointer, $0) }
        EVP_PKEY_up_ref(pointer)
        handle = PKeyHandle(taking: pointer)
        algorithm = KeyAlgorithm.of(pointer)
        spkiDER = der
    }

    /// The key of a certificate: its SPKI is re-encoded from the parsed ASN.1, not through an encoder.
    init(certificate x509: OpaquePointer, operation: String) throws {
        let spki = try require(X509_get_X509_PUBKEY(x509), operation, .invalidInput)
        guard let key = X509_get0_pubkey(x509) else {
            var object: OpaquePointer?
            X509_PUBKEY_get0_param(&object, nil, nil, nil, spki)
            let name = object.map(objectShortName) ?? "unknown"
            throw CryptoError.drainingQueue(.unsupported, operation: operation, message: "the certificate's public key (\(name)) cannot be decoded")
        }
        spkiDER = try derEncoding(operation) { i2d_X509_PUBKEY(spki, $0) }
        EVP_PKEY_up_ref(key)
        handle = PKeyHandle(taking: key)
        algorithm = KeyAlgorithm.of(key)
    }

    /// Reads a DER SubjectPublicKeyInfo.
    public init(spkiDER der: Data) throws {
        let key = try decodeDER(der, "public key import", decode: { cursor, length in
            d2i_PUBKEY(nil, cursor, length)
        }, free: { EVP_PKEY_free($0) })
        handle = PKeyHandle(taking: key)
        algorithm = KeyAlgorithm.of(key)
        spkiDER = Data(der)
    }

    /// Reads a `-----BEGIN PUBLIC KEY-----` block.
    public init(pem: Data) throws {
        let operation = "public key import"
        OpenSSLErrorQueue.clear()
        let bio = try MemoryBIO(reading: pem, operation: operation)
        let key = try require(PEM_read_bio_PUBKEY(bio.pointer, nil, nil, nil), operation, .invalidInput)
        try self.init(sharing: key)
        EVP_PKEY_free(key)
    }

    var pointer: OpaquePointer { handle.pointer }

    /// `-----BEGIN PUBLIC KEY-----` PEM.
    public func pemEncoded() throws -> String {
        String(decoding: try writeToData("public key export") { PEM_write_bio_PUBKEY($0, pointer) }, as: UTF8.self)
    }

    /// The SHA-256 of the SPKI DER: what HPKP-style pins and Android network security config pin.
    public var spkiSHA256: Digest { Digest.sha256(spkiDER) }

    /// `sha256/<base64>`, the pin form of OkHttp, Android network-security-config and TrustKit.
    public var pin: String { "sha256/" + spkiSHA256.bytes.base64EncodedString() }

    /// Whether `signature` is valid for `data` under this key (see `PrivateKey.signature` for the schemes).
    /// A malformed signature is simply not valid.
    public func isValidSignature(_ signature: Data, for data: Data, digest: DigestAlgorithm,
                                 rsaPadding: RSAPadding = .pkcs1v15) -> Bool {
        isValidSignature(signature, for: data, evpMD: digest.evpMD, rsaPadding: rsaPadding)
    }

    func isValidSignature(_ signature: Data, for data: Data, evpMD: OpaquePointer, rsaPadding: RSAPadding) -> Bool {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        let usesDigest = !(algorithm == .ed25519 || algorithm == .ed448)
        guard EVP_DigestVerifyInit(context, &keyContext, usesDigest ? evpMD : nil, nil, pointer) == 1 else { return false }
        if algorithm.isRSA, rsaPadding == .pss, let keyContext {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1 else { return false }
        }
        let signatureBytes = [UInt8](signature)
        let message = [UInt8](data)
        return EVP_DigestVerify(context, signatureBytes, signatureBytes.count, message, message.count) == 1
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.spkiDER == rhs.spkiDER }
    public func hash(into hasher: inout Hasher) { hasher.combine(spkiDER) }

    public var description: String { "PublicKey(\(algorithm), \(pin))" }
}

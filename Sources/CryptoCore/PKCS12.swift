import COpenSSL
import CAppsealShim
import Foundation

/// Owns one PKCS12 structure.
private final class PKCS12Handle {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PKCS12_free(pointer) }
}

/// A PKCS#12 keystore: a private key, its certificate, the chain above it and a friendly name.
public struct PKCS12Bundle: Sendable {
    /// How the file is encrypted and authenticated.
    public enum Profile: String, Sendable, CaseIterable, Codable {
        /// AES-256-CBC with PBKDF2-HMAC-SHA256 for the key and certificate bags, HMAC-SHA256 MAC (OpenSSL 3's default).
        case modern
        /// PBE-SHA1-3DES for both bags, HMAC-SHA1 MAC: what Java 8, older Android and Windows keystores read.
        case compatible
    }

    public var privateKey: PrivateKey?
    public var certificate: Certificate?
    /// CA certificates above `certificate`, nearest first.
    public var chain: [Certificate]
    public var friendlyName: String?

    public init(privateKey: PrivateKey?, certificate: Certificate?, chain: [Certificate] = [], friendlyName: String? = nil) {
        self.privateKey = privateKey
        self.certificate = certificate
        self.chain = chain
        self.friendlyName = friendlyName
    }

    /// The iteration count for both the bag encryption and the MAC (OpenSSL's and Java's default).
    public static let defaultIterations = 2048
    /// The most iterations a file may ask for: enough for any exporter's setting, and it bounds the work a
    /// hostile file can cause before its MAC is checked.
    public static let maximumIterations = 2_000_000

    /// Reads a PKCS#12 file. The MAC is checked first, so a wrong password fails with `.wrongPassword`
    /// before anything is decrypted. RC2-40 and DES files are read through OpenSSL's legacy provider.
    public init(der: Data, password: String) throws {
        try self.init(der: der, password: password, walkingBags: false)
    }

    /// `walkingBags: true` skips PKCS12_parse and reads the bags directly, the path taken for files PKCS12_parse
    /// rejects; tests use it to check that path against PKCS12_parse on ordinary files.
    init(der: Data, password: String, walkingBags: Bool) throws {
        let operation = "PKCS12 parse"
        _ = Providers.legacyAvailable
        let p12 = PKCS12Handle(taking: try decodeDER(der, operation, decode: { cursor, length in
            d2i_PKCS12(nil, cursor, length)
        }, free: { PKCS12_free($0) }))
        OpenSSLErrorQueue.clear()
        var secret = Array(password.utf8CString)
        defer { secret.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        let secretLength = Int32(secret.count - 1)
        // Without a MAC nothing vouches for the bags, and their (hostile) iteration counts would be run unchecked.
        guard PKCS12_mac_present(p12.pointer) == 1 else {
            throw CryptoError(.unsupported, operation: operation, reasons: ["the file has no integrity MAC; appseal reads only password-protected PKCS#12 files"])
        }
        var macIterations: UnsafePointer<ASN1_INTEGER>?
        PKCS12_get0_mac(nil, nil, nil, &macIterations, p12.pointer)
        let iterations = macIterations.map { ASN1_INTEGER_get($0) } ?? 1
        guard iterations >= 1, iterations <= PKCS12Bundle.maximumIterations else {
            throw CryptoError(.unsupported, operation: operation, reasons: ["MAC iteration count \(iterations) is outside 1...\(PKCS12Bundle.maximumIterations)"])
        }
        // An empty password may have been encoded as absent or as an empty string; accept either.
        let verified = PKCS12_verify_mac(p12.pointer, secret, secretLength) == 1
            || (password.isEmpty && PKCS12_verify_mac(p12.pointer, nil, 0) == 1)
        guard verified else {
            OpenSSLErrorQueue.clear()
            throw CryptoError(.wrongPassword, operation: operation, reasons: ["mac verify failure (wrong password or damaged file)"])
        }
        if walkingBags {
            self = try PKCS12Bundle.walkingBags(p12.pointer, secret: secret, secretLength: secretLength, operation)
            return
        }
        var keyPointer: OpaquePointer?
        var certificatePointer: OpaquePointer?
        var chainStack: OpaquePointer?
        guard PKCS12_parse(p12.pointer, secret, &keyPointer, &certificatePointer, &chainStack) == 1 else {
            let reasons = OpenSSLErrorQueue.drain()
            if !Providers.legacyAvailable {
                throw CryptoError(.unsupported, operation: operation, reasons: [Providers.legacyMissingReason] + reasons)
            }
            if reasons.contains(where: { $0.contains("PKCS8_PRIV_KEY_INFO") }) {
                // RFC 5958 v2 keys (an embedded [1] publicKey, as some Ed25519 exporters write) defeat OpenSSL 3.0's
                // PKCS12_parse; walking the bags ourselves lets PrivateKey(der:) rewrite them as v1.
                self = try PKCS12Bundle.walkingBags(p12.pointer, secret: secret, secretLength: secretLength, operation)
                return
            }
            throw CryptoError(.invalidInput, operation: operation, reasons: ["cannot decrypt or decode the bags"] + reasons)
        }
        // Own everything PKCS12_parse returned before anything below can throw.
        defer { if let chainStack { appseal_sk_X509_pop_free(chainStack) } }
        let certificateOwner = certificatePointer.map(X509Handle.init(taking:))
        privateKey = try keyPointer.map { try PrivateKey(taking: $0) }
        if let certificateOwner {
            var length: Int32 = 0
            if let alias = X509_alias_get0(certificateOwner.pointer, &length), length > 0 {
                friendlyName = String(decoding: UnsafeBufferPointer(start: alias, count: Int(length)), as: UTF8.self)
            } else {
                friendlyName = nil
            }
            X509_up_ref(certificateOwner.pointer)
            certificate = try Certificate(taking: certificateOwner.pointer)
        } else {
            certificate = nil
            friendlyName = nil
        }
        var chain: [Certificate] = []
        if let chainStack {
            for index in 0..<max(appseal_sk_X509_num(chainStack), 0) {
                guard let x509 = appseal_sk_X509_value(chainStack, index) else { continue }
                X509_up_ref(x509)
                chain.append(try Certificate(taking: x509))
            }
        }
        self.chain = chain
        if let key = privateKey, let certificate, key.publicKey != certificate.publicKey {
            throw CryptoError.invalid(operation, "the private key does not belong to the certificate '\(certificate.subject)'")
        }
    }

    /// Reads every safe and bag directly: one private key (shrouded or plain), its certificate (by localKeyID,
    /// else by public key) and the other certificates as the chain. Other bag types are not part of an identity.
    private static func walkingBags(_ p12: OpaquePointer, secret: [CChar], secretLength: Int32,
                                    _ operation: String) throws -> PKCS12Bundle {
        typealias Entry<T> = (value: T, localKeyID: Data?, name: String?)
        OpenSSLErrorQueue.clear()
        let safes = try require(PKCS12_unpack_authsafes(p12), operation, .invalidInput)
        defer { appseal_sk_PKCS7_pop_free(safes) }
        var keys: [Entry<PrivateKey>] = []
        var certificates: [Entry<Certificate>] = []
        for safeIndex in 0..<max(appseal_sk_PKCS7_num(safes), 0) {
            guard let safe = appseal_sk_PKCS7_value(safes, safeIndex) else { continue }
            let bags: OpaquePointer?
            switch OBJ_obj2nid(safe.pointee.type) {
            case NID_pkcs7_data: bags = PKCS12_unpack_p7data(safe)
            case NID_pkcs7_encrypted: bags = PKCS12_unpack_p7encdata(safe, secret, secretLength)
            default: throw CryptoError(.unsupported, operation: operation, reasons: ["a safe is neither data nor password-encrypted data"])
            }
            let stack = try require(bags, operation, .invalidInput)
            defer { appseal_sk_PKCS12_SAFEBAG_pop_free(stack) }
            for bagIndex in 0..<max(appseal_sk_PKCS12_SAFEBAG_num(stack), 0) {
                guard let bag = appseal_sk_PKCS12_SAFEBAG_value(stack, bagIndex) else { continue }
                var localKeyID: Data?
                if let attribute = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID), attribute.pointee.type == V_ASN1_OCTET_STRING,
                   let octets = attribute.pointee.value.octet_string {
                    localKeyID = asn1StringBytes(octets)
                }
                var name: String?
                if let friendly = PKCS12_get_friendlyname(bag) {
                    name = String(cString: friendly)
                    appseal_OPENSSL_free(friendly)
                }
                switch PKCS12_SAFEBAG_get_nid(bag) {
                case NID_pkcs8ShroudedKeyBag:
                    let key = try decryptShroudedKey(bag, secret: secret, secretLength: secretLength, operation)
                    keys.append((key, localKeyID, name))
                case NID_keyBag:
                    let info = try require(PKCS12_SAFEBAG_get0_p8inf(bag), operation, .invalidInput)
                    keys.append((try PrivateKey(taking: try require(EVP_PKCS82PKEY(info), operation, .invalidInput)), localKeyID, name))
                case NID_certBag where PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate:
                    let x509 = try require(PKCS12_SAFEBAG_get1_cert(bag), operation, .invalidInput)
                    certificates.append((try Certificate(taking: x509), localKeyID, name))
                default:
                    continue
                }
            }
        }
        guard keys.count <= 1 else {
            throw CryptoError(.unsupported, operation: operation, reasons: ["the file holds \(keys.count) private keys; appseal reads one identity"])
        }
        let key = keys.first
        let leafIndex = key.flatMap { key in
            certificates.firstIndex { $0.localKeyID != nil && $0.localKeyID == key.localKeyID }
                ?? certificates.firstIndex { $0.value.publicKey == key.value.publicKey }
        } ?? (key == nil && !certificates.isEmpty ? 0 : nil)
        let leaf = leafIndex.map { certificates[$0] }
        var chain = certificates
        if let leafIndex { chain.remove(at: leafIndex) }
        OpenSSLErrorQueue.clear()
        return PKCS12Bundle(privateKey: key?.value, certificate: leaf?.value, chain: chain.map(\.value),
                            friendlyName: key?.name ?? leaf?.name)
    }

    /// Decrypts a pkcs8ShroudedKeyBag with the bag's own PBE parameters and reads the PrivateKeyInfo.
    private static func decryptShroudedKey(_ bag: OpaquePointer, secret: [CChar], secretLength: Int32,
                                           _ operation: String) throws -> PrivateKey {
        let signature = try require(PKCS12_SAFEBAG_get0_pkcs8(bag), operation, .invalidInput)
        var algorithm: UnsafePointer<X509_ALGOR>?
        var octets: UnsafePointer<ASN1_OCTET_STRING>?
        X509_SIG_get0(signature, &algorithm, &octets)
        guard let algorithm, let octets else { throw CryptoError.invalid(operation, "a key bag has no encrypted data") }
        let ciphertext = [UInt8](asn1StringBytes(octets))
        var plaintext: UnsafeMutablePointer<UInt8>?
        var plaintextLength: Int32 = 0
        guard PKCS12_pbe_crypt(algorithm, secret, secretLength, ciphertext, Int32(ciphertext.count), &plaintext, &plaintextLength, 0) != nil,
              let plaintext else {
            throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "cannot decrypt the key bag")
        }
        defer {
            OPENSSL_cleanse(plaintext, Int(plaintextLength))
            appseal_OPENSSL_free(plaintext)
        }
        return try PrivateKey(der: Data(bytes: plaintext, count: Int(plaintextLength)))
    }

    /// Writes the keystore. Passwords must be non-empty; the password never appears in errors.
    public func encoded(password: String, profile: Profile = .modern, iterations: Int = defaultIterations) throws -> Data {
        let operation = "PKCS12 create"
        guard !password.isEmpty else { throw CryptoError.invalid(operation, "the password is empty") }
        guard iterations >= 1, iterations <= PKCS12Bundle.maximumIterations, let iterationCount = Int32(exactly: iterations) else {
            throw CryptoError.invalid(operation, "iteration count \(iterations) is out of range")
        }
        guard privateKey != nil || certificate != nil else {
            throw CryptoError.invalid(operation, "a PKCS#12 file needs a key or a certificate")
        }
        if let privateKey, let certificate, privateKey.publicKey != certificate.publicKey {
            throw CryptoError.invalid(operation, "the private key does not belong to the certificate '\(certificate.subject)'")
        }
        if profile == .modern {
            return try PKCS12ModernEncoder(bundle: self, password: password, iterations: iterations).encoded()
        }
        OpenSSLErrorQueue.clear()
        let stack = try require(appseal_sk_X509_new_null(), operation)
        // The stack borrows the certificates (no up-ref), so it is freed without freeing them.
        defer { appseal_sk_X509_free(stack) }
        for certificate in chain {
            guard appseal_sk_X509_push(stack, certificate.pointer) > 0 else { throw CryptoError.drainingQueue(.library, operation: operation) }
        }
        // The legacy profile is rare enough to leave to OpenSSL: PBE-SHA1-3DES bags, HMAC-SHA1 MAC.
        let (bagNID, macDigest) = (NID_pbe_WithSHA1And3_Key_TripleDES_CBC, DigestAlgorithm.sha1)
        var secret = Array(password.utf8CString)
        defer { secret.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        let created = withExtendedLifetime((privateKey, certificate, chain)) {
            // MAC iteration -1 leaves the MAC off so it is added below with the profile's digest.
            PKCS12_create(secret, friendlyName, privateKey?.pointer, certificate?.pointer, stack,
                          bagNID, bagNID, iterationCount, -1, 0)
        }
        let p12 = PKCS12Handle(taking: try require(created, operation))
        try check(PKCS12_set_mac(p12.pointer, secret, Int32(secret.count - 1), nil, 0, iterationCount, macDigest.evpMD), operation)
        return try derEncoding(operation) { i2d_PKCS12(p12.pointer, $0) }
    }
}

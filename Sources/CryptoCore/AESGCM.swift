import COpenSSL
import CAppsealShim
import Foundation

/// AES-256-GCM authenticated encryption with 96-bit nonces and 128-bit tags.
public enum AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// A sealed message: nonce, ciphertext and tag.
    public struct SealedBox: Sendable, Equatable {
        public let nonce: Data
        public let ciphertext: Data
        public let tag: Data

        public init(nonce: Data, ciphertext: Data, tag: Data) {
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }

        /// nonce ‖ ciphertext ‖ tag, the layout most formats store.
        public var combined: Data { nonce + ciphertext + tag }

        /// Splits nonce ‖ ciphertext ‖ tag.
        public init(combined: Data) throws {
            guard combined.count >= AESGCM.nonceByteCount + AESGCM.tagByteCount else {
                throw CryptoError.invalid("AES-256-GCM open", "sealed data of \(combined.count) bytes is shorter than nonce and tag")
            }
            let bytes = Data(combined)
            nonce = bytes.prefix(AESGCM.nonceByteCount)
            tag = bytes.suffix(AESGCM.tagByteCount)
            ciphertext = bytes.dropFirst(AESGCM.nonceByteCount).dropLast(AESGCM.tagByteCount)
        }
    }

    /// A fresh random 256-bit key.
    public static func generateKey() throws -> Data { try SecureRandom.bytes(keyByteCount) }

    /// Encrypts with a fresh random nonce.
    public static func seal(_ plaintext: Data, key: Data, authenticating aad: Data = Data()) throws -> SealedBox {
        try seal(plaintext, key: key, nonce: SecureRandom.bytes(nonceByteCount), authenticating: aad)
    }

    /// Encrypts with the caller's nonce, for formats that derive or record it. Never reuse a nonce under one key.
    public static func seal(_ plaintext: Data, key: Data, nonce: Data, authenticating aad: Data = Data()) throws -> SealedBox {
        let operation = "AES-256-GCM seal"
        try validate(key: key, nonce: nonce, operation)
        let cipher = try CipherContext(operation)
        try cipher.start(encrypting: true, key: key, nonce: nonce, operation)
        try cipher.addAAD(aad, operation)
        let ciphertext = try cipher.update(plaintext, operation)
        try cipher.finish(operation)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        try check(EVP_CIPHER_CTX_ctrl(cipher.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag), operation)
        return SealedBox(nonce: Data(nonce), ciphertext: ciphertext, tag: Data(tag))
    }

    /// Decrypts and checks the tag; a wrong key, nonce, AAD or any changed byte fails with `.verificationFailed`.
    public static func open(_ box: SealedBox, key: Data, authenticating aad: Data = Data()) throws -> Data {
        let operation = "AES-256-GCM open"
        try validate(key: key, nonce: box.nonce, operation)
        guard box.tag.count == tagByteCount else {
            throw CryptoError.invalid(operation, "tag is \(box.tag.count) bytes, expected \(tagByteCount)")
        }
        let cipher = try CipherContext(operation)
        try cipher.start(encrypting: false, key: key, nonce: box.nonce, operation)
        try cipher.addAAD(aad, operation)
        let plaintext = try cipher.update(box.ciphertext, operation)
        var tag = [UInt8](box.tag)
        try check(EVP_CIPHER_CTX_ctrl(cipher.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag), operation)
        var trailing = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        guard EVP_DecryptFinal_ex(cipher.pointer, &trailing, &length) == 1 else {
            OpenSSLErrorQueue.clear()
            throw CryptoError(.verificationFailed, operation: operation, reasons: ["authentication tag does not match (wrong key, nonce, associated data or altered ciphertext)"])
        }
        return plaintext
    }

    private static func validate(key: Data, nonce: Data, _ operation: String) throws {
        guard key.count == keyByteCount else {
            throw CryptoError.invalid(operation, "key is \(key.count) bytes, expected \(keyByteCount)")
        }
        guard nonce.count == nonceByteCount else {
            throw CryptoError.invalid(operation, "nonce is \(nonce.count) bytes, expected \(nonceByteCount)")
        }
    }
}

/// Owns one EVP_CIPHER_CTX for AES-256-GCM.
private final class CipherContext {
    let pointer: OpaquePointer
    private var encrypting = true

    init(_ operation: String) throws {
        OpenSSLErrorQueue.clear()
        pointer = try require(EVP_CIPHER_CTX_new(), operation)
    }

    func start(encrypting: Bool, key: Data, nonce: Data, _ operation: String) throws {
        self.encrypting = encrypting
        let keyBytes = [UInt8](key)
        let nonceBytes = [UInt8](nonce)
        let status = encrypting
            ? EVP_EncryptInit_ex(pointer, EVP_aes_256_gcm(), nil, keyBytes, nonceBytes)
            : EVP_DecryptInit_ex(pointer, EVP_aes_256_gcm(), nil, keyBytes, nonceBytes)
        try check(status, operation)
    }

    func addAAD(_ aad: Data, _ operation: String) throws {
        guard !aad.isEmpty else { return }
        guard let count = Int32(exactly: aad.count) else { throw CryptoError.invalid(operation, "associated data too large") }
        var ignored: Int32 = 0
        let bytes = [UInt8](aad)
        let status = encrypting
            ? EVP_EncryptUpdate(pointer, nil, &ignored, bytes, count)
            : EVP_DecryptUpdate(pointer, nil, &ignored, bytes, count)
        try check(status, operation)
    }

    func update(_ input: Data, _ operation: String) throws -> Data {
        guard !input.isEmpty else { return Data() }
        guard let count = Int32(exactly: input.count) else { throw CryptoError.invalid(operation, "message too large") }
        var output = Data(count: input.count)
        var written: Int32 = 0
        let status = input.withUnsafeBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in
                let source = inBytes.bindMemory(to: UInt8.self).baseAddress
                let target = outBytes.bindMemory(to: UInt8.self).baseAddress
                return encrypting
                    ? EVP_EncryptUpdate(pointer, target, &written, source, count)
                    : EVP_DecryptUpdate(pointer, target, &written, source, count)
            }
        }
        try check(status, operation)
        return output.prefix(Int(written))
    }

    func finish(_ operation: String) throws {
        var trailing = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        try check(EVP_EncryptFinal_ex(pointer, &trailing, &length), operation)
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}

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
        try cipher.start(EVP_aes_256_gcm(), encrypting: true, key: key, iv: nonce, operation)
        try cipher.addAAD(aad, operation)
        let ciphertext = try cipher.update(plaintext, operation)
        _ = try cipher.finishEncrypting(operation)
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
        try cipher.start(EVP_aes_256_gcm(), encrypting: false, key: key, iv: box.nonce, operation)
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

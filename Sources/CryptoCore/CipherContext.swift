import COpenSSL
import CAppsealShim
import Foundation

/// Owns one EVP_CIPHER_CTX (AES-256-GCM for sealing, AES-256-CBC for PKCS#12 bags).
final class CipherContext {
    let pointer: OpaquePointer
    private var encrypting = true

    init(_ operation: String) throws {
        OpenSSLErrorQueue.clear()
        pointer = try require(EVP_CIPHER_CTX_new(), operation)
    }

    func start(_ cipher: OpaquePointer, encrypting: Bool, key: Data, iv: Data, _ operation: String) throws {
        self.encrypting = encrypting
        let keyBytes = [UInt8](key)
        let ivBytes = [UInt8](iv)
        let status = encrypting
            ? EVP_EncryptInit_ex(pointer, cipher, nil, keyBytes, ivBytes)
            : EVP_DecryptInit_ex(pointer, cipher, nil, keyBytes, ivBytes)
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
        // A block cipher mode may hold back up to one block, and release it with the next input.
        var output = Data(count: input.count + 16)
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

    /// Ends an encryption: the last (padded) block for CBC, nothing for GCM.
    func finishEncrypting(_ operation: String) throws -> Data {
        var trailing = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        try check(EVP_EncryptFinal_ex(pointer, &trailing, &length), operation)
        return Data(trailing.prefix(Int(length)))
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}

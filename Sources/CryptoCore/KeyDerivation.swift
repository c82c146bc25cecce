import COpenSSL
import CAppsealShim
import Foundation

/// Password- and key-based key derivation.
public enum KeyDerivation {
    /// PBKDF2 (RFC 8018) with HMAC over `digest`.
    public static func pbkdf2(password: Data, salt: Data, iterations: Int, byteCount: Int,
                              digest: DigestAlgorithm = .sha256) throws -> Data {
        let operation = "PBKDF2"
        guard iterations >= 1, let iterationCount = Int32(exactly: iterations) else {
            throw CryptoError.invalid(operation, "iteration count \(iterations) is out of range")
        }
        guard byteCount >= 1, let outputCount = Int32(exactly: byteCount) else {
            throw CryptoError.invalid(operation, "output length \(byteCount) is out of range")
        }
        guard let passwordCount = Int32(exactly: password.count), let saltCount = Int32(exactly: salt.count) else {
            throw CryptoError.invalid(operation, "password or salt too large")
        }
        OpenSSLErrorQueue.clear()
        var output = [UInt8](repeating: 0, count: byteCount)
        let passwordBytes = [CChar](unsafeUninitializedCapacity: max(password.count, 1)) { buffer, count in
            for (index, byte) in password.enumerated() { buffer[index] = CChar(bitPattern: byte) }
            count = password.count
        }
        let status = PKCS5_PBKDF2_HMAC(passwordBytes, passwordCount, [UInt8](salt), saltCount,
                                       iterationCount, digest.evpMD, outputCount, &output)
        try check(status, operation)
        return Data(output)
    }

    /// HKDF (RFC 5869): extract with `salt`, then expand with `info` to `byteCount` bytes.
    public static func hkdf(inputKeyMaterial: Data, salt: Data, info: Data, byteCount: Int,
                            digest: DigestAlgorithm = .sha256) throws -> Data {
        let operation = "HKDF"
        guard byteCount >= 1, byteCount <= 255 * digest.byteCount else {
            throw CryptoError.invalid(operation, "output length \(byteCount) is out of range 1...\(255 * digest.byteCount)")
        }
        guard !inputKeyMaterial.isEmpty else { throw CryptoError.invalid(operation, "input key material is empty") }
        OpenSSLErrorQueue.clear()
        var key = [UInt8](inputKeyMaterial)
        var output = [UInt8](repeating: 0, count: byteCount)
        // An empty salt means HashLen zero bytes (RFC 5869 §2.2), which OpenSSL does when none is passed.
        let status = appseal_HKDF(digest.openSSLName, key, key.count, [UInt8](salt), salt.count,
                                  [UInt8](info), info.count, &output, byteCount)
        _ = key.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        try check(status, operation)
        return Data(output)
    }
}

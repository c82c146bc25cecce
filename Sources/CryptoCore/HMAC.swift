import COpenSSL
import CAppsealShim
import Foundation

/// HMAC (RFC 2104) over a chosen digest, streaming.
public final class HMAC {
    public let algorithm: DigestAlgorithm
    private let context: OpaquePointer
    private var finished = false

    public init(key: Data, digest: DigestAlgorithm = .sha256) throws {
        let operation = "HMAC init"
        OpenSSLErrorQueue.clear()
        algorithm = digest
        let mac = try require(EVP_MAC_fetch(nil, "HMAC", nil), operation)
        defer { EVP_MAC_free(mac) }
        context = try require(EVP_MAC_CTX_new(mac), operation)
        // A zero-length key is legal for HMAC; OpenSSL still wants a non-NULL pointer for it.
        let keyBytes = key.isEmpty ? [UInt8](repeating: 0, count: 1) : [UInt8](key)
        // On failure the stored context is freed by deinit.
        try check(appseal_HMAC_init(context, keyBytes, key.count, digest.openSSLName), operation)
    }

    public func update(_ data: Data) {
        precondition(!finished, "HMAC.update after finalize")
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
    }

    /// The authentication code; the object cannot be used afterwards.
    public func finalize() -> Data {
        precondition(!finished, "HMAC.finalize called twice")
        finished = true
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length = 0
        EVP_MAC_final(context, &output, &length, output.count)
        return Data(output.prefix(length))
    }

    /// The HMAC of `data` under `key` in one call.
    public static func authenticationCode(for data: Data, key: Data, digest: DigestAlgorithm = .sha256) throws -> Data {
        let mac = try HMAC(key: key, digest: digest)
        mac.update(data)
        return mac.finalize()
    }

    /// Whether `code` is the HMAC of `data`, compared in constant time.
    public static func isValid(_ code: Data, for data: Data, key: Data, digest: DigestAlgorithm = .sha256) throws -> Bool {
        let expected = try authenticationCode(for: data, key: key, digest: digest)
        return constantTimeEqual(expected, code)
    }

    deinit { EVP_MAC_CTX_free(context) }
}

/// Equality that takes the same time wherever the first difference is (lengths are not secret).
public func constantTimeEqual(_ lhs: Data, _ rhs: Data) -> Bool {
    guard lhs.count == rhs.count else { return false }
    if lhs.isEmpty { return true }
    return lhs.withUnsafeBytes { left in
        rhs.withUnsafeBytes { right in
            CRYPTO_memcmp(left.baseAddress, right.baseAddress, lhs.count) == 0
        }
    }
}

import COpenSSL
import CAppsealShim
import Foundation

/// The operating system's CSPRNG through OpenSSL's DRBG.
public enum SecureRandom {
    public static func bytes(_ count: Int) throws -> Data {
        precondition(count >= 0, "negative byte count")
        guard count > 0 else { return Data() }
        guard let length = Int32(exactly: count) else {
            throw CryptoError.invalid("random bytes", "\(count) bytes is more than one request can return")
        }
        var output = Data(count: count)
        OpenSSLErrorQueue.clear()
        let status = output.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), length) }
        try check(status, "random bytes")
        return output
    }

    /// A uniformly random integer in `0..<upperBound`, by rejection sampling.
    public static func integer(below upperBound: UInt64) throws -> UInt64 {
        precondition(upperBound > 0, "empty range")
        let limit = UInt64.max - (UInt64.max % upperBound)
        while true {
            let value = try bytes(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            if value < limit { return value % upperBound }
        }
    }
}

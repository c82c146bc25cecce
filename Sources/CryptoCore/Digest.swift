import COpenSSL
import CAppsealShim
import Foundation

/// The hash functions appseal signs and fingerprints with.
public enum DigestAlgorithm: String, Sendable, CaseIterable, Codable {
    case sha1 = "sha1"
    case sha256 = "sha256"
    case sha384 = "sha384"
    case sha512 = "sha512"

    /// Output size in bytes.
    public var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// OpenSSL's name, as accepted by EVP_MD_fetch and the `digest` parameter of MACs and KDFs.
    var openSSLName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }

    /// The static method table (no fetch, safe to use from any thread).
    var evpMD: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }

    /// The digest of `data` in one call.
    public func hash(_ data: Data) -> Digest {
        let hasher = DigestHasher(self)
        hasher.update(data)
        return hasher.finalize()
    }
}

/// A finished digest.
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    public let algorithm: DigestAlgorithm
    public let bytes: Data

    public init(algorithm: DigestAlgorithm, bytes: Data) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// Lowercase hex, two digits per byte.
    public var hex: String { bytes.hexString }

    /// Hex with colons (`AB:CD:...`), the form `openssl x509 -fingerprint` prints.
    public var colonHex: String {
        bytes.map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    public static func sha1(_ data: Data) -> Digest { DigestAlgorithm.sha1.hash(data) }
    public static func sha256(_ data: Data) -> Digest { DigestAlgorithm.sha256.hash(data) }
    public static func sha512(_ data: Data) -> Digest { DigestAlgorithm.sha512.hash(data) }
}

/// A streaming digest: feed it any number of chunks, then `finalize` once.
///
/// Not thread-safe (it is a running computation); use one per task.
public final class DigestHasher {
    public let algorithm: DigestAlgorithm
    private let context: OpaquePointer
    private var finished = false

    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        // Allocation and init of a built-in digest fail only when memory is exhausted.
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, algorithm.evpMD, nil) == 1 else {
            fatalError("OpenSSL could not start \(algorithm.openSSLName): \(OpenSSLErrorQueue.drain())")
        }
        self.context = context
    }

    public func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "DigestHasher.update after finalize")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything fed so far; the hasher cannot be used afterwards.
    public func finalize() -> Digest {
        precondition(!finished, "DigestHasher.finalize called twice")
        finished = true
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return Digest(algorithm: algorithm, bytes: Data(output.prefix(Int(length))))
    }

    deinit { EVP_MD_CTX_free(context) }
}

extension Data {
    /// Lowercase hex, two digits per byte.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex (either case, optional colons); nil when it is not hex.
    init?(hexString text: String) {
        let cleaned = text.filter { $0 != ":" }
        guard cleaned.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(cleaned.count / 2)
        var index = cleaned.startIndex
        while index < cleaned.endIndex {
            let next = cleaned.index(index, offsetBy: 2)
            guard let byte = UInt8(cleaned[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}

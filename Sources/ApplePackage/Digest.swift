import CryptoCore

/// The hash algorithms Apple code signatures and CodeResources use.
public enum HashAlgorithm: String, Codable, Sendable, CaseIterable {
    case sha1, sha256, sha256Truncated = "sha256-truncated", sha384

    /// The CodeDirectory `hashType` byte.
    init?(codeDirectoryHashType: UInt8) {
        switch codeDirectoryHashType {
        case 1: self = .sha1
        case 2: self = .sha256
        case 3: self = .sha256Truncated
        case 4: self = .sha384
        default: return nil
        }
    }

    /// Bytes a CodeDirectory stores per slot for this algorithm.
    var slotSize: Int {
        switch self {
        case .sha1, .sha256Truncated: return 20
        case .sha256: return 32
        case .sha384: return 48
        }
    }

    func digest(_ data: some Collection<UInt8>) -> [UInt8] {
        let hasher = Hasher(self)
        hasher.update(data)
        return hasher.finish()
    }    /// Incremental hashing so large files are hashed while they stream (CryptoCore's OpenSSL digests).
    final class Hasher {
        private let hasher: DigestHasher
        private let algorithm: HashAlgorithm

        init(_ algorithm: HashAlgorithm) {
            self.algorithm = algorithm
            hasher = DigestHasher(algorithm.digestAlgorithm)
        }

        func update(_ data: some Collection<UInt8>) {
            let done: Void? = data.withContiguousStorageIfAvailable { hasher.update(UnsafeRawBufferPointer($0)) }
            if done == nil { hasher.update(Array(data)) }
        }

        /// The digest, cut to the slot size (SHA-256/20 keeps the first 20 bytes of SHA-256).
        func finish() -> [UInt8] {
            Array(hasher.finalize().bytes.prefix(algorithm.slotSize))
        }
    }

    var digestAlgorithm: DigestAlgorithm {
        switch self {
        case .sha1: return .sha1
        case .sha256, .sha256Truncated: return .sha256
        case .sha384: return .sha384
        }
    }
}



extension Collection<UInt8> {
    /// Lowercase hex, built from a table: `String(format:)` per byte dominates parsing time otherwise.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

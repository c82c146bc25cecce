import COpenSSL

/// The hash algorithms Apple code signatures and CodeResources use, computed by OpenSSL's EVP layer.
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
    }

    /// Incremental hashing so large files are hashed while they stream.
    final class Hasher {
        private let context: OpaquePointer
        private let algorithm: HashAlgorithm

        init(_ algorithm: HashAlgorithm) {
            self.algorithm = algorithm
            guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
            self.context = context
            let method: OpaquePointer? = switch algorithm {
            case .sha1: EVP_sha1()
            case .sha256, .sha256Truncated: EVP_sha256()
            case .sha384: EVP_sha384()
            }
            guard EVP_DigestInit_ex(context, method, nil) == 1 else { fatalError("OpenSSL could not start \(algorithm)") }
        }

        func update(_ data: some Collection<UInt8>) {
            let done: Void? = data.withContiguousStorageIfAvailable { buffer in
                _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
            }
            if done == nil {
                let copy = Array(data)
                copy.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            }
        }

        func finish() -> [UInt8] {
            var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            _ = EVP_DigestFinal_ex(context, &output, &length)
            return Array(output.prefix(min(Int(length), algorithm.slotSize)))
        }

        deinit { EVP_MD_CTX_free(context) }
    }
}

extension Collection<UInt8> {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}

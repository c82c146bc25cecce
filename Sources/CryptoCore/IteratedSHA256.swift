import CAppsealShim
import Foundation

/// PBKDF2-HMAC-SHA256 (RFC 8018) and the PKCS#12 key derivation (RFC 7292 appendix B) over SHA-256, written
/// as what they are: thousands of one-block SHA-256 compressions of precomputed states. Through EVP every
/// iteration paid a provider dispatch, which made a PKCS#12 file cost five times its hashing (issue 3's 2 ms
/// per client certificate). Tests compare both functions with OpenSSL's over many inputs.
enum IteratedSHA256 {
    static let digestByteCount = 32
    static let blockByteCount = 64

    private static let initialState: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    /// PBKDF2 with HMAC-SHA256 as the PRF.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int) throws -> [UInt8] {
        precondition(iterations >= 1 && byteCount >= 1)
        let key = password.count > blockByteCount ? [UInt8](Digest.sha256(Data(password)).bytes) : password
        var padded = [UInt8](repeating: 0, count: blockByteCount)
        padded.replaceSubrange(0..<key.count, with: key)
        var innerKey = padded.map { $0 ^ 0x36 }
        var outerKey = padded.map { $0 ^ 0x5c }
        defer {
            for index in 0..<blockByteCount { padded[index] = 0; innerKey[index] = 0; outerKey[index] = 0 }
        }
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        // One buffer for every state, so the loop allocates nothing: inner key state, outer key state, U, T, work.
        var words = [UInt32](repeating: 0, count: 40)
        // Every message after the first is one 32-byte digest: one block with its padding for 64 + 32 bytes.
        var block = paddedDigestBlock(totalByteCount: blockByteCount + digestByteCount)
        words.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<8 { buffer[index] = initialState[index]; buffer[8 + index] = initialState[index] }
            innerKey.withUnsafeBufferPointer { appseal_sha256_compress(buffer.baseAddress, $0.baseAddress) }
            outerKey.withUnsafeBufferPointer { appseal_sha256_compress(buffer.baseAddress! + 8, $0.baseAddress) }
        }
        var blockIndex: UInt32 = 1
        while output.count < byteCount {
            let hmac = try HMAC(key: Data(password), digest: .sha256)
            hmac.update(Data(salt) + withUnsafeBytes(of: blockIndex.bigEndian) { Data($0) })
            let first = [UInt8](hmac.finalize())
            words.withUnsafeMutableBufferPointer { buffer in
                block.withUnsafeMutableBufferPointer { blockBuffer in
                    let state = buffer.baseAddress!
                    let u = state + 16, t = state + 24, work = state + 32
                    load(first, into: u)
                    for index in 0..<8 { t[index] = u[index] }
                    for _ in 1..<iterations {
                        store(u, into: blockBuffer)
                        for index in 0..<8 { work[index] = state[index] }
                        appseal_sha256_compress(work, blockBuffer.baseAddress)
                        store(work, into: blockBuffer)
                        for index in 0..<8 { u[index] = state[8 + index] }
                        appseal_sha256_compress(u, blockBuffer.baseAddress)
                        for index in 0..<8 { t[index] ^= u[index] }
                    }
                    store(t, into: blockBuffer)
                }
            }
            output += block.prefix(min(digestByteCount, byteCount - output.count))
            blockIndex += 1
        }
        return output
    }

    /// The PKCS#12 KDF with SHA-256. `id` is 1 for keys, 2 for IVs, 3 for MAC keys; `password` is the
    /// BMPString form with its two-byte terminator, as the standard says.
    static func pkcs12(id: UInt8, password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int) throws -> [UInt8] {
        precondition(iterations >= 1 && byteCount >= 1)
        func repeated(_ bytes: [UInt8]) -> [UInt8] {
            guard !bytes.isEmpty else { return [] }
            let length = (bytes.count + blockByteCount - 1) / blockByteCount * blockByteCount
            return (0..<length).map { bytes[$0 % bytes.count] }
        }
        let diversifier = [UInt8](repeating: id, count: blockByteCount)
        var input = repeated(salt) + repeated(password)
        defer { input.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        var block = paddedDigestBlock(totalByteCount: digestByteCount)
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        while true {
            let first = [UInt8](Digest.sha256(Data(diversifier + input)).bytes)
            var a = [UInt32](repeating: 0, count: 8)
            a.withUnsafeMutableBufferPointer { state in
                block.withUnsafeMutableBufferPointer { blockBuffer in
                    load(first, into: state.baseAddress!)
                    for _ in 1..<iterations {
                        store(state.baseAddress!, into: blockBuffer)
                        for index in 0..<8 { state[index] = initialState[index] }
                        appseal_sha256_compress(state.baseAddress, blockBuffer.baseAddress)
                    }
                    store(state.baseAddress!, into: blockBuffer)
                }
            }
            let digest = Array(block.prefix(digestByteCount))
            output += digest.prefix(byteCount - output.count)
            if output.count == byteCount { return output }
            // I_j = (I_j + B + 1) mod 2^512 for every 64-byte block of I, B being the digest repeated.
            let b = repeated(digest)
            for start in stride(from: 0, to: input.count, by: blockByteCount) {
                var carry: UInt16 = 1
                for offset in stride(from: blockByteCount - 1, through: 0, by: -1) {
                    let sum = UInt16(input[start + offset]) + UInt16(b[offset]) + carry
                    input[start + offset] = UInt8(truncatingIfNeeded: sum)
                    carry = sum >> 8
                }
            }
        }
    }

    /// A block whose first 32 bytes take a digest, followed by SHA-256 padding for a message of `totalByteCount`
    /// bytes (the digest being its last 32).
    private static func paddedDigestBlock(totalByteCount: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockByteCount)
        block[digestByteCount] = 0x80
        let bitCount = UInt64(totalByteCount) * 8
        for index in 0..<8 { block[blockByteCount - 1 - index] = UInt8(truncatingIfNeeded: bitCount >> (8 * UInt64(index))) }
        return block
    }

    private static func load(_ digest: [UInt8], into words: UnsafeMutablePointer<UInt32>) {
        for index in 0..<8 {
            words[index] = UInt32(digest[4 * index]) << 24 | UInt32(digest[4 * index + 1]) << 16
                | UInt32(digest[4 * index + 2]) << 8 | UInt32(digest[4 * index + 3])
        }
    }

    /// Writes eight words big-endian into the first 32 bytes of `block`.
    private static func store(_ words: UnsafeMutablePointer<UInt32>, into block: UnsafeMutableBufferPointer<UInt8>) {
        for index in 0..<8 {
            let word = words[index]
            block[4 * index] = UInt8(truncatingIfNeeded: word >> 24)
            block[4 * index + 1] = UInt8(truncatingIfNeeded: word >> 16)
            block[4 * index + 2] = UInt8(truncatingIfNeeded: word >> 8)
            block[4 * index + 3] = UInt8(truncatingIfNeeded: word)
        }
    }
}

import COpenSSL
import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("PBKDF2 and the PKCS#12 KDF over one-block compressions")
struct IteratedSHA256Tests {
    /// Password, salt and output lengths around the block (64) and digest (32) sizes, and iteration counts
    /// including the one and two where the loop structure changes.
    static let shapes: [(password: Int, salt: Int, iterations: Int, bytes: Int)] = [
        (0, 0, 1, 32), (1, 8, 1, 1), (24, 16, 2, 31), (63, 16, 3, 32), (64, 8, 2048, 33), (65, 16, 7, 64),
        (200, 100, 5, 100), (32, 64, 2048, 32), (5, 1, 1000, 96),
    ]

    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 * 31 + Int(seed)) } }

    @Test("PBKDF2-HMAC-SHA256 equals OpenSSL's PKCS5_PBKDF2_HMAC", arguments: shapes.indices)
    func pbkdf2MatchesOpenSSL(index: Int) throws {
        let shape = Self.shapes[index]
        let password = Self.bytes(shape.password, seed: 7), salt = Self.bytes(shape.salt, seed: 3)
        let ours = try IteratedSHA256.pbkdf2(password: password, salt: salt, iterations: shape.iterations, byteCount: shape.bytes)
        var reference = [UInt8](repeating: 0, count: shape.bytes)
        let passwordChars = password.map { CChar(bitPattern: $0) } + [0]
        let status = PKCS5_PBKDF2_HMAC(passwordChars, Int32(shape.password), salt, Int32(shape.salt),
                                       Int32(shape.iterations), EVP_sha256(), Int32(shape.bytes), &reference)
        #expect(status == 1)
        #expect(ours == reference, "shape \(shape)")
    }

    @Test("The PKCS#12 KDF equals OpenSSL's PKCS12_key_gen_uni for keys, IVs and MAC keys",
          arguments: shapes.indices, [UInt8(1), 2, 3])
    func pkcs12MatchesOpenSSL(index: Int, id: UInt8) throws {
        let shape = Self.shapes[index]
        // BMPString passwords come in whole code units, terminator included.
        let password = Self.bytes(shape.password * 2, seed: 11) + [0, 0]
        let salt = Self.bytes(max(shape.salt, 1), seed: 5)
        let ours = try IteratedSHA256.pkcs12(id: id, password: password, salt: salt, iterations: shape.iterations,
                                             byteCount: shape.bytes)
        var reference = [UInt8](repeating: 0, count: shape.bytes)
        var mutablePassword = password, mutableSalt = salt
        let status = PKCS12_key_gen_uni(&mutablePassword, Int32(password.count), &mutableSalt, Int32(salt.count), Int32(id),
                                        Int32(shape.iterations), Int32(shape.bytes), &reference, EVP_sha256())
        #expect(status == 1)
        #expect(ours == reference, "shape \(shape), id \(id)")
    }
}

import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("Digests, HMAC, KDFs, random")
struct PrimitiveTests {
    static let abc = Data("abc".utf8)

    @Test("Known-answer digests of 'abc' (FIPS 180-4 examples)", arguments: [
        (DigestAlgorithm.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        (.sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ])
    func digestOfABC(algorithm: DigestAlgorithm, expected: String) {
        let digest = algorithm.hash(Self.abc)
        #expect(digest.hex == expected)
        #expect(digest.bytes.count == algorithm.byteCount)
    }

    @Test("Streaming in uneven chunks equals one shot; one million 'a' matches FIPS 180-4")
    func streaming() {
        let hasher = DigestHasher(.sha256)
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 999)
        var fed = 0
        while fed < 1_000_000 {
            let piece = chunk.prefix(min(999, 1_000_000 - fed))
            hasher.update(piece)
            fed += piece.count
        }
        #expect(hasher.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")

        let message = Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        let split = DigestHasher(.sha256)
        split.update(message.prefix(7))
        split.update(Data())
        split.update(message.dropFirst(7))
        #expect(split.finalize() == Digest.sha256(message))
        #expect(Digest.sha256(message).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("Digest matches openssl dgst on a file")
    func digestAgreesWithOpenSSL() throws {
        let directory = try TemporaryDirectory()
        let data = try SecureRandom.bytes(100_000)
        let path = try directory.write("blob", data)
        for algorithm in [DigestAlgorithm.sha1, .sha256, .sha512] {
            let result = try OpenSSLCLI.run(["dgst", "-\(algorithm.rawValue)", "-r", path])
            #expect(result.stdout.hasPrefix(algorithm.hash(data).hex + " "))
        }
    }

    @Test("HMAC RFC 4231 test cases 1 and 2, streaming and one-shot")
    func hmacKnownAnswers() throws {
        let key1 = Data(repeating: 0x0b, count: 20)
        let data1 = Data("Hi There".utf8)
        #expect(try HMAC.authenticationCode(for: data1, key: key1).hexString
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(try HMAC.authenticationCode(for: data1, key: key1, digest: .sha512).hexString
                == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
        let mac = try HMAC(key: Data("Jefe".utf8))
        mac.update(Data("what do ya want ".utf8))
        mac.update(Data("for nothing?".utf8))
        let code = mac.finalize()
        #expect(code.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(try HMAC.isValid(code, for: Data("what do ya want for nothing?".utf8), key: Data("Jefe".utf8)))
        var altered = code
        altered[altered.startIndex] ^= 1
        #expect(try !HMAC.isValid(altered, for: Data("what do ya want for nothing?".utf8), key: Data("Jefe".utf8)))
        #expect(try !HMAC.isValid(code.prefix(16), for: Data("what do ya want for nothing?".utf8), key: Data("Jefe".utf8)))
        // An empty key is legal HMAC.
        #expect(try HMAC.authenticationCode(for: Data(), key: Data()).hexString
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("PBKDF2-HMAC-SHA256 vectors (RFC 7914 §11 / common test set)", arguments: [
        (1, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        (2, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        (4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    ])
    func pbkdf2(iterations: Int, length: Int, expected: String) throws {
        let key = try KeyDerivation.pbkdf2(password: Data("password".utf8), salt: Data("salt".utf8),
                                           iterations: iterations, byteCount: length)
        #expect(key.hexString == expected)
    }

    @Test("PBKDF2 rejects zero iterations and zero length")
    func pbkdf2Limits() {
        #expect(throws: CryptoError.self) { try KeyDerivation.pbkdf2(password: Data(), salt: Data(), iterations: 0, byteCount: 32) }
        #expect(throws: CryptoError.self) { try KeyDerivation.pbkdf2(password: Data(), salt: Data(), iterations: 1, byteCount: 0) }
    }

    @Test("HKDF-SHA256 RFC 5869 test cases 1 and 3")
    func hkdf() throws {
        let ikm = Data(repeating: 0x0b, count: 22)
        let okm1 = try KeyDerivation.hkdf(inputKeyMaterial: ikm, salt: Data(hex: "000102030405060708090a0b0c"),
                                          info: Data(hex: "f0f1f2f3f4f5f6f7f8f9"), byteCount: 42)
        #expect(okm1.hexString == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        let okm3 = try KeyDerivation.hkdf(inputKeyMaterial: ikm, salt: Data(), info: Data(), byteCount: 42)
        #expect(okm3.hexString == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        #expect(throws: CryptoError.self) { try KeyDerivation.hkdf(inputKeyMaterial: ikm, salt: Data(), info: Data(), byteCount: 255 * 32 + 1) }
    }

    @Test("SecureRandom returns the requested length and differing output")
    func random() throws {
        #expect(try SecureRandom.bytes(0).isEmpty)
        let first = try SecureRandom.bytes(32)
        let second = try SecureRandom.bytes(32)
        #expect(first.count == 32 && second.count == 32)
        #expect(first != second)
        for _ in 0..<200 { #expect(try SecureRandom.integer(below: 7) < 7) }
    }
}

@Suite("AES-256-GCM")
struct AESGCMTests {
    @Test("NIST GCM test cases 13, 14 and 16 (256-bit key)")
    func knownAnswers() throws {
        let zeroKey = Data(count: 32)
        let zeroNonce = Data(count: 12)
        let empty = try AESGCM.seal(Data(), key: zeroKey, nonce: zeroNonce)
        #expect(empty.ciphertext.isEmpty)
        #expect(empty.tag.hexString == "530f8afbc74536b9a963b4f1c4cb738b")
        let block = try AESGCM.seal(Data(count: 16), key: zeroKey, nonce: zeroNonce)
        #expect(block.ciphertext.hexString == "cea7403d4d606b6e074ec5d3baf39d18")
        #expect(block.tag.hexString == "d0d1c8a799996bf0265b98b5d48ab919")

        let key = Data(hex: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = Data(hex: "cafebabefacedbaddecaf888")
        let plaintext = Data(hex: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = Data(hex: "feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce, authenticating: aad)
        #expect(sealed.ciphertext.hexString == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")
        #expect(sealed.tag.hexString == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try AESGCM.open(sealed, key: key, authenticating: aad) == plaintext)
    }

    @Test("Random nonces differ; combined form round-trips; any change is rejected")
    func roundTripAndTamper() throws {
        let key = try AESGCM.generateKey()
        let message = Data("client certificate bundle".utf8)
        let first = try AESGCM.seal(message, key: key, authenticating: Data("v1".utf8))
        let second = try AESGCM.seal(message, key: key, authenticating: Data("v1".utf8))
        #expect(first.nonce.count == 12 && first.nonce != second.nonce)
        let reopened = try AESGCM.SealedBox(combined: first.combined)
        #expect(try AESGCM.open(reopened, key: key, authenticating: Data("v1".utf8)) == message)

        var flipped = first.combined
        flipped[flipped.startIndex + 14] ^= 0x01
        for (box, aad, openKey) in [(try AESGCM.SealedBox(combined: flipped), Data("v1".utf8), key),
                                    (first, Data("v2".utf8), key),
                                    (first, Data("v1".utf8), try AESGCM.generateKey())] {
            #expect { try AESGCM.open(box, key: openKey, authenticating: aad) } throws: { error in
                (error as? CryptoError)?.code == .verificationFailed
            }
        }
        #expect(throws: CryptoError.self) { try AESGCM.seal(message, key: Data(count: 16)) }
        #expect(throws: CryptoError.self) { try AESGCM.SealedBox(combined: Data(count: 27)) }
    }
}

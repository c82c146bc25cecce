import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("Private and public keys")
struct KeyTests {
    @Test("Generate every key type; the algorithm and size read back", arguments: KeyType.allCases)
    func generate(type: KeyType) throws {
        let key = try PrivateKey.generate(type)
        #expect(key.algorithm == type.algorithm)
        #expect(key.algorithm.keyType == type)
        #expect(key.publicKey.algorithm == type.algorithm)
        let bits = ["ec-p256": 256, "ec-p384": 384, "rsa-2048": 2048, "rsa-3072": 3072, "rsa-4096": 4096][type.rawValue]
        #expect(key.publicKey.bits == bits)
        #expect(!key.description.contains("BEGIN"))
    }

    @Test("PEM and DER round trips keep the key; openssl reads our PEM, DER and encrypted PEM",
          arguments: [KeyType.ecP256, .ecP384, .rsa2048])
    func roundTrips(type: KeyType) throws {
        let directory = try TemporaryDirectory()
        let key = try PrivateKey.generate(type)
        let pem = try key.pemEncoded()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try PrivateKey(pem: pem).publicKey == key.publicKey)
        let der = try key.derEncoded()
        #expect(try PrivateKey(der: der).publicKey == key.publicKey)
        #expect(try PrivateKey(pemOrDER: der).publicKey == key.publicKey)

        let passphrase = "correct horse \(UUID().uuidString)"
        let encrypted = try key.pemEncoded(passphrase: passphrase)
        #expect(encrypted.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(try PrivateKey(pem: encrypted, passphrase: passphrase).publicKey == key.publicKey)

        let passFile = try directory.write("pass", passphrase + "\n")
        let encryptedPath = try directory.write("enc.pem", encrypted)
        let parsed = try OpenSSLCLI.run(["pkcs8", "-in", encryptedPath, "-passin", "file:\(passFile)", "-topk8", "-nocrypt", "-outform", "DER"])
        #expect(try PrivateKey(der: parsed.stdoutData).publicKey == key.publicKey)
        // The encryption is what the brief asks for: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC.
        let asn1 = try OpenSSLCLI.run(["asn1parse", "-in", encryptedPath])
        #expect(asn1.stdout.contains("PBES2") && asn1.stdout.contains("hmacWithSHA256") && asn1.stdout.contains("aes-256-cbc"))

        let derPath = try directory.write("key.der", der)
        let publicFromCLI = try OpenSSLCLI.run(["pkey", "-inform", "DER", "-in", derPath, "-pubout", "-outform", "DER"])
        #expect(publicFromCLI.stdoutData == key.publicKey.spkiDER)
    }

    @Test("Encrypted key: a missing or wrong passphrase is a wrongPassword error that never contains the passphrase")
    func wrongPassphrase() throws {
        let key = try PrivateKey.generate(.ecP256)
        let secret = "s3cret-\(UUID().uuidString)"
        let encrypted = try key.pemEncoded(passphrase: secret)
        for attempt in [nil, "wrong-\(secret)-guess"] as [String?] {
            do {
                _ = try PrivateKey(pem: encrypted, passphrase: attempt)
                Issue.record("an encrypted key opened with \(attempt == nil ? "no" : "a wrong") passphrase")
            } catch let error as CryptoError {
                #expect(error.code == .wrongPassword)
                #expect(!error.description.contains(secret))
                #expect(!error.description.contains("wrong-"))
                #expect(!error.description.contains("BEGIN"))
            }
        }
    }

    @Test("Traditional PEM written by openssl (RSA and EC, plain and encrypted) imports")
    func traditionalPEM() throws {
        let directory = try TemporaryDirectory()
        let passFile = try directory.write("pass", "hunter22\n")
        try OpenSSLCLI.run(["genrsa", "-traditional", "-out", directory.path("rsa.pem"), "2048"])
        try OpenSSLCLI.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", directory.path("ec.pem")])
        try OpenSSLCLI.run(["ec", "-in", directory.path("ec.pem"), "-aes256", "-passout", "file:\(passFile)", "-out", directory.path("ec-enc.pem")])
        let rsa = try PrivateKey(pem: try directory.read("rsa.pem"))
        #expect(String(decoding: try directory.read("rsa.pem"), as: UTF8.self).contains("BEGIN RSA PRIVATE KEY"))
        #expect(rsa.algorithm == .rsa(bits: 2048))
        let ec = try PrivateKey(pem: try directory.read("ec.pem"))
        #expect(ec.algorithm == .ec(curve: .p256))
        let encrypted = try PrivateKey(pem: try directory.read("ec-enc.pem"), passphrase: "hunter22")
        #expect(encrypted.publicKey == ec.publicKey)
    }

    @Test("Fixture PKCS#8 keys match their certificates", .needsFixtures,
          arguments: ["ec-p256", "rsa-2048"])
    func fixtureKeys(name: String) throws {
        let key = try PrivateKey(der: try Fixtures.data("other/signing-keys/\(name).pk8"))
        let certificate = try Certificate(pem: try Fixtures.data("other/signing-keys/\(name).x509.pem"))
        #expect(certificate.publicKey == key.publicKey)
        #expect(key.algorithm == (name == "ec-p256" ? .ec(curve: .p256) : .rsa(bits: 2048)))
    }

    @Test("Hostile DER: empty, truncated, trailing data and garbage are invalidInput")
    func hostileDER() throws {
        let der = try PrivateKey.generate(.ecP256).derEncoded()
        for bad in [Data(), der.prefix(der.count - 1), der + Data([0]), Data(repeating: 0x30, count: 40)] {
            #expect { try PrivateKey(der: bad) } throws: { ($0 as? CryptoError)?.code == .invalidInput }
        }
        #expect { try PublicKey(spkiDER: Data([0x30, 0x03, 0x02, 0x01])) } throws: { ($0 as? CryptoError)?.code == .invalidInput }
    }

    static let signingCases: [(KeyType, DigestAlgorithm, RSAPadding)] = [
        (.rsa2048, .sha256, .pkcs1v15), (.rsa2048, .sha512, .pkcs1v15), (.rsa2048, .sha1, .pkcs1v15),
        (.rsa2048, .sha256, .pss), (.ecP256, .sha256, .pkcs1v15), (.ecP256, .sha512, .pkcs1v15),
        (.ecP384, .sha384, .pkcs1v15),
    ]

    @Test("Sign and verify; openssl dgst verifies ours and we verify openssl's", arguments: signingCases)
    func signAndVerify(type: KeyType, digest: DigestAlgorithm, padding: RSAPadding) throws {
        let directory = try TemporaryDirectory()
        let key = try PrivateKey.generate(type)
        let message = Data("signed data block \(type.rawValue)".utf8)
        let signature = try key.signature(for: message, digest: digest, rsaPadding: padding)
        #expect(key.publicKey.isValidSignature(signature, for: message, digest: digest, rsaPadding: padding))
        #expect(!key.publicKey.isValidSignature(signature, for: message + Data([0]), digest: digest, rsaPadding: padding))
        #expect(!key.publicKey.isValidSignature(Data(signature.dropLast()), for: message, digest: digest, rsaPadding: padding))
        #expect(!key.publicKey.isValidSignature(Data("junk".utf8), for: message, digest: digest, rsaPadding: padding))
        if type.algorithm.isEC {
            #expect(signature.first == 0x30, "ECDSA signatures are DER SEQUENCEs" as Comment)
        }

        let messagePath = try directory.write("msg", message)
        let signaturePath = try directory.write("sig", signature)
        let publicPath = try directory.write("pub.pem", try key.publicKey.pemEncoded())
        let keyPath = try directory.write("key.pem", try key.pemEncoded())
        var padArgs: [String] = []
        if padding == .pss { padArgs = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"] }
        let verified = try OpenSSLCLI.run(["dgst", "-\(digest.rawValue)", "-verify", publicPath, "-signature", signaturePath] + padArgs + [messagePath])
        #expect(verified.stdout.contains("Verified OK"))
        try OpenSSLCLI.run(["dgst", "-\(digest.rawValue)", "-sign", keyPath, "-out", directory.path("cli.sig")] + padArgs + [messagePath])
        #expect(key.publicKey.isValidSignature(try directory.read("cli.sig"), for: message, digest: digest, rsaPadding: padding))
    }

    @Test("SPKI pin equals openssl's sha256 of the DER public key, base64")
    func pinMatchesOpenSSL() throws {
        let directory = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ecP256)
        let path = try directory.write("key.pem", try key.pemEncoded())
        let spki = try OpenSSLCLI.run(["pkey", "-in", path, "-pubout", "-outform", "DER"]).stdoutData
        let spkiPath = try directory.write("spki.der", spki)
        let hashed = try OpenSSLCLI.run(["dgst", "-sha256", "-binary", spkiPath]).stdoutData
        #expect(key.publicKey.pin == "sha256/" + hashed.base64EncodedString())
        #expect(try PublicKey(spkiDER: spki) == key.publicKey)
        #expect(try PublicKey(pem: Data(try key.publicKey.pemEncoded().utf8)) == key.publicKey)
    }
}

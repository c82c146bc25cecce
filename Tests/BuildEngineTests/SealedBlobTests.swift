import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

@Suite("Sealed blob format v1")
struct SealedBlobTests {
    static let signerA = Digest.sha256(Data("certificate A".utf8)).bytes
    static let signerB = Digest.sha256(Data("certificate B".utf8)).bytes
    static let stranger = Digest.sha256(Data("someone else".utf8)).bytes

    static func payload() -> SealedPayload {
        let configuration = RuntimeConfiguration(
            buildID: "20261203-120000-0a1b2c3d", appID: "com.example.app", platform: .android,
            hosts: ["api.example.com"], pins: [:], pinScheme: nil, tlsMinimum: nil,
            certificateSHA256: String(repeating: "ab", count: 32), certificateSerial: "0F", features: ["mobile-client-certificates"])
        return SealedPayload(configuration: configuration, pkcs12: Data((0..<700).map { UInt8($0 % 251) }),
                             pkcs12Password: "correct horse battery staple")
    }

    @Test func opensForEverySignerItWasSealedFor() throws {
        let blob = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA, Self.signerB])
        #expect(blob.prefix(8) == Data("APPSEAL\0".utf8))
        #expect(try SealedBlob.open(blob, signerCertificateSHA256: [Self.signerA]) == Self.payload())
        #expect(try SealedBlob.open(blob, signerCertificateSHA256: [Self.stranger, Self.signerB]) == Self.payload())
        let header = try SealedBlob.header(of: blob)
        #expect(header.version == 1)
        #expect(header.signerCertificateSHA256 == [Self.signerA, Self.signerB])
        #expect(blob.count == SealedBlob.fixedHeaderLength + 2 * SealedBlob.slotLength + 12 + 4 + header.payloadLength + 16)
    }

    @Test func anotherSignerCannotOpenIt() throws {
        let blob = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA])
        #expect(throws: SealedBlobError.notForThisSigner(sealedFor: [Self.signerA.lowercaseHex], offered: [Self.stranger.lowercaseHex])) {
            try SealedBlob.open(blob, signerCertificateSHA256: [Self.stranger])
        }
    }

    @Test func slotDigestReplacedByTheAttackersDoesNotHelp() throws {
        var blob = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA])
        blob.replaceSubrange(SealedBlob.fixedHeaderLength..<(SealedBlob.fixedHeaderLength + 32), with: Self.stranger)
        #expect(throws: SealedBlobError.tampered("signer slot 0 does not authenticate")) {
            try SealedBlob.open(blob, signerCertificateSHA256: [Self.stranger])
        }
    }

    @Test func everyChangedByteIsDetected() throws {
        let blob = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA])
        for index in 0..<blob.count {
            var altered = blob
            altered[index] ^= 0x01
            #expect(throws: SealedBlobError.self, "byte \(index) flipped") {
                try SealedBlob.open(altered, signerCertificateSHA256: [Self.signerA])
            }
        }
    }

    @Test func everyPrefixAndTrailingDataAreRejected() throws {
        let blob = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA])
        for length in 0..<blob.count {
            #expect(throws: SealedBlobError.self) { try SealedBlob.header(of: blob.prefix(length)) }
        }
        #expect(throws: SealedBlobError.malformed(offset: blob.count, "1 bytes after the tag")) {
            try SealedBlob.header(of: blob + Data([0]))
        }
    }

    @Test func twoSealsOfOnePayloadShareNoKeyMaterial() throws {
        let first = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA])
        let second = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA])
        #expect(try SealedBlob.header(of: first).salt != SealedBlob.header(of: second).salt)
        #expect(first.suffix(100) != second.suffix(100))
    }

    @Test func sealingNeedsOneToSixteenDistinctDigests() {
        #expect(throws: SealedBlobError.self) { try SealedBlob.seal(Self.payload(), signerCertificateSHA256: []) }
        #expect(throws: SealedBlobError.self) { try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerA, Self.signerA]) }
        #expect(throws: SealedBlobError.self) { try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Data([1, 2])]) }
    }

    /// The documented derivation, recomputed with Python's standard library, opens the blob:
    /// what docs/sealed-blob-format.md says is what the code does.
    @Test func independentImplementationOfTheSpecOpensTheBlob() throws {
        let python = try #require(Tools.path("python3"), "python3 is installed by scripts/install-prerequisites")
        let blob = try SealedBlob.seal(Self.payload(), signerCertificateSHA256: [Self.signerB, Self.signerA])
        let folder = try TemporaryDirectory()
        try blob.write(to: folder.url.appendingPathComponent("sealed.bin"))
        let script = #"""
        import sys, struct, hmac, hashlib, json
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        blob = open(sys.argv[1], 'rb').read(); signer = bytes.fromhex(sys.argv[2])
        assert blob[:8] == b'APPSEAL\0'
        version, flags, kdf, aead, saltlen, noncelen = struct.unpack_from('<HHBBBB', blob, 8)
        salt = blob[16:48]; count = blob[48]; fixed = blob[:52]; offset = 52; cek = None
        def hkdf(ikm, salt, info, n):
            prk = hmac.new(salt, ikm, hashlib.sha256).digest()
            out, t, i = b'', b'', 1
            while len(out) < n:
                t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest(); out += t; i += 1
            return out[:n]
        for _ in range(count):
            digest, nonce, wrapped, tag = blob[offset:offset+32], blob[offset+32:offset+44], blob[offset+44:offset+76], blob[offset+76:offset+92]
            offset += 92
            if digest == signer:
                kek = hkdf(digest, salt, b'appseal sealed-blob v1 key-encryption key', 32)
                cek = AESGCM(kek).decrypt(nonce, wrapped + tag, fixed + digest)
        nonce = blob[offset:offset+12]; (length,) = struct.unpack_from('<I', blob, offset + 12); offset += 16
        plain = AESGCM(cek).decrypt(nonce, blob[offset:], blob[:offset])
        (clen,) = struct.unpack_from('<I', plain, 0); config = json.loads(plain[4:4+clen])
        print(config['appID'], config['buildID'])
        """#
        try script.write(toFile: folder.path("open.py"), atomically: true, encoding: .utf8)
        let probe = try ProcessRunner.run(python, ["-c", "import cryptography"])
        try #require(probe.succeeded, "python3-cryptography is installed by scripts/install-prerequisites")
        let result = try ProcessRunner.run(python, [folder.path("open.py"), folder.path("sealed.bin"), Self.signerA.lowercaseHex])
        #expect(result.stdout == "com.example.app 20261203-120000-0a1b2c3d\n", "\(result.stderr)")
    }
}

@Suite("Pins from certificate files")
struct PinComputationTests {
    @Test func publicKeyAndCertificatePinsAgreeWithOpenSSL() throws {
        let folder = try TemporaryDirectory()
        let key = folder.path("k.pem"), cert = folder.path("c.pem")
        let made = try ProcessRunner.run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                                     "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=pin.example.com", "-days", "2"])
        try #require(made.succeeded, "\(made.stderr)")
        let spki = try ProcessRunner.run("sh", ["-c", "openssl x509 -in \(cert) -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"])
        let whole = try ProcessRunner.run("sh", ["-c", "openssl x509 -in \(cert) -outform der | openssl dgst -sha256 -binary | base64"])
        #expect(try PinComputation.pins(scheme: "public-key", certificateFile: cert) == ["sha256/" + spki.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(try PinComputation.pins(scheme: "leaf", certificateFile: cert) == ["sha256/" + whole.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(throws: PinComputationError.self) { try PinComputation.pins(scheme: "leaf", certificateFile: key) }
    }

    @Test func pinCertificatesBecomePinsWhenTheSetIsValidated() throws {
        let folder = try TemporaryDirectory()
        var paths: [String] = []
        for name in ["current", "backup"] {
            let path = folder.path("\(name).pem")
            let made = try ProcessRunner.run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                         "-keyout", folder.path("\(name).key"), "-out", path, "-subj", "/CN=\(name)", "-days", "2"])
            try #require(made.succeeded)
            paths.append(path)
        }
        let options = try FusionSetValidator.standard.validateFeature(
            FeatureID.certificatePinning, options: ["pinCertificates": .map(["api.example.com": paths])])
        #expect(options["pinCertificates"] == nil)
        #expect(options["pins"]?.mapValue?["api.example.com"]?.count == 2)
    }
}

import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("PKCS#12")
struct PKCS12Tests {
    @Test("Both profiles: openssl pkcs12 -info reads them with the password and reports the profile's algorithms",
          arguments: PKCS12Bundle.Profile.allCases)
    func profiles(profile: PKCS12Bundle.Profile) throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA()
        let (key, client) = try ca.issueClient(appID: "com.example.wallet")
        let password = "p12-\(UUID().uuidString)"
        let bundle = PKCS12Bundle(privateKey: key, certificate: client, chain: [ca.certificate], friendlyName: "com.example.wallet")
        let der = try bundle.encoded(password: password, profile: profile)
        let p12Path = try directory.write("client.p12", der)
        let passPath = try directory.write("pass", password + "\n")

        let info = try OpenSSLCLI.run(["pkcs12", "-info", "-noout", "-in", p12Path, "-passin", "file:\(passPath)"])
        let report = info.combined
        switch profile {
        case .modern:
            #expect(report.contains("MAC: sha256"))
            #expect(report.contains("PBES2, PBKDF2, AES-256-CBC"))
            #expect(report.contains("PRF hmacWithSHA256"))
            #expect(!report.contains("3DES"))
        case .compatible:
            #expect(report.contains("MAC: sha1"))
            #expect(report.contains("pbeWithSHA1And3-KeyTripleDES-CBC"))
            #expect(!report.contains("AES"))
        }
        #expect(!report.contains(password))

        // openssl extracts the same key and certificates.
        let extracted = try OpenSSLCLI.run(["pkcs12", "-in", p12Path, "-passin", "file:\(passPath)", "-nodes"]).stdout
        #expect(extracted.contains("friendlyName: com.example.wallet"))
        let certificates = try Certificate.all(inPEM: Data(extracted.utf8))
        #expect(Set(certificates) == [client, ca.certificate])
        #expect(try PrivateKey(pem: Data(extracted.utf8)).publicKey == key.publicKey)

        let parsed = try PKCS12Bundle(der: der, password: password)
        #expect(parsed.certificate == client)
        #expect(parsed.chain == [ca.certificate])
        #expect(parsed.friendlyName == "com.example.wallet")
        #expect(parsed.privateKey?.publicKey == key.publicKey)
    }

    @Test("A wrong password is a wrongPassword error naming the MAC, never the password")
    func wrongPassword() throws {
        let ca = try TestCA()
        let (key, client) = try ca.issueClient()
        let password = "right-\(UUID().uuidString)"
        let der = try PKCS12Bundle(privateKey: key, certificate: client).encoded(password: password)
        let attempt = "guess-\(UUID().uuidString)"
        do {
            _ = try PKCS12Bundle(der: der, password: attempt)
            Issue.record("a wrong password opened the file")
        } catch let error as CryptoError {
            #expect(error.code == .wrongPassword)
            #expect(error.description.hasPrefix("PKCS12 parse: mac verify failure"))
            #expect(!error.description.contains(password) && !error.description.contains(attempt))
        }
        #expect(throws: CryptoError.self) { try PKCS12Bundle(privateKey: key, certificate: client).encoded(password: "") }
    }

    @Test("openssl pkcs12 -export output (default and -legacy) parses", arguments: [false, true])
    func parseOpenSSLExport(legacy: Bool) throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA(.rsa2048)
        let (key, client) = try ca.issueClient(type: .rsa2048)
        try directory.write("key.pem", try key.pemEncoded())
        try directory.write("cert.pem", client.pem)
        try directory.write("ca.pem", ca.certificate.pem)
        let passPath = try directory.write("pass", "exported\n")
        try OpenSSLCLI.run(["pkcs12", "-export", "-inkey", directory.path("key.pem"), "-in", directory.path("cert.pem"),
                            "-certfile", directory.path("ca.pem"), "-name", "from openssl", "-passout", "file:\(passPath)",
                            "-out", directory.path("out.p12")] + (legacy ? ["-legacy"] : []))
        let parsed = try PKCS12Bundle(der: try directory.read("out.p12"), password: "exported")
        #expect(parsed.certificate == client)
        #expect(parsed.chain == [ca.certificate])
        #expect(parsed.friendlyName == "from openssl")
        #expect(parsed.privateKey?.publicKey == key.publicKey)
    }

    static let fixtures: [(String, String)] = [
        ("other/pkcs12/apple-codesign-testuser.p12", "password123"),
        ("other/pkcs12/rcodesign-self-signed-rsa-apple-development.p12", "password"),
        ("other/pkcs12/r2-myStore.p12", ""),
    ]

    @Test("Fixture keystores (RC2-40 legacy, AES with empty password) parse; the certificate matches openssl's",
          .needsFixtures, arguments: fixtures)
    func fixtureFiles(path: String, password: String) throws {
        let directory = try TemporaryDirectory()
        let bundle = try PKCS12Bundle(der: try Fixtures.data(path), password: password)
        let certificate = try #require(bundle.certificate)
        let key = try #require(bundle.privateKey)
        #expect(key.publicKey == certificate.publicKey)
        let passPath = try directory.write("pass", password + "\n")
        let cli = try OpenSSLCLI.run(["pkcs12", "-in", Fixtures.url(path).path, "-passin", "file:\(passPath)", "-nokeys",
                                      "-clcerts", "-legacy"]).stdout
        #expect(try Certificate.all(inPEM: Data(cli.utf8)).contains(certificate))
        #expect { try PKCS12Bundle(der: try Fixtures.data(path), password: password + "x") } throws: {
            ($0 as? CryptoError)?.code == .wrongPassword
        }
    }

    @Test("The Ed25519 fixture: the PKCS#8 v2 key bag OpenSSL 3.0 rejects is read by walking the bags; its certificate's X25519 key is reported",
          .needsFixtures)
    func ed25519Fixture() throws {
        let path = "other/pkcs12/rcodesign-self-signed-ed25519-apple-development.p12"
        let data = try Fixtures.data(path)
        // openssl cannot load that certificate's public key either ("Public Key Algorithm: X25519 ... Unable to load").
        let directory = try TemporaryDirectory()
        let passPath = try directory.write("pass", "password\n")
        let cli = try OpenSSLCLI.run(["pkcs12", "-in", Fixtures.url(path).path, "-passin", "file:\(passPath)", "-nokeys", "-legacy"]).stdout
        let text = try OpenSSLCLI.run(["x509", "-noout", "-text"], stdin: Data(cli.utf8), expectSuccess: false).combined
        #expect(text.contains("X25519") && text.contains("Unable to load Public Key"))
        #expect { try PKCS12Bundle(der: data, password: "password") } throws: {
            let error = $0 as? CryptoError
            return error?.code == .unsupported && error!.description.contains("public key (X25519) cannot be decoded")
        }
        #expect { try PKCS12Bundle(der: data, password: "wrong") } throws: { ($0 as? CryptoError)?.code == .wrongPassword }
    }

    @Test("Walking the bags gives what PKCS12_parse gives, for both profiles and openssl -legacy files",
          arguments: ["modern", "compatible", "legacy"])
    func bagWalkAgreesWithParse(kind: String) throws {
        let ca = try TestCA()
        let (key, client) = try ca.issueClient(appID: "com.example.walk")
        let der: Data
        if kind == "legacy" {
            let directory = try TemporaryDirectory()
            try directory.write("key.pem", try key.pemEncoded())
            try directory.write("cert.pem", client.pem)
            try directory.write("ca.pem", ca.certificate.pem)
            let passPath = try directory.write("pass", "walk\n")
            try OpenSSLCLI.run(["pkcs12", "-export", "-legacy", "-inkey", directory.path("key.pem"), "-in", directory.path("cert.pem"),
                                "-certfile", directory.path("ca.pem"), "-name", "walked", "-passout", "file:\(passPath)",
                                "-out", directory.path("out.p12")])
            der = try directory.read("out.p12")
        } else {
            der = try PKCS12Bundle(privateKey: key, certificate: client, chain: [ca.certificate], friendlyName: "walked")
                .encoded(password: "walk", profile: PKCS12Bundle.Profile(rawValue: kind)!)
        }
        let parsed = try PKCS12Bundle(der: der, password: "walk")
        let walked = try PKCS12Bundle(der: der, password: "walk", walkingBags: true)
        #expect(walked.certificate == parsed.certificate && walked.certificate == client)
        #expect(walked.chain == parsed.chain && walked.chain == [ca.certificate])
        #expect(walked.friendlyName == "walked" && parsed.friendlyName == "walked")
        #expect(walked.privateKey?.publicKey == key.publicKey)
        #expect { try PKCS12Bundle(der: der, password: "nope", walkingBags: true) } throws: { ($0 as? CryptoError)?.code == .wrongPassword }
    }

    @Test("PKCS#8 v2 (OneAsymmetricKey with a public key) DER imports; malformed v2 stays an error")
    func oneAsymmetricKeyVersion2() throws {
        let key = try PrivateKey.generate(.ecP256)
        let v1 = [UInt8](try key.derEncoded())
        // Rebuild as v2: version 1 and a [1] publicKey appended (any bit string content is dropped on import).
        let headerLength = v1[1] & 0x80 == 0 ? 2 : 2 + Int(v1[1] & 0x7f)
        var v2Body = Array(v1[headerLength...])
        v2Body[2] = 0x01
        v2Body += [0x81, 0x03, 0x00, 0xAB, 0xCD]
        let v2 = Data([0x30]) + derLength(v2Body.count) + Data(v2Body)
        #expect(try PrivateKey(der: v2).publicKey == key.publicKey)
        for length in 0..<v2.count {
            #expect(throws: CryptoError.self) { try PrivateKey(der: v2.prefix(length)) }
        }
        var broken = v2Body
        broken += [0x82, 0x01, 0x00]
        #expect(throws: CryptoError.self) { try PrivateKey(der: Data([0x30]) + derLength(broken.count) + Data(broken)) }
    }

    @Test("Hostile PKCS#12 bytes fail cleanly")
    func hostile() throws {
        let ca = try TestCA()
        let der = try PKCS12Bundle(privateKey: ca.key, certificate: ca.certificate).encoded(password: "pw")
        for length in stride(from: 0, to: der.count, by: 11) {
            #expect(throws: CryptoError.self) { try PKCS12Bundle(der: der.prefix(length), password: "pw") }
        }
        var flipped = der
        flipped[flipped.startIndex + der.count / 2] ^= 0x40
        #expect(throws: CryptoError.self) { try PKCS12Bundle(der: flipped, password: "pw") }
    }
}

@Suite("PKCS#12 limits")
struct PKCS12LimitTests {
    @Test("Files without a MAC, or asking for more MAC iterations than the cap, are refused before any KDF runs")
    func limits() throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA()
        try directory.write("key.pem", try ca.key.pemEncoded())
        try directory.write("cert.pem", ca.certificate.pem)
        let passPath = try directory.write("pass", "pw\n")
        try OpenSSLCLI.run(["pkcs12", "-export", "-nomac", "-inkey", directory.path("key.pem"), "-in", directory.path("cert.pem"),
                            "-passout", "file:\(passPath)", "-out", directory.path("nomac.p12")])
        #expect { try PKCS12Bundle(der: try directory.read("nomac.p12"), password: "pw") } throws: {
            ($0 as? CryptoError)?.code == .unsupported
        }
        let heavy = try PKCS12Bundle(privateKey: ca.key, certificate: ca.certificate).encoded(password: "pw", iterations: 1)
        #expect(try PKCS12Bundle(der: heavy, password: "pw").certificate == ca.certificate)
        #expect(throws: CryptoError.self) {
            try PKCS12Bundle(privateKey: ca.key, certificate: ca.certificate).encoded(password: "pw", iterations: PKCS12Bundle.maximumIterations + 1)
        }
        // MacData ends with the iteration INTEGER: 65536 is `02 03 01 00 00`; raise it to 8388607 in place.
        var hostile = try PKCS12Bundle(privateKey: ca.key, certificate: ca.certificate).encoded(password: "pw", iterations: 65536)
        #expect(Array(hostile.suffix(5)) == [0x02, 0x03, 0x01, 0x00, 0x00])
        hostile.replaceSubrange((hostile.endIndex - 3)..<hostile.endIndex, with: [0x7f, 0xff, 0xff])
        #expect { try PKCS12Bundle(der: hostile, password: "pw") } throws: {
            let error = $0 as? CryptoError
            return error?.code == .unsupported && error!.description.contains("8388607")
        }
    }
}

@Suite("PKCS#12 modern profile, written by CryptoCore")
struct PKCS12ModernEncoderTests {
    @Test("openssl reads it with a non-ASCII password: the MAC's BMPString and the bags' UTF-8 key agree")
    func nonASCIIPassword() throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA()
        let (key, client) = try ca.issueClient(appID: "com.example.wallet")
        let password = "pässwörd-🔑-\(UUID().uuidString)"
        let der = try PKCS12Bundle(privateKey: key, certificate: client, chain: [ca.certificate], friendlyName: "wallet")
            .encoded(password: password)
        let p12Path = try directory.write("client.p12", der)
        let passPath = try directory.write("pass", password + "\n")
        let info = try OpenSSLCLI.run(["pkcs12", "-info", "-noout", "-in", p12Path, "-passin", "file:\(passPath)"]).combined
        #expect(info.contains("MAC: sha256, Iteration 2048"))
        #expect(info.contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"))
        #expect(info.contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"))
        let parsed = try PKCS12Bundle(der: der, password: password)
        #expect(parsed.privateKey?.publicKey == key.publicKey)
        #expect(throws: CryptoError.self) { try PKCS12Bundle(der: der, password: password + "x") }
    }

    @Test("Java's keytool and Python's cryptography read the key entry, its chain and the friendly name")
    func otherReaders() throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA()
        let (key, client) = try ca.issueClient(appID: "com.example.wallet")
        let password = "p12-\(UUID().uuidString)"
        let der = try PKCS12Bundle(privateKey: key, certificate: client, chain: [ca.certificate], friendlyName: "wallet")
            .encoded(password: password)
        let p12Path = try directory.write("client.p12", der)
        let passPath = try directory.write("pass", password)
        let keytool = try ProcessRunner.run("keytool", ["-list", "-v", "-storetype", "PKCS12", "-keystore", p12Path,
                                                        "-storepass:file", passPath])
        #expect(keytool.succeeded, "\(keytool.combined)")
        #expect(keytool.stdout.contains("Alias name: wallet"))
        #expect(keytool.stdout.contains("Entry type: PrivateKeyEntry"))
        #expect(keytool.stdout.contains("Certificate chain length: 2"))
        let script = """
        import sys
        from cryptography.hazmat.primitives.serialization import pkcs12
        key, cert, extra = pkcs12.load_key_and_certificates(open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read())
        print(cert.subject.rfc4514_string(), len(extra), key.curve.name)
        """
        let python = try ProcessRunner.run("python3", ["-c", script, p12Path, passPath])
        #expect(python.succeeded, "\(python.combined)")
        #expect(python.stdout.contains("secp256r1"))
        #expect(python.stdout.contains(" 1 "))
    }

    @Test("A key-only and a certificate-only file are read back by OpenSSL's PKCS12_parse")
    func partialBundles() throws {
        let ca = try TestCA()
        let (key, client) = try ca.issueClient(appID: "com.example.wallet")
        let keyOnly = try PKCS12Bundle(privateKey: key, certificate: nil).encoded(password: "secret")
        #expect(try PKCS12Bundle(der: keyOnly, password: "secret").privateKey?.publicKey == key.publicKey)
        let certificateOnly = try PKCS12Bundle(privateKey: nil, certificate: client, chain: [ca.certificate])
            .encoded(password: "secret")
        let parsed = try PKCS12Bundle(der: certificateOnly, password: "secret")
        #expect(Set([parsed.certificate].compactMap { $0 } + parsed.chain) == [client, ca.certificate])
    }
}

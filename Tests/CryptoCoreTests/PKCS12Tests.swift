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

    @Test("The Ed25519 fixture's v2 key bag is reported as unsupported, after its MAC checks out", .needsFixtures)
    func ed25519Fixture() throws {
        let data = try Fixtures.data("other/pkcs12/rcodesign-self-signed-ed25519-apple-development.p12")
        #expect { try PKCS12Bundle(der: data, password: "password") } throws: {
            let error = $0 as? CryptoError
            return error?.code == .unsupported && error!.description.contains("PKCS#8")
        }
        #expect { try PKCS12Bundle(der: data, password: "wrong") } throws: { ($0 as? CryptoError)?.code == .wrongPassword }
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

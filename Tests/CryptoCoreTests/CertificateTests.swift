import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("X.509 certificates")
struct CertificateTests {
    @Test("Fixture certificates parse to what openssl x509 prints", .needsFixtures, arguments: [
        "other/signing-keys/ec-p256.x509.pem", "other/signing-keys/rsa-2048.x509.pem",
        "other/certs/rcodesign-apple-signed-apple-development.cer",
    ])
    func fixturesAgreeWithOpenSSL(path: String) throws {
        let bytes = try Fixtures.data(path)
        let certificate = try Certificate(pemOrDER: bytes)
        let form = path.hasSuffix(".cer") ? "DER" : "PEM"
        let printed = try OpenSSLCLI.run(["x509", "-inform", form, "-in", Fixtures.url(path).path, "-noout",
                                          "-subject", "-issuer", "-serial", "-fingerprint", "-sha256",
                                          "-nameopt", "RFC2253,-esc_msb"]).stdout
        #expect(printed.contains("subject=\(certificate.subject.rfc2253)\n"))
        #expect(printed.contains("issuer=\(certificate.issuer.rfc2253)\n"))
        #expect(printed.contains("serial=\(certificate.serialNumber.hex)\n"))
        #expect(printed.contains("Fingerprint=\(certificate.sha256Fingerprint.colonHex)"))
        let der = try OpenSSLCLI.run(["x509", "-inform", form, "-in", Fixtures.url(path).path, "-outform", "DER"]).stdoutData
        #expect(certificate.der == der)
        #expect(try Certificate(pem: certificate.pem) == certificate)
    }

    @Test("Fixture ec-p256 certificate: key, validity and self-signature", .needsFixtures)
    func fixtureDetails() throws {
        let certificate = try Certificate(pem: try Fixtures.data("other/signing-keys/ec-p256.x509.pem"))
        #expect(certificate.subject.commonName == "ec-p256")
        #expect(certificate.keyAlgorithm == .ec(curve: .p256))
        #expect(certificate.publicKey.bits == 256)
        #expect(certificate.version == 3)
        #expect(certificate.notBefore < certificate.notAfter)
        #expect(certificate.isSelfIssued && certificate.isSelfSigned)
        try certificate.verify(issuedBy: certificate)
    }

    @Test("Apple's development certificate: subject components, EKU and SKI/AKI", .needsFixtures)
    func appleCertificate() throws {
        let certificate = try Certificate(der: try Fixtures.data("other/certs/rcodesign-apple-signed-apple-development.cer"))
        let text = try OpenSSLCLI.run(["x509", "-inform", "DER", "-in", Fixtures.url("other/certs/rcodesign-apple-signed-apple-development.cer").path,
                                       "-noout", "-text"]).stdout
        #expect(certificate.subject.values(of: "UID").count == 1)
        #expect(text.contains("Code Signing") == (certificate.extensions.extendedKeyUsage?.contains(.codeSigning) == true))
        let ski = try #require(certificate.extensions.subjectKeyIdentifier)
        #expect(text.contains(ski.map { String(format: "%02X", $0) }.joined(separator: ":")))
        #expect(certificate.extensions.authorityKeyIdentifier != nil)
        #expect(!certificate.isSelfIssued && !certificate.isSelfSigned)
    }

    @Test("CA and client certificate: openssl verify accepts the client for sslclient; extensions as specified",
          arguments: [KeyType.ecP256, .rsa2048])
    func issueClient(type: KeyType) throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA(type)
        let (clientKey, client) = try ca.issueClient(appID: "com.example.shop", type: type, days: 30)
        let caPath = try directory.write("ca.pem", ca.certificate.pem)
        let clientPath = try directory.write("client.pem", client.pem)
        let verified = try OpenSSLCLI.run(["verify", "-CAfile", caPath, "-purpose", "sslclient", clientPath])
        #expect(verified.stdout.contains("\(clientPath): OK"))
        // The CA is not a client certificate; the client is not a CA.
        let notCA = try OpenSSLCLI.run(["verify", "-CAfile", clientPath, clientPath], expectSuccess: false)
        #expect(!notCA.succeeded)

        let text = try OpenSSLCLI.run(["x509", "-in", clientPath, "-noout", "-text"]).stdout
        #expect(text.contains("TLS Web Client Authentication"))
        #expect(text.contains("URI:urn:appseal:app:android:com.example.shop"))
        #expect(text.contains("CA:FALSE"))
        #expect(text.contains("Digital Signature"))
        let caText = try OpenSSLCLI.run(["x509", "-in", caPath, "-noout", "-text"]).stdout
        #expect(caText.contains("CA:TRUE, pathlen:0"))
        #expect(caText.contains("Certificate Sign, CRL Sign"))

        #expect(client.extensions.basicConstraints == BasicConstraints(isCA: false, pathLength: nil, isCritical: true))
        #expect(client.extensions.keyUsage == .digitalSignature)
        #expect(client.extensions.isCritical("keyUsage"))
        #expect(client.extensions.extendedKeyUsage == [.clientAuth])
        #expect(client.extensions.uris == ["urn:appseal:app:android:com.example.shop"])
        #expect(client.extensions.authorityKeyIdentifier == ca.certificate.extensions.subjectKeyIdentifier)
        #expect(client.extensions.subjectKeyIdentifier == Digest.sha1(rawPublicKeyBits(client.publicKey.spkiDER)).bytes)
        #expect(ca.certificate.extensions.basicConstraints == BasicConstraints(isCA: true, pathLength: 0, isCritical: true))
        #expect(ca.certificate.extensions.keyUsage == [.keyCertSign, .cRLSign])
        #expect(client.subject.rfc2253 == "CN=com.example.shop,O=Example")
        #expect(client.issuer == ca.certificate.subject)
        #expect(client.publicKey == clientKey.publicKey)
        #expect(client.serialNumber.magnitude.count == 16 && client.serialNumber.magnitude.first! < 0x80)
        #expect(client.notAfter.timeIntervalSince(client.notBefore) == 30 * 86_400)
        #expect(client.isValid() && !client.isValid(at: client.notAfter.addingTimeInterval(1)))
        try client.verify(issuedBy: ca.certificate)
        #expect(client.isIssued(by: ca.certificate))
        let other = try TestCA(type)
        #expect(!client.isIssued(by: other.certificate))
        #expect { try client.verify(issuedBy: other.certificate) } throws: { ($0 as? CryptoError)?.code == .verificationFailed }

        // Fingerprints and pin agree with openssl.
        let fingerprint = try OpenSSLCLI.run(["x509", "-in", clientPath, "-noout", "-fingerprint", "-sha1"]).stdout
        #expect(fingerprint.contains(client.sha1Fingerprint.colonHex))
        let serial = try OpenSSLCLI.run(["x509", "-in", clientPath, "-noout", "-serial"]).stdout
        #expect(serial == "serial=\(client.serialNumber.hex)\n")
    }

    @Test("A certificate made by openssl req -x509 with extensions reads back exactly")
    func openSSLCertificate() throws {
        let directory = try TemporaryDirectory()
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.path("key.pem"),
                            "-out", directory.path("cert.pem"), "-days", "10", "-set_serial", "0x00F1E2D3C4",
                            "-subj", "/C=DE/O=Example, Inc./CN=cli.example.com",
                            "-addext", "subjectAltName=DNS:cli.example.com,URI:urn:appseal:app:ios:com.example.cli,email:a@example.com,IP:10.1.2.3",
                            "-addext", "extendedKeyUsage=clientAuth,serverAuth",
                            "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
                            "-addext", "basicConstraints=critical,CA:FALSE"])
        let certificate = try Certificate(pem: try directory.read("cert.pem"))
        #expect(certificate.subject.rfc2253 == "CN=cli.example.com,O=Example\\, Inc.,C=DE")
        #expect(certificate.subject.values(of: "O") == ["Example, Inc."])
        #expect(certificate.serialNumber.hex == "F1E2D3C4")
        #expect(certificate.keyAlgorithm == .rsa(bits: 2048))
        #expect(certificate.signatureAlgorithm == "RSA-SHA256")
        #expect(certificate.notAfter.timeIntervalSince(certificate.notBefore) == 10 * 86_400)
        let extensions = certificate.extensions
        #expect(extensions.subjectAlternativeNames == [.dns("cli.example.com"), .uri("urn:appseal:app:ios:com.example.cli"),
                                                        .email("a@example.com"), .ipAddress(Data([10, 1, 2, 3]))])
        #expect(extensions.extendedKeyUsage == [.clientAuth, .serverAuth])
        #expect(extensions.keyUsage == [.digitalSignature, .keyEncipherment] && extensions.isCritical("keyUsage"))
        #expect(extensions.basicConstraints == BasicConstraints(isCA: false, pathLength: nil, isCritical: true))
        #expect(extensions.subjectKeyIdentifier != nil)
        #expect(extensions.all.map(\.name).contains("subjectAltName"))
        #expect(try PrivateKey(pem: try directory.read("key.pem")).publicKey == certificate.publicKey)
        // Self-signed, but its keyUsage does not allow certificate signing, so it is no issuer.
        #expect(certificate.isSelfSigned)
        #expect(!certificate.isIssued(by: certificate))
    }

    @Test("Serials are random and distinct; hex input forms parse to the same number")
    func serials() throws {
        let serials = try (0..<50).map { _ in try SerialNumber.random() }
        #expect(Set(serials).count == 50)
        let serial = try #require(SerialNumber(hex: "00:0a:BC"))
        #expect(serial.hex == "0ABC")
        #expect(SerialNumber(hex: "0x0abc") == serial)
        #expect(SerialNumber(hex: "abc") == serial)
        #expect(SerialNumber(hex: "xyz") == nil)
        #expect(SerialNumber(hex: "") == nil)
    }

    @Test("Distinguished names: order, escapes and errors")
    func distinguishedNames() throws {
        let name = try DistinguishedName("CN=appseal CA, O=Example\\, Inc., C=DE")
        #expect(name.attributes.map(\.type) == ["C", "O", "CN"])
        #expect(name.values(of: "O") == ["Example, Inc."])
        #expect(name.rfc2253 == "CN=appseal CA,O=Example\\, Inc.,C=DE")
        #expect(try DistinguishedName(name.rfc2253) == name)
        let unicode = try DistinguishedName("CN=Zürich Büro")
        #expect(unicode.commonName == "Zürich Büro")
        #expect(unicode.rfc2253 == "CN=Zürich Büro")
        for bad in ["", "CN", "=x", "CN=", "XX=foo", "CN=a+O=b", "CN=a\\"] {
            #expect(throws: CryptoError.self, "\(bad)") { try DistinguishedName(bad) }
        }
    }

    @Test("Builder refuses a non-CA issuer, a mismatched key and unsafe SAN values")
    func builderGuards() throws {
        let ca = try TestCA()
        let (clientKey, client) = try ca.issueClient()
        let key = try PrivateKey.generate(.ecP256)
        let builder = try CertificateBuilder(subject: DistinguishedName("CN=x"), publicKey: key.publicKey,
                                             profile: .clientAuthentication, validityDays: 1)
        #expect(throws: CryptoError.self) { try builder.signed(by: client, key: clientKey) }
        #expect(throws: CryptoError.self) { try builder.signed(by: ca.certificate, key: clientKey) }
        #expect(throws: CryptoError.self) { try builder.selfSigned(with: clientKey) }
        var injected = builder
        injected.subjectAlternativeNames = [.uri("urn:a,DNS:evil.example")]
        // Commas are legal URI characters; the typed SAN keeps it as one URI rather than parsing config syntax.
        let single = try injected.signed(by: ca.certificate, key: ca.key)
        #expect(single.extensions.subjectAlternativeNames == [.uri("urn:a,DNS:evil.example")])
        injected.subjectAlternativeNames = [.uri("urn:has space")]
        #expect(throws: CryptoError.self) { try injected.signed(by: ca.certificate, key: ca.key) }
        #expect(throws: CryptoError.self) {
            try CertificateBuilder(subject: DistinguishedName("CN=x"), publicKey: key.publicKey, profile: .clientAuthentication, validityDays: 0)
        }
    }

    @Test("Hostile certificate bytes: truncations, trailing data and garbage fail cleanly")
    func hostileInput() throws {
        let ca = try TestCA()
        let der = ca.certificate.der
        for length in stride(from: 0, to: der.count, by: 7) {
            #expect(throws: CryptoError.self) { try Certificate(der: der.prefix(length)) }
        }
        #expect(throws: CryptoError.self) { try Certificate(der: der + Data([0, 0])) }
        #expect(throws: CryptoError.self) { try Certificate(pem: "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n") }
        #expect(throws: CryptoError.self) { try Certificate(pem: "no pem here") }
        #expect(try Certificate.all(inPEM: Data((ca.certificate.pem + "junk\n" + ca.certificate.pem).utf8)).count == 2)
    }
}

/// The subjectPublicKey BIT STRING contents of an SPKI (what the RFC 5280 method-1 key identifier hashes).
func rawPublicKeyBits(_ spki: Data) -> Data {
    // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }; the BIT STRING is the last element.
    let bytes = [UInt8](spki)
    func length(at index: inout Int) -> Int {
        let first = Int(bytes[index]); index += 1
        if first < 0x80 { return first }
        var value = 0
        for _ in 0..<(first & 0x7f) { value = value << 8 | Int(bytes[index]); index += 1 }
        return value
    }
    var index = 1
    _ = length(at: &index)
    index += 1
    let algorithmLength = length(at: &index)
    index += algorithmLength
    index += 1
    let bitsLength = length(at: &index)
    return Data(bytes[(index + 1)..<(index + bitsLength)])
}

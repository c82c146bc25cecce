import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("Certificate revocation lists")
struct RevocationListTests {
    @Test("Create, update and parse; openssl crl -text lists serials, reasons and the CRL number")
    func createAndUpdate() throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA()
        let (_, first) = try ca.issueClient(appID: "com.example.one")
        let (_, second) = try ca.issueClient(appID: "com.example.two")
        let (_, third) = try ca.issueClient(appID: "com.example.three")

        var builder = try CRLBuilder(validityDays: 7)
        builder.revoke(first.serialNumber, reason: .keyCompromise)
        let crl = try builder.signed(by: ca.certificate, key: ca.key)
        #expect(crl.crlNumber == 1)
        #expect(crl.revoked.map(\.serialNumber) == [first.serialNumber])
        #expect(crl.entry(for: first.serialNumber)?.reason == .keyCompromise)
        #expect(crl.entry(for: second.serialNumber) == nil)
        #expect(crl.authorityKeyIdentifier == ca.certificate.extensions.subjectKeyIdentifier)
        #expect(crl.issuer == ca.certificate.subject)
        #expect(crl.nextUpdate == crl.thisUpdate.addingTimeInterval(7 * 86_400))
        try crl.verify(issuedBy: ca.certificate)

        var next = try CRLBuilder(updating: try CertificateRevocationList(pem: Data(crl.pem.utf8)), validityDays: 7)
        next.revoke(second.serialNumber, reason: .superseded)
        next.revoke(third.serialNumber)
        let updated = try next.signed(by: ca.certificate, key: ca.key)
        #expect(updated.crlNumber == 2)
        #expect(Set(updated.revoked.map(\.serialNumber)) == [first.serialNumber, second.serialNumber, third.serialNumber])
        #expect(updated.entry(for: third.serialNumber)?.reason == nil)

        let crlPath = try directory.write("crl.pem", updated.pem)
        let text = try OpenSSLCLI.run(["crl", "-in", crlPath, "-noout", "-text"]).stdout
        for serial in [first, second, third].map(\.serialNumber.hex) {
            #expect(text.contains("Serial Number: \(serial)"))
        }
        #expect(text.contains("Key Compromise"))
        #expect(text.contains("Superseded"))
        #expect(text.range(of: #"X509v3 CRL Number: *\n *2\n"#, options: .regularExpression) != nil)
        let caPath = try directory.write("ca.pem", ca.certificate.pem)
        let checked = try OpenSSLCLI.run(["crl", "-in", crlPath, "-noout", "-CAfile", caPath])
        #expect(checked.combined.contains("verify OK"))

        // openssl verify with the CRL rejects a revoked certificate and accepts one that is not listed.
        let (_, fourth) = try ca.issueClient(appID: "com.example.four")
        let bundle = try directory.write("bundle.pem", ca.certificate.pem + updated.pem)
        let revokedPath = try directory.write("revoked.pem", first.pem)
        let goodPath = try directory.write("good.pem", fourth.pem)
        let rejected = try OpenSSLCLI.run(["verify", "-crl_check", "-CAfile", bundle, revokedPath], expectSuccess: false)
        #expect(!rejected.succeeded && rejected.combined.contains("certificate revoked"))
        try OpenSSLCLI.run(["verify", "-crl_check", "-CAfile", bundle, goodPath])

        // Another CA's key cannot pass for this CA.
        let other = try TestCA()
        #expect { try updated.verify(issuedBy: other.certificate) } throws: { ($0 as? CryptoError)?.code == .verificationFailed }
        #expect(throws: CryptoError.self) { try next.signed(by: ca.certificate, key: other.key) }
    }

    @Test("A CRL made by openssl ca parses with its reasons")
    func parseOpenSSLCRL() throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA(.rsa2048)
        let (_, client) = try ca.issueClient()
        try directory.write("ca.pem", ca.certificate.pem)
        try directory.write("ca.key", try ca.key.pemEncoded())
        try directory.write("client.pem", client.pem)
        try directory.write("index.txt", "")
        try directory.write("crlnumber", "1000\n")
        let config = """
        [ca]
        default_ca = test
        [test]
        database = \(directory.path("index.txt"))
        crlnumber = \(directory.path("crlnumber"))
        certificate = \(directory.path("ca.pem"))
        private_key = \(directory.path("ca.key"))
        default_md = sha256
        default_crl_days = 5
        """
        let configPath = try directory.write("ca.cnf", config)
        try OpenSSLCLI.run(["ca", "-config", configPath, "-revoke", directory.path("client.pem"), "-crl_reason", "cessationOfOperation"])
        try OpenSSLCLI.run(["ca", "-config", configPath, "-gencrl", "-out", directory.path("crl.pem")])
        let crl = try CertificateRevocationList(pemOrDER: try directory.read("crl.pem"))
        #expect(crl.crlNumber == 0x1000)
        #expect(crl.entry(for: client.serialNumber)?.reason == .cessationOfOperation)
        try crl.verify(issuedBy: ca.certificate)
    }

    @Test("Reason names parse case-insensitively and map to RFC 5280 codes")
    func reasons() {
        #expect(RevocationReason(name: "keycompromise") == .keyCompromise)
        #expect(RevocationReason(name: "CACOMPROMISE") == .caCompromise)
        #expect(RevocationReason(name: "nope") == nil)
        #expect(RevocationReason.removeFromCRL.code == 8)
        #expect(RevocationReason(code: 7) == nil)
    }

    @Test("Hostile CRL bytes fail cleanly")
    func hostile() throws {
        let ca = try TestCA()
        let der = try CRLBuilder().signed(by: ca.certificate, key: ca.key).der
        for length in stride(from: 0, to: der.count, by: 5) {
            #expect(throws: CryptoError.self) { try CertificateRevocationList(der: der.prefix(length)) }
        }
        #expect(throws: CryptoError.self) { try CertificateRevocationList(der: der + Data([0])) }
    }
}

import Foundation
import Testing
import TestSupport
@testable import CryptoCore

@Suite("CMS / PKCS#7 SignedData")
struct CMSTests {
    static let cases: [(KeyType, DigestAlgorithm, Bool)] = [
        (.rsa2048, .sha256, true), (.rsa2048, .sha1, false), (.rsa2048, .sha512, true),
        (.ecP256, .sha256, true), (.ecP256, .sha256, false), (.ecP384, .sha384, false),
    ]

    @Test("Sign (RSA/EC, digest choice, detached/attached); openssl cms -verify accepts it with and without the chain",
          arguments: cases)
    func signAndCrossVerify(type: KeyType, digest: DigestAlgorithm, detached: Bool) throws {
        let directory = try TemporaryDirectory()
        let ca = try TestCA(type)
        let key = try PrivateKey.generate(type)
        let signer = try CertificateBuilder(subject: DistinguishedName("CN=signer,O=Example"), publicKey: key.publicKey,
                                            profile: .codeSigning, validityDays: 3)
            .signed(by: ca.certificate, key: ca.key)
        let content = Data("Signature-Version: 1.0\r\nCreated-By: appseal\r\n\r\n".utf8)
        let before = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let signed = try CMSSignedData.sign(content, certificate: signer, key: key, chain: [ca.certificate],
                                            digest: digest, detached: detached)
        #expect(signed.isDetached == detached)
        #expect(signed.content == (detached ? nil : content))
        #expect(signed.contentType == "pkcs7-data")
        #expect(Set(signed.certificates) == [signer, ca.certificate])
        let info = try #require(signed.signers.first)
        #expect(signed.signers.count == 1)
        #expect(info.signedAttributes == ["contentType", "signingTime", "messageDigest"])
        #expect(info.digestAlgorithm.lowercased() == digest.rawValue)
        #expect(info.certificate == signer)
        #expect(info.serialNumber == signer.serialNumber && info.issuer == ca.certificate.subject)
        let signingTime = try #require(info.signingTime)
        #expect(signingTime >= before.addingTimeInterval(-1) && signingTime <= Date().addingTimeInterval(1))

        #expect(try signed.verify(detachedContent: detached ? content : nil) == content)
        #expect(try signed.verify(detachedContent: detached ? content : nil, roots: [ca.certificate]) == content)
        let other = try TestCA(type)
        #expect { try signed.verify(detachedContent: detached ? content : nil, roots: [other.certificate]) } throws: {
            ($0 as? CryptoError)?.code == .verificationFailed
        }
        if detached {
            #expect { try signed.verify(detachedContent: content + Data("x".utf8)) } throws: {
                ($0 as? CryptoError)?.code == .verificationFailed
            }
        }

        let cmsPath = try directory.write("sig.p7s", signed.der)
        let contentPath = try directory.write("content", content)
        let caPath = try directory.write("ca.pem", ca.certificate.pem)
        let outPath = directory.path("out")
        let base = ["cms", "-verify", "-binary", "-inform", "DER", "-in", cmsPath, "-out", outPath] + (detached ? ["-content", contentPath] : [])
        let signatureOnly = try OpenSSLCLI.run(base + ["-noverify"])
        #expect(signatureOnly.combined.contains("Verification successful"))
        #expect(try directory.read("out") == content)
        let chained = try OpenSSLCLI.run(base + ["-CAfile", caPath, "-purpose", "any"])
        #expect(chained.combined.contains("Verification successful"))
        let printed = try OpenSSLCLI.run(["cms", "-cmsout", "-print", "-inform", "DER", "-in", cmsPath, "-noout"]).stdout
        #expect(printed.contains("signingTime") && printed.contains("messageDigest") && printed.contains("contentType"))
    }

    @Test("Without signed attributes the signature is over the content itself (apksig's v1 form)")
    func noSignedAttributes() throws {
        let directory = try TemporaryDirectory()
        let key = try PrivateKey.generate(.rsa2048)
        let certificate = try CertificateBuilder(subject: DistinguishedName("CN=apk"), publicKey: key.publicKey,
                                                 profile: .codeSigning, validityDays: 1).selfSigned(with: key)
        let content = Data("Signature-Version: 1.0\r\n\r\n".utf8)
        let signed = try CMSSignedData.sign(content, certificate: certificate, key: key, digest: .sha256,
                                            detached: true, signedAttributes: false)
        let info = try #require(signed.signers.first)
        #expect(info.signedAttributes.isEmpty && info.signingTime == nil)
        #expect(key.publicKey.isValidSignature(info.signature, for: content, digest: .sha256))
        try signed.verify(detachedContent: content)
        let cmsPath = try directory.write("sig", signed.der)
        let contentPath = try directory.write("content", content)
        try OpenSSLCLI.run(["cms", "-verify", "-binary", "-noverify", "-inform", "DER", "-in", cmsPath, "-content", contentPath, "-out", "/dev/null"])
    }

    @Test("Additional signed attributes (Apple's CodeDirectory hashes) are signed, read back and accepted by openssl")
    func additionalAttributes() throws {
        let directory = try TemporaryDirectory()
        let key = try PrivateKey.generate(.rsa2048)
        let certificate = try CertificateBuilder(subject: DistinguishedName("CN=Apple Development: test"), publicKey: key.publicKey,
                                                 profile: .codeSigning, validityDays: 1).selfSigned(with: key)
        let codeDirectory = Data("code directory blob".utf8)
        let plist = Data("<?xml version=\"1.0\"?><plist><dict><key>cdhashes</key><array/></dict></plist>".utf8)
        let hash = Digest.sha256(codeDirectory).bytes
        // SEQUENCE { OID sha256, OCTET STRING hash }
        let hashValue = Data([0x30, 0x2d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20]) + hash
        let attributes = [CMSAttribute(oid: "1.2.840.113635.100.9.1", octetString: plist),
                          CMSAttribute(oid: "1.2.840.113635.100.9.2", derValues: [hashValue])]
        let signed = try CMSSignedData.sign(codeDirectory, certificate: certificate, key: key, detached: true,
                                            additionalSignedAttributes: attributes)
        let info = try #require(signed.signers.first)
        #expect(Set(info.signedAttributes) == ["contentType", "signingTime", "messageDigest", "1.2.840.113635.100.9.1", "1.2.840.113635.100.9.2"])
        #expect(info.signedAttributeValues.first { $0.oid == "1.2.840.113635.100.9.1" } == attributes[0])
        #expect(info.signedAttributeValues.first { $0.oid == "1.2.840.113635.100.9.2" } == attributes[1])
        try signed.verify(detachedContent: codeDirectory)
        let cmsPath = try directory.write("sig", signed.der)
        let contentPath = try directory.write("cd", codeDirectory)
        try OpenSSLCLI.run(["cms", "-verify", "-binary", "-noverify", "-inform", "DER", "-in", cmsPath, "-content", contentPath, "-out", "/dev/null"])
        let printed = try OpenSSLCLI.run(["cms", "-cmsout", "-print", "-inform", "DER", "-in", cmsPath, "-noout"]).stdout
        #expect(printed.contains("1.2.840.113635.100.9.1") && printed.contains("1.2.840.113635.100.9.2"))
        #expect(throws: CryptoError.self) {
            try CMSSignedData.sign(codeDirectory, certificate: certificate, key: key, detached: true,
                                   additionalSignedAttributes: [CMSAttribute(oid: "not an oid", octetString: Data())])
        }
        #expect(throws: CryptoError.self) {
            try CMSSignedData.sign(codeDirectory, certificate: certificate, key: key, detached: true,
                                   additionalSignedAttributes: [CMSAttribute(oid: "1.2.3.4", derValues: [Data([0x04, 0x05, 0x00])])])
        }
    }

    @Test("openssl cms -sign output (detached and attached) parses and verifies", arguments: [true, false])
    func parseOpenSSLOutput(detached: Bool) throws {
        let directory = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ecP256)
        let certificate = try CertificateBuilder(subject: DistinguishedName("CN=cli signer"), publicKey: key.publicKey,
                                                 profile: .codeSigning, validityDays: 1).selfSigned(with: key)
        try directory.write("key.pem", try key.pemEncoded())
        try directory.write("cert.pem", certificate.pem)
        let content = Data("payload from openssl\n".utf8)
        try directory.write("content", content)
        try OpenSSLCLI.run(["cms", "-sign", "-binary", "-md", "sha512", "-signer", directory.path("cert.pem"), "-inkey", directory.path("key.pem"),
                            "-in", directory.path("content"), "-outform", "DER", "-out", directory.path("sig")] + (detached ? [] : ["-nodetach"]))
        let parsed = try CMSSignedData(der: try directory.read("sig"))
        #expect(parsed.isDetached == detached)
        #expect(parsed.signers.first?.certificate == certificate)
        #expect(parsed.signers.first?.digestAlgorithm == "SHA512")
        #expect(try parsed.verify(detachedContent: detached ? content : nil, roots: [certificate]) == content)
    }

    @Test("APK v1 signature blocks verify over their .SF files (RSA, EC P-256/384/521, DSA)", .needsFixtures)
    func apkSignatureBlocks() throws {
        let apk = Fixtures.url("apk/apksig/v1-only-10-signers.apk").path
        let listing = try ProcessRunner.run("unzip", ["-Z1", apk]).stdout.split(separator: "\n").map(String.init)
        let blocks = listing.filter { $0.hasPrefix("META-INF/") && ($0.hasSuffix(".RSA") || $0.hasSuffix(".EC") || $0.hasSuffix(".DSA")) }
        #expect(blocks.count == 10)
        for block in blocks {
            let signatureFile = String(block[..<block.lastIndex(of: ".")!]) + ".SF"
            let signature = try ProcessRunner.run("unzip", ["-p", apk, block]).stdoutData
            let content = try ProcessRunner.run("unzip", ["-p", apk, signatureFile]).stdoutData
            let signed = try CMSSignedData(der: signature)
            #expect(signed.isDetached, "\(block)")
            let signer = try #require(signed.signers.first?.certificate, "\(block)")
            #expect(try signed.verify(detachedContent: content) == content, "\(block)")
            #expect(throws: CryptoError.self, "\(block)") { try signed.verify(detachedContent: content.dropLast()) }
            if block.contains("EC-P384") { #expect(signer.keyAlgorithm == .ec(curve: .p384)) }
        }
    }

    @Test("APK v1 with an unused first certificate: the signer is matched by issuer and serial", .needsFixtures)
    func signerMatching() throws {
        let apk = Fixtures.url("apk/apksig/v1-only-pkcs7-cert-bag-first-cert-not-used.apk").path
        let signed = try CMSSignedData(der: try ProcessRunner.run("unzip", ["-p", apk, "META-INF/CERT.RSA"]).stdoutData)
        #expect(signed.certificates.count >= 2)
        let signer = try #require(signed.signers.first?.certificate)
        #expect(signer != signed.certificates.first)
        try signed.verify(detachedContent: try ProcessRunner.run("unzip", ["-p", apk, "META-INF/CERT.SF"]).stdoutData)
    }

    @Test("Provisioning profiles: attached plist content, Apple's certificates, signature verifies", .needsFixtures,
          arguments: ["other/mobileprovision/fastlane-test.mobileprovision", "other/mobileprovision/isign-test.mobileprovision"])
    func provisioningProfiles(path: String) throws {
        let signed = try CMSSignedData(der: try Fixtures.data(path))
        let content = try #require(signed.content)
        #expect(String(decoding: content.prefix(64), as: UTF8.self).contains("<?xml"))
        #expect(!signed.certificates.isEmpty)
        #expect(signed.signers.first?.certificate != nil)
        #expect(try signed.verify() == content)
        // Verification against an unrelated root fails: trust is only what the caller passes.
        let unrelated = try TestCA()
        #expect(throws: CryptoError.self) { try signed.verify(roots: [unrelated.certificate]) }
    }

    @Test("The unsigned XML profile and hostile bytes are rejected", .needsFixtures)
    func hostile() throws {
        let xml = try Fixtures.data("other/mobileprovision/fastlane-spaceship-downloaded_provisioning_profile-unsigned-xml.mobileprovision")
        #expect(throws: CryptoError.self) { try CMSSignedData(der: xml) }
        let der = try Fixtures.data("other/mobileprovision/isign-test.mobileprovision")
        for length in stride(from: 0, to: der.count, by: 97) {
            #expect(throws: CryptoError.self) { try CMSSignedData(der: der.prefix(length)) }
        }
        #expect(throws: CryptoError.self) { try CMSSignedData(der: der + Data([0])) }
    }
}

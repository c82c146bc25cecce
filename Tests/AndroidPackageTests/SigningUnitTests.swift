@testable import AndroidPackage
import Foundation
import Testing
import TestSupport

@Suite("Signing: formats")
struct SigningFormatTests {
    @Test func manifestLinesWrapAt72BytesWithCRLF() {
        let name = String(repeating: "a", count: 200)
        let bytes = JarManifestText.attribute("Name", name)
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").dropLast()
        #expect(lines.allSatisfy { $0.utf8.count + 2 <= 72 }, "\(lines.map(\.utf8.count))")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(lines.first?.utf8.count == 70)
        let rejoined = lines.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined()
        #expect(rejoined == "Name: " + name)
    }

    @Test func mainSectionOfSourceManifestIsKeptWithManifestVersionFirst() throws {
        let source = Array("Created-By: singlejar\r\nManifest-Version: 1.0\r\nBuilt-By: someone\r\n long\r\n\r\nName: x\r\n".utf8)
        let main = try JarManifestMainSection(parsing: source)
        let files = JarSignatureFiles.make(entryDigests: ["b": [1], "a": [2]], algorithm: .sha256, sourceMain: main,
                                           newerSchemes: [2, 3], hash: { Hashing.hash($0, .sha256) })
        let text = String(decoding: files.manifest, as: UTF8.self)
        #expect(text.hasPrefix("Manifest-Version: 1.0\r\nBuilt-By: someonelong\r\nCreated-By: singlejar\r\n\r\nName: a\r\n"))
        let signatureFile = String(decoding: files.signatureFile, as: UTF8.self)
        #expect(signatureFile.hasPrefix("Signature-Version: 1.0\r\nCreated-By: 1.0 (Android)\r\nSHA-256-Digest-Manifest: "))
        #expect(signatureFile.contains("X-Android-APK-Signed: 2, 3\r\n"))
    }

    @Test func malformedSourceManifestIsAnError() {
        #expect(throws: ApkSigningError.self) { try JarManifestMainSection(parsing: Array(" continuation first\r\n".utf8)) }
        #expect(throws: ApkSigningError.self) { try JarManifestMainSection(parsing: Array("no colon here\r\n".utf8)) }
    }

    @Test(arguments: [("rsa-2048", "RSA-2048"), ("my key.with.dots", "MY_KEY_W"), ("ü", "_"), ("cert", "CERT")])
    func signerNamesAreMadeSafe(_ name: String, _ expected: String) {
        #expect(JarSignatureFiles.safeSignerName(name) == expected)
    }

    @Test func signatureFilesAreNotDigested() {
        for name in ["META-INF/MANIFEST.MF", "META-INF/CERT.RSA", "META-INF/x.sf", "META-INF/A.EC", "META-INF/SIG-X", "lib/"] {
            #expect(!JarSignatureFiles.isDigestedEntry(name), "\(name)")
        }
        for name in ["META-INF/services/x", "META-INF/kotlin.kotlin_module", "classes.dex", "META-INF/CERT.RSA/x"] {
            #expect(JarSignatureFiles.isDigestedEntry(name), "\(name)")
        }
    }

    @Test func alignmentFieldPadsDataToTheMultiple() {
        for extraStart in 30..<(30 + 4096) where extraStart % 97 == 0 {
            for multiple in [4, 4096, 16384] {
                let extra = AlignmentExtraField.realigned([0xFE, 0xCA, 0, 0, 0x35, 0xD9, 2, 0, 4, 0], extraStart: extraStart, multiple: multiple)
                #expect((extraStart + extra.count) % multiple == 0)
                #expect(Array(extra.prefix(4)) == [0xFE, 0xCA, 0, 0], "other fields are kept")
                #expect(AlignmentExtraField.declaredMultiple(in: extra) == multiple)
            }
        }
    }

    @Test func apksignerModeKeepsUnalignedEntriesUnaligned() {
        // Data at 39 in the input (not aligned): apksigner leaves it so, wherever the entry moves.
        #expect(AlignmentExtraField.outputExtra(policy: .apksignerCompatible, isStored: true, name: "a.bin", extra: [],
                                                inputHeaderOffset: 0, outputHeaderOffset: 2, headerSizeBeforeExtra: 39) == nil)
        // The default policy aligns it.
        let extra = AlignmentExtraField.outputExtra(policy: .default, isStored: true, name: "a.bin", extra: [],
                                                    inputHeaderOffset: 0, outputHeaderOffset: 2, headerSizeBeforeExtra: 39)
        #expect(extra.map { (2 + 39 + $0.count) % 4 } == 0)
        let library = AlignmentExtraField.outputExtra(policy: .default, isStored: true, name: "lib/x86/libz.so", extra: [],
                                                      inputHeaderOffset: 0, outputHeaderOffset: 100, headerSizeBeforeExtra: 45)
        #expect(library.map { (100 + 45 + $0.count) % 16384 } == 0)
        #expect(AlignmentExtraField.outputExtra(policy: .default, isStored: false, name: "a", extra: [],
                                                inputHeaderOffset: 0, outputHeaderOffset: 1, headerSizeBeforeExtra: 31) == nil)
    }

    @Test func signingBlockPadsToAPageWithVerityPadding() throws {
        let block = ApkSigningBlock(pairs: [.init(id: ApkSigningBlock.v2SignatureId, value: Array(repeating: 7, count: 1000))])
        let bytes = block.encoded(padToPage: true)
        #expect(bytes.count == 4096)
        let decoded = try ApkSigningBlock(decoding: bytes, offset: 0)
        #expect(decoded.ids == [ApkSigningBlock.v2SignatureId, ApkSigningBlock.verityPaddingId])
        #expect(decoded.value(for: ApkSigningBlock.verityPaddingId)?.allSatisfy { $0 == 0 } == true)
        // When fewer than 12 bytes would remain, a whole extra page is added.
        let tight = ApkSigningBlock(pairs: [.init(id: 1, value: Array(repeating: 0, count: 4096 - 32 - 12 - 4))])
        #expect(tight.encoded(padToPage: true).count == 8192)
        #expect(tight.encoded(padToPage: false).count == 4092)
    }

    @Test(.needsFixtures) func goldenSigningBlocksDecodeAndReencodeIdentically() throws {
        for name in ["golden-aligned-v1v2v3-out.apk", "golden-aligned-v2-out.apk", "golden-rsa-verity-out.apk"] {
            let data = [UInt8](try Fixtures.data("apk/apksig/" + name))
            let end = data.count - 22
            let centralDirectoryOffset = Int(data[end + 16]) | Int(data[end + 17]) << 8 | Int(data[end + 18]) << 16 | Int(data[end + 19]) << 24
            let location = try #require(try ApkSigningBlock.locate(footer: Array(data[(centralDirectoryOffset - 24)..<centralDirectoryOffset]),
                                                                   centralDirectoryOffset: centralDirectoryOffset))
            let bytes = Array(data[location.offset..<(location.offset + location.size)])
            let block = try ApkSigningBlock(decoding: bytes, offset: location.offset)
            let withoutPadding = ApkSigningBlock(pairs: block.pairs.filter { $0.id != ApkSigningBlock.verityPaddingId })
            #expect(withoutPadding.encoded(padToPage: true) == bytes, "\(name)")
            for scheme in [SignatureScheme.v2, .v3] {
                guard let value = block.value(for: scheme.blockId!) else { continue }
                let signers = try SchemeSignerBlock.decodeSchemeBlock(value, scheme: scheme, offset: 0)
                #expect(signers.count == 1)
                #expect(signers[0].certificates.count == 1)
            }
        }
    }

    @Test func hostileSigningBlocksAreErrorsNotCrashes() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            let length = Int.random(in: 0..<200, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0, bytes.count >= 40 {
                bytes.replaceSubrange((bytes.count - 16)..., with: ApkSigningBlock.magic)
            }
            _ = try? ApkSigningBlock(decoding: bytes, offset: 0)
            _ = try? SchemeSignerBlock.decodeSchemeBlock(bytes, scheme: .v2, offset: 0)
            _ = try? SchemeSignerBlock.decodeSchemeBlock(bytes, scheme: .v3, offset: 0)
            _ = try? DERElement.parse(bytes, structure: "fuzz").children(structure: "fuzz")
            _ = try? CertificateFields(der: bytes)
            _ = try? JarManifestDocument(parsing: bytes, entryName: "fuzz")
        }
        #expect(throws: ApkSigningError.self) { try ApkSigningBlock(decoding: [], offset: 5) }
    }

    /// apksig's table: MD5 with rsaEncryption on every API level, with md5WithRSAEncryption on 0-8 and 21+,
    /// with any other signature OID or a non-RSA key not at all (21-23 only, and maxSdk is open).
    @Test func md5SignerInfoSupportFollowsAndroidsApiLevels() {
        let rsa = PublicKeyKind.rsa(bits: 2048)
        let rsaEncryption = Pkcs7SignatureCheck.rsaEncryptionOID, md5WithRSA = Pkcs7SignatureCheck.md5WithRSAEncryptionOID
        for minSdk in [1, 8, 9, 20, 21, 34] {
            #expect(Pkcs7SignatureCheck.md5Problem(signatureAlgorithmOID: rsaEncryption, key: rsa, minSdk: minSdk) == nil)
            #expect((Pkcs7SignatureCheck.md5Problem(signatureAlgorithmOID: md5WithRSA, key: rsa, minSdk: minSdk) == nil) == (minSdk >= 21))
            #expect(Pkcs7SignatureCheck.md5Problem(signatureAlgorithmOID: "1.2.840.113549.1.1.11", key: rsa, minSdk: minSdk) != nil)
            #expect(Pkcs7SignatureCheck.md5Problem(signatureAlgorithmOID: rsaEncryption, key: .ec(curveBits: 256), minSdk: minSdk) != nil)
            #expect(Pkcs7SignatureCheck.md5Problem(signatureAlgorithmOID: nil, key: rsa, minSdk: minSdk) != nil)
        }
    }
}

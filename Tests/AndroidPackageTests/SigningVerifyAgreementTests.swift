import AndroidPackage
import Foundation
import Testing
import TestSupport

/// `appseal verify` must accept exactly the fixtures apksigner accepts. apksigner's verdict
/// for every fixture is recorded in SOURCES.md ("apksigner: VERIFIES" / "FAILS"), measured
/// with Debian's apksigner 0.9; the few places we differ are listed with what we found.
@Suite("Signing: verify agrees with apksigner", .needsFixtures)
struct SigningVerifyAgreementTests {
    /// Fixtures where appseal's verdict differs from apksigner 0.9's, and why.
    static let knownDifferences: [String: String] = [
        "apk/apksig/v31-ec-p256-2-tgt-33-1-tgt-28-targetSdk-30.apk":
            "apksigner 0.9 predates v3.1 (SOURCES.md tool limit): it warns about the v3 block's unknown attribute 0x559f8b02, then fails 'Target SDK version 30 requires a minimum of signature scheme v2' (it accepts with --min-sdk-version 24); v1, v2, v3 and v3.1 all verify, so we accept",
        "apk/edge/apkInspector-minimal_zero_sized_end_ns.apk":
            "apksigner stops with MinSdkVersionException on this evasive manifest (zero-sized END_NAMESPACE), giving no verdict on the signatures; Android and our AXML reader read minSdk 24, and the v2/v3 signatures verify (apksigner --min-sdk-version 24 agrees)",
        // Deliberately stricter: these two ZIP evasions show different files to different readers,
        // so appseal refuses them in verify as in sign and `archive check` (the ZIP layer's issue
        // requires it). apksigner and Android read only the central directory, so they accept.
        "apk/apksig/mismatched-compression-method.apk":
            "META-INF/CERT.RSA's local header says stored, the central directory deflated: unzip and other local-header readers get different bytes than Android",
        "apk/apksig/v1-only-with-nul-in-entry-name.apk":
            "'test.txt\\0' is 'test.txt' to every C-string reader (libc, native unpackers) and another name to Java; the v1 manifest covers the Java name",
    ]

    static func apksignerVerdicts() throws -> [String: Bool] {
        let text = String(decoding: try Fixtures.data("SOURCES.md"), as: UTF8.self)
        var verdicts: [String: Bool] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `apk/apksig/") || line.hasPrefix("| `apk/edge/") {
            guard let nameEnd = line.dropFirst(3).firstIndex(of: "`") else { continue }
            let name = String(line[line.index(line.startIndex, offsetBy: 3)..<nameEnd])
            if line.contains("apksigner: VERIFIES") { verdicts[name] = true } else if line.contains("apksigner: FAILS") { verdicts[name] = false }
        }
        return verdicts
    }

    static var fixtures: [String] {
        (Fixtures.files(under: "apk/apksig", extensions: ["apk"]) + Fixtures.files(under: "apk/edge", extensions: ["apk"]))
            .map(Fixtures.relativePath)
    }

    @Test(arguments: fixtures)
    func verdictMatchesApksigner(_ fixture: String) throws {
        let expected = try #require(try Self.apksignerVerdicts()[fixture], "SOURCES.md records no apksigner verdict for \(fixture)")
        let accepted: Bool
        var reasons: [String] = []
        do {
            let report = try ApkVerifier.verify(path: Fixtures.url(fixture).path)
            accepted = report.verified
            reasons = report.errors
            if !report.verified { #expect(!report.errors.isEmpty, "a rejection must say why") }
        } catch let error as ApkSigningError {
            accepted = false
            reasons = [error.description]
        }
        if let difference = Self.knownDifferences[fixture] {
            #expect(accepted != expected, "\(fixture) is listed as a known difference (\(difference)) but now agrees; remove it")
        } else {
            #expect(accepted == expected, "\(fixture): apksigner \(expected ? "accepts" : "rejects"), appseal \(accepted ? "accepts" : "rejects"): \(reasons)")
        }
    }

    @Test func rejectionsNameTheProblem() throws {
        let cases: [(String, String)] = [
            ("apk/apksig/v2-only-with-ecdsa-sha256-p256-digest-mismatch.apk", "digest mismatch"),
            ("apk/apksig/v2-only-with-rsa-pkcs1-sha256-2048-sig-does-not-verify.apk", "did not verify"),
            ("apk/apksig/v2-only-cert-and-public-key-mismatch.apk", "public key mismatch"),
            ("apk/apksig/v2-only-no-certs-in-sig.apk", "no certificates"),
            ("apk/apksig/v2-stripped.apk", "stripped"),
            ("apk/apksig/v3-stripped.apk", "stripped"),
            ("apk/edge/urzip-badsig.apk", "does not match"),
            ("apk/edge/urzip-badcert.apk", "did not verify"),
            ("apk/apksig/golden-aligned-v2-out.apk", "missing META-INF/MANIFEST.MF"),
            ("apk/edge/apktool-unknown_compression.apk", "no digest for assets/bin/Data/test.pkm"),
            ("apk/apksig/v1-only-with-lf-in-entry-name.apk", "MANIFEST.MF"),
            ("apk/apksig/v31-2elem-incorrect-lineage.apk", "lineage"),
        ]
        for (fixture, phrase) in cases {
            let report = try ApkVerifier.verify(path: Fixtures.url(fixture).path)
            #expect(!report.verified, "\(fixture) must be rejected")
            #expect(report.errors.contains { $0.localizedCaseInsensitiveContains(phrase) }, "\(fixture): no error mentions '\(phrase)': \(report.errors)")
        }
    }

    /// The two ZIP evasions apksigner accepts are refused with a message that says why, not as damaged files.
    @Test(arguments: [("apk/apksig/mismatched-compression-method.apk", "local header says stored but the central directory says deflated"),
                      ("apk/apksig/v1-only-with-nul-in-entry-name.apk", "entry name contains NUL")])
    func zipEvasionsAreRefusedOnPurpose(_ fixture: String, finding: String) throws {
        let apksigner = try Self.apksignerVerdicts()[fixture]
        #expect(apksigner == true, "SOURCES.md: apksigner accepts \(fixture)")
        #expect {
            _ = try ApkVerifier.verify(path: Fixtures.url(fixture).path)
        } throws: { error in
            guard let error = error as? ApkSigningError, case .evasiveArchive = error else { return false }
            return error.description.contains(finding) && error.description.contains("is refused on purpose")
                && error.description.contains("ZIP evasion")
        }
    }

    /// The only fixture signed with MD5 (JDK 1.5 jarsigner: MD5 digest, rsaEncryption OID, minSdk 1) verifies
    /// as MD5withRSA; a flipped signature byte, or the md5WithRSAEncryption OID that Android 2.3-4.4
    /// (API 9-20) cannot check, are rejected by both appseal and apksigner.
    @Test func md5WithRSAJarSignatureIsCheckedAsApksignerChecksIt() throws {
        let fixture = "apk/apksig/v1-only-no-uses-sdk.apk"
        let report = try ApkVerifier.verify(path: Fixtures.url(fixture).path)
        #expect(report.verified, "\(report.errors)")
        #expect(report.minSdk == 1)
        #expect(report.scheme("v1")?.signers.first?.signatureAlgorithms == ["MD5withRSA"])

        let directory = try TemporaryDirectory()
        let signerInfoRSAEncryption = "06092a864886f70d0101010500"
        let variants: [(name: String, edit: String, phrase: String)] = [
            ("flipped-signature.apk", "flip-last-byte", "did not verify"),
            ("md5WithRSAEncryption-oid.apk", "replace-last:\(signerInfoRSAEncryption):06092a864886f70d0101040500", "API 9-20"),
        ]
        for variant in variants {
            let output = directory.path(variant.name)
            let edit = try ProcessRunner.run("python3", ["-c", Self.editSignatureBlock, Fixtures.url(fixture).path, output,
                                                         "META-INF/ALIAS1.RSA", variant.edit])
            try #require(edit.succeeded, "\(edit.combined)")
            let edited = try ApkVerifier.verify(path: output)
            #expect(!edited.verified, "\(variant.name) must be rejected")
            #expect(edited.errors.contains { $0.contains(variant.phrase) }, "\(variant.name): \(edited.errors)")
            let apksigner = try ProcessRunner.run("apksigner", ["verify", output])
            #expect(!apksigner.succeeded, "apksigner accepts \(variant.name), appseal rejects it: \(apksigner.combined)")
        }
    }

    /// Rewrites one entry of an APK (python's zipfile, same compression) after changing its bytes.
    static let editSignatureBlock = """
    import sys, zipfile
    source, target, name, edit = sys.argv[1:5]
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == name:
                if edit == "flip-last-byte":
                    data = data[:-1] + bytes([data[-1] ^ 1])
                else:
                    old, new = (bytes.fromhex(part) for part in edit.split(":")[1:])
                    at = data.rindex(old)
                    data = data[:at] + new + data[at + len(old):]
            zout.writestr(info, data)
    """

    @Test func reportDescribesSchemesAndSigner() throws {
        let report = try ApkVerifier.verify(path: Fixtures.url("apk/apksig/golden-aligned-v1v2v3-out.apk").path)
        #expect(report.verified)
        #expect(report.minSdk == 23)
        for name in ["v1", "v2", "v3"] {
            let scheme = try #require(report.scheme(name))
            #expect(scheme.present && scheme.verified, "\(name)")
            #expect(scheme.signers.first?.subject == "CN=rsa-2048", "\(name): \(scheme.signers)")
        }
        #expect(report.scheme("v2")?.digestsChecked == ["CHUNKED_SHA256"])
        #expect(report.scheme("v1")?.digestsChecked == ["SHA-256-Digest", "SHA-256-Digest-Manifest"])
        #expect(report.signersMatchAcrossSchemes == true)
        // v3.1 blocks are checked like v3.
        let rotated = try ApkVerifier.verify(path: Fixtures.url("apk/apksig/v31-rsa-2048_2-tgt-33-1-tgt-28.apk").path)
        #expect(rotated.verified, "\(rotated.errors)")
        #expect(rotated.scheme("v3.1")?.verified == true)
        #expect(rotated.scheme("v3.1")?.signers.first?.subject == "CN=rsa-2048_2")
        // fs-verity digests are recomputed, next to the chunked ones.
        let verity = try ApkVerifier.verify(path: Fixtures.url("apk/apksig/golden-rsa-verity-out.apk").path)
        #expect(verity.verified)
        #expect(verity.scheme("v2")?.digestsChecked == ["CHUNKED_SHA256", "VERITY_CHUNKED_SHA256"])
        #expect(verity.scheme("v2")?.signers.first?.signatureAlgorithms == ["RSA_PKCS1_V1_5_WITH_SHA256", "VERITY_RSA_PKCS1_V1_5_WITH_SHA256"])
        // RSA-PSS v2 signatures are checked (apksigner 0.9 on OpenJDK 17 crashes on them).
        let pss = try ApkVerifier.verify(path: Fixtures.url("apk/apksig/v2-only-with-rsa-pss-sha256-2048.apk").path)
        #expect(pss.scheme("v2")?.verified == true)
        #expect(pss.scheme("v2")?.signers.first?.signatureAlgorithms == ["RSA_PSS_WITH_SHA256"])
    }
}

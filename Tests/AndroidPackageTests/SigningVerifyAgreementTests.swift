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
            "apksigner 0.9 predates v3.1 (SOURCES.md tool limit); the v3 signature verifies, so we accept",
        "apk/edge/apkInspector-minimal_zero_sized_end_ns.apk":
            "apksigner cannot parse this evasive manifest (zero-sized END_NAMESPACE) and so has no minSdk; Android and our AXML reader read minSdk 24, and the v2/v3 signatures verify (apksigner --min-sdk-version 24 agrees)",
        "apk/apksig/mismatched-compression-method.apk":
            "ArchiveKit refuses archives whose local header and central directory disagree (a known evasion); apksigner reads the central directory only",
        "apk/apksig/v1-only-with-nul-in-entry-name.apk":
            "ArchiveKit refuses entry names containing NUL (they name different files to different tools)",
        "apk/apksig/v1-only-no-uses-sdk.apk":
            "its v1 signature uses MD5withRSA; CryptoCore offers no MD5, so we cannot check it and do not accept it",
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

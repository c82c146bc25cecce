import Foundation
import Testing
import TestSupport

@Suite("Signing: appseal sign and verify", .needsFixtures)
struct SigningCommandTests {
    static let key = Fixtures.url("other/signing-keys/rsa-2048.pk8").path
    static let certificate = Fixtures.url("other/signing-keys/rsa-2048.x509.pem").path
    static let input = Fixtures.url("apk/apksig/golden-aligned-in.apk").path

    /// A PKCS#12 keystore made with openssl from the AOSP test key.
    static func makeKeystore(in folder: TemporaryDirectory, password: String) throws -> String {
        let pem = folder.path("key.pem")
        let keystore = folder.path("release.p12")
        let converted = try ProcessRunner.run("openssl", ["pkcs8", "-inform", "DER", "-in", key, "-nocrypt", "-out", pem])
        try #require(converted.succeeded, "\(converted.stderr)")
        try password.write(toFile: folder.path("openssl-pass"), atomically: true, encoding: .utf8)
        let exported = try ProcessRunner.run("openssl", ["pkcs12", "-export", "-inkey", pem, "-in", certificate, "-name", "release",
                                                         "-passout", "file:" + folder.path("openssl-pass"), "-out", keystore])
        try #require(exported.succeeded, "\(exported.stderr)")
        return keystore
    }

    @Test func signWithKeyAndCertThenVerify() throws {
        let folder = try TemporaryDirectory()
        let output = folder.path("signed.apk")
        let signed = try ProcessRunner.appseal(["sign", Self.input, "--key", Self.key, "--cert", Self.certificate, "--out", output])
        #expect(signed.status == 0, "\(signed.combined)")
        #expect(signed.stdout.contains("schemes: v1+v2+v3 (minSdk 23)"), "\(signed.stdout)")
        let verified = try ProcessRunner.appseal(["verify", output])
        #expect(verified.status == 0, "\(verified.combined)")
        #expect(verified.stdout.contains("verified"))
        #expect(verified.stdout.contains("CN=rsa-2048"))
        let json = try ProcessRunner.appseal(["verify", output, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        #expect(object["verified"] as? Bool == true)
        #expect((object["schemes"] as? [[String: Any]])?.compactMap { $0["scheme"] as? String }.prefix(3) == ["v1", "v2", "v3"])
        let apksigner = try ProcessRunner.run("apksigner", ["verify", output])
        #expect(apksigner.succeeded, "\(apksigner.combined)")
    }

    /// A ZIP evasion apksigner accepts: verify and sign both refuse it with exit 3 (invalid input),
    /// say it is deliberate, and sign leaves no output behind.
    @Test func zipEvasionIsRefusedByVerifyAndSign() throws {
        let evasive = Fixtures.url("apk/apksig/mismatched-compression-method.apk").path
        let verified = try ProcessRunner.appseal(["verify", evasive])
        #expect(verified.status == 3, "\(verified.combined)")
        #expect(verified.stderr.contains("is refused on purpose"), "\(verified.stderr)")
        #expect(verified.stderr.contains("local header says stored but the central directory says deflated"), "\(verified.stderr)")
        let folder = try TemporaryDirectory()
        let output = folder.path("out.apk")
        let signed = try ProcessRunner.appseal(["sign", evasive, "--key", Self.key, "--cert", Self.certificate, "--out", output])
        #expect(signed.status == 3, "\(signed.combined)")
        #expect(signed.stderr.contains("neither verifies nor re-signs"), "\(signed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func defaultOutputSitsBesideTheInputCopy() throws {
        let folder = try TemporaryDirectory()
        let copy = folder.path("app.apk")
        try FileManager.default.copyItem(atPath: Self.input, toPath: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let signed = try ProcessRunner.appseal(["sign", copy, "--key", Self.key, "--cert", Self.certificate, "--json"])
        #expect(signed.status == 0, "\(signed.combined)")
        #expect(FileManager.default.fileExists(atPath: folder.path("app-signed.apk")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before, "the input is never modified")
        let object = try #require(try JSONSerialization.jsonObject(with: signed.stdoutData) as? [String: Any])
        #expect(object["schemes"] as? [Int] == [1, 2, 3])
        #expect(try ProcessRunner.appseal(["sign", copy, "--key", Self.key, "--cert", Self.certificate, "--out", copy]).status == 2)
    }

    @Test func schemeSwitchesOverrideTheDefaults() throws {
        let folder = try TemporaryDirectory()
        let output = folder.path("v2v3.apk")
        let signed = try ProcessRunner.appseal(["sign", Self.input, "--key", Self.key, "--cert", Self.certificate,
                                                "--v1", "off", "--out", output, "--json"])
        #expect(signed.status == 0, "\(signed.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: signed.stdoutData) as? [String: Any])
        #expect(object["schemes"] as? [Int] == [2, 3])
        // minSdk 23 needs v1, so Android (and we) reject it unless minSdk is raised.
        #expect(try ProcessRunner.appseal(["verify", output]).status == 4)
        let bad = try ProcessRunner.appseal(["sign", Self.input, "--key", Self.key, "--cert", Self.certificate, "--v2", "maybe"])
        #expect(bad.status == 2)
    }

    @Test func keystoreWithPasswordFileOrEnvironment() throws {
        let folder = try TemporaryDirectory()
        let password = "correct horse battery"
        let keystore = try Self.makeKeystore(in: folder, password: password)
        try (password + "\n").write(toFile: folder.path("pw"), atomically: true, encoding: .utf8)
        let fromFile = try ProcessRunner.appseal(["sign", Self.input, "--keystore", keystore, "--keystore-password-file", folder.path("pw"),
                                                  "--out", folder.path("a.apk")])
        #expect(fromFile.status == 0, "\(fromFile.combined)")
        let fromEnvironment = try ProcessRunner.appseal(["sign", Self.input, "--keystore", keystore, "--alias", "release",
                                                         "--keystore-password", "env:APPSEAL_TEST_KS", "--out", folder.path("b.apk")],
                                                        environment: ["APPSEAL_TEST_KS": password])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.combined)")
        let apksigner = try ProcessRunner.run("apksigner", ["verify", "--print-certs", folder.path("b.apk")])
        #expect(apksigner.stdout.contains("CN=rsa-2048"), "\(apksigner.combined)")
        // The v1 files are named after the alias, as apksigner names them.
        let listing = try ProcessRunner.run("unzip", ["-l", folder.path("b.apk")])
        #expect(listing.stdout.contains("META-INF/RELEASE.SF"), "\(listing.stdout)")

        try "wrong\n".write(toFile: folder.path("bad"), atomically: true, encoding: .utf8)
        let wrong = try ProcessRunner.appseal(["sign", Self.input, "--keystore", keystore, "--keystore-password-file", folder.path("bad"),
                                               "--out", folder.path("c.apk")])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.contains("wrong password"))
        #expect(!wrong.combined.contains("wrong\n") && !wrong.combined.contains(password))
        #expect(!FileManager.default.fileExists(atPath: folder.path("c.apk")))
        let bare = try ProcessRunner.appseal(["sign", Self.input, "--keystore", keystore, "--keystore-password", password])
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("env:NAME"))
        #expect(!bare.stderr.contains(password))
        let noTerminal = try ProcessRunner.appseal(["sign", Self.input, "--keystore", keystore])
        #expect(noTerminal.status == 2, "no password source and no terminal: \(noTerminal.combined)")
    }

    @Test func javaKeystoreGetsTheConversionCommand() throws {
        let result = try ProcessRunner.appseal(["sign", Self.input, "--keystore", Fixtures.url("other/keystore/uber-test-release-key.jks").path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("keytool -importkeystore -srckeystore"), "\(result.stderr)")
    }

    @Test func verifyExitCodes() throws {
        #expect(try ProcessRunner.appseal(["verify", Fixtures.url("apk/apksig/golden-aligned-v1v2v3-out.apk").path]).status == 0)
        let mismatch = try ProcessRunner.appseal(["verify", Fixtures.url("apk/apksig/v2-only-with-ecdsa-sha256-p256-digest-mismatch.apk").path])
        #expect(mismatch.status == 4)
        #expect(mismatch.stdout.contains("digest mismatch"), "\(mismatch.stdout)")
        #expect(mismatch.stdout.contains("missing META-INF/MANIFEST.MF"), "every reason is listed: \(mismatch.stdout)")
        let notZip = try ProcessRunner.appseal(["verify", Fixtures.url("apk/apksig/invalid_manifest.apk").path])
        #expect(notZip.status == 3)
        #expect(notZip.stderr.hasPrefix("error: "))
        #expect(try ProcessRunner.appseal(["verify"]).status == 2)
        #expect(try ProcessRunner.appseal(["sign", Self.input]).status == 2, "no key given")
    }

    @Test func helpDescribesBothCommands() throws {
        let sign = try ProcessRunner.appseal(["sign", "--help"])
        #expect(sign.status == 0)
        for option in ["--keystore <file.p12>", "--keystore-password-file <file>", "--keystore-password <env:NAME>", "--key <file.pk8>",
                       "--min-sdk <level>", "--v1 <on|off>", "--align <mode>"] {
            #expect(sign.stdout.contains(option), "sign --help lacks \(option)")
        }
        let verify = try ProcessRunner.appseal(["verify", "--help"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("--json"))
    }
}

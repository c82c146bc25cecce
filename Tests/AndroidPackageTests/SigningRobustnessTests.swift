@testable import AndroidPackage
import Foundation
import Testing
import TestSupport

@Suite("Signing: damaged and hostile inputs", .needsFixtures)
struct SigningRobustnessTests {
    /// Every prefix of a signed APK is rejected (or refused as not an archive), never accepted or crashed on.
    @Test func everyTruncationIsRejected() throws {
        let data = try Fixtures.data("apk/apksig/golden-aligned-v1v2v3-out.apk")
        let folder = try TemporaryDirectory()
        let path = folder.path("cut.apk")
        for length in stride(from: 0, to: data.count, by: 13) {
            try data.prefix(length).write(to: URL(fileURLWithPath: path))
            let verified = (try? ApkVerifier.verify(path: path).verified) ?? false
            #expect(!verified, "a \(length)-byte prefix verified")
        }
    }

    /// Flipping a byte anywhere in the v2 and v3 signer blocks makes verification fail.
    @Test func everyCorruptedSignerByteIsRejected() throws {
        var data = [UInt8](try Fixtures.data("apk/apksig/golden-aligned-v2v3-out.apk"))
        // Block at 8192; its v2 and v3 pairs follow the 8-byte size field.
        let pairsStart = 8192 + 8
        let pairsEnd = pairsStart + 2 * (12 + 1423)
        let folder = try TemporaryDirectory()
        let path = folder.path("flip.apk")
        for offset in stride(from: pairsStart + 12, to: pairsEnd, by: 11) {
            data[offset] ^= 0x5A
            try Data(data).write(to: URL(fileURLWithPath: path))
            data[offset] ^= 0x5A
            let report = try? ApkVerifier.verify(path: path)
            #expect(report?.verified != true, "flipping the byte at \(offset) still verifies")
        }
    }

    @Test func unsignableInputsGiveClearErrors() throws {
        let identity = try SigningGoldenTests.identity()
        let folder = try TemporaryDirectory()
        let cases: [(String, String)] = [
            ("apk/apksig/invalid_manifest.apk", "not a ZIP archive"),
            ("apk/apksig/empty-unsigned.apk", "AndroidManifest.xml"),
            ("apk/edge/r2-Hello-dex-only.apk", "AndroidManifest.xml"),
            ("apk/apksig/v1-only-with-lf-in-entry-name.apk", "line break"),
        ]
        for (fixture, phrase) in cases {
            do {
                _ = try ApkSigner.sign(input: Fixtures.url(fixture).path, output: folder.path("x.apk"), identity: identity)
                Issue.record("\(fixture) was signed")
            } catch let error as ApkSigningError {
                #expect(error.description.contains(phrase), "\(fixture): \(error)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty, "no output or temp file left")
        }
        do {
            _ = try ApkSigner.sign(input: folder.path("missing.apk"), output: folder.path("x.apk"), identity: identity)
            Issue.record("a missing input was signed")
        } catch let error as ApkSigningError {
            #expect(error.description.contains("no such file"))
        }
    }

    @Test func cancellationLeavesNothingBehind() throws {
        let folder = try TemporaryDirectory()
        let calls = Counter()
        let options = ApkSigningOptions(isCancelled: { calls.increment() > 3 })
        #expect(throws: ApkSigningError.cancelled) {
            try ApkSigner.sign(input: Fixtures.url("apk/apksig/golden-aligned-in.apk").path, output: folder.path("out.apk"),
                               identity: try SigningGoldenTests.identity(), options: options)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test func progressReachesTheTotal() throws {
        let folder = try TemporaryDirectory()
        let seen = ProgressLog()
        let options = ApkSigningOptions(progress: { done, total in seen.record(done, total) })
        _ = try ApkSigner.sign(input: Fixtures.url("apk/apksig/golden-aligned-in.apk").path, output: folder.path("out.apk"),
                               identity: try SigningGoldenTests.identity(), options: options)
        let values = seen.values
        #expect(!values.isEmpty)
        #expect(values.last.map { $0.0 == $0.1 } == true)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0.0.0 <= $0.1.0 }, "progress never goes back")
    }

    @Test func aabWithV2IsRefused() throws {
        let folder = try TemporaryDirectory()
        #expect(throws: ApkSigningError.self) {
            try ApkSigner.sign(input: Fixtures.url("aab/watch-face-from-tool.aab").path, output: folder.path("x.aab"),
                               identity: try SigningGoldenTests.identity(), options: ApkSigningOptions(schemes: [.v1, .v2]))
        }
    }

    @Test func keyThatDoesNotMatchItsCertificateIsRefused() {
        #expect(throws: ApkSigningError.self) {
            try SigningIdentity.load(keyFile: Fixtures.url("other/signing-keys/ec-p256.pk8").path,
                                     certificateFile: Fixtures.url("other/signing-keys/rsa-2048.x509.pem").path)
        }
    }

    @Test func javaKeystoresAreRefusedWithTheConversionCommand() throws {
        do {
            _ = try SigningIdentity.load(pkcs12: Fixtures.url("other/keystore/uber-test-debug.jks").path, password: "android")
            Issue.record("a JKS keystore was read")
        } catch let error as ApkSigningError {
            #expect(error.description.contains("keytool -importkeystore -srckeystore"))
            #expect(error.description.contains("-deststoretype PKCS12"))
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [(Int64, Int64)] = []
    func record(_ done: Int64, _ total: Int64) { lock.lock(); log.append((done, total)); lock.unlock() }
    var values: [(Int64, Int64)] { lock.lock(); defer { lock.unlock() }; return log }
}

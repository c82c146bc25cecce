import AndroidPackage
import Foundation
import Testing
import TestSupport

/// A fresh signing key, made once per test run with the openssl command line.
final class FreshSigner: @unchecked Sendable {
    static let shared = FreshSigner()
    /// As java.security's X500Principal.getName() prints it.
    static let subject = "CN=appseal test signer,O=appseal"

    let folder: TemporaryDirectory
    let keyPath: String
    let certificatePath: String
    let failure: String?

    /// Written once, by the initialiser of `shared`, read at exit: a static is never
    /// deinitialised, so its folder (with the key in it) is removed when the test process ends.
    nonisolated(unsafe) static var folderToRemove: String?

    private init() {
        folder = try! TemporaryDirectory(prefix: "appseal-signer")
        FreshSigner.folderToRemove = folder.url.path
        atexit {
            if let folder = FreshSigner.folderToRemove { try? FileManager.default.removeItem(atPath: folder) }
        }
        let pem = folder.path("key.pem")
        keyPath = folder.path("key.pk8")
        certificatePath = folder.path("cert.pem")
        var problem: String?
        do {
            let made = try ProcessRunner.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pem,
                                                         "-out", certificatePath, "-days", "3650",
                                                         "-subj", "/O=appseal/CN=appseal test signer"])
            let converted = try ProcessRunner.run("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", pem, "-outform", "DER", "-out", keyPath])
            if !made.succeeded || !converted.succeeded { problem = made.stderr + converted.stderr }
        } catch {
            problem = "\(error)"
        }
        failure = problem
    }

    func identity() throws -> SigningIdentity {
        if let failure { throw ToolFailure(message: failure) }
        return try SigningIdentity.load(keyFile: keyPath, certificateFile: certificatePath)
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// After `appseal sign` with a new key, the SDK's own tools accept what apksigner accepted before.
@Suite("Signing: apksigner, zipalign and jarsigner accept our output", .needsFixtures)
struct SigningToolAgreementTests {
    /// Every fixture APK that SOURCES.md records apksigner as accepting.
    static var acceptedByApksigner: [String] {
        guard let text = try? String(decoding: Fixtures.data("SOURCES.md"), as: UTF8.self) else { return [] }
        return text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `apk/"), line.contains("apksigner: VERIFIES"),
                  let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
    }

    @Test func everyAcceptedFixtureStaysAcceptedAfterResigning() throws {
        let identity = try FreshSigner.shared.identity()
        // ArchiveKit refuses these two evasive archives outright (see SigningVerifyAgreementTests).
        let refused = ["apk/apksig/mismatched-compression-method.apk", "apk/apksig/v1-only-with-nul-in-entry-name.apk"]
        for fixture in refused {
            #expect(throws: ApkSigningError.self) {
                try ApkSigner.sign(input: Fixtures.url(fixture).path, output: NSTemporaryDirectory() + "/never.apk", identity: identity)
            }
        }
        let fixtures = Self.acceptedByApksigner.filter { !refused.contains($0) }
        #expect(fixtures.count >= 70, "SOURCES.md lists \(fixtures.count) accepted APKs")
        let folder = try TemporaryDirectory()
        var outputs: [(fixture: String, path: String)] = []
        for (index, fixture) in fixtures.enumerated() {
            let output = folder.path("\(index).apk")
            let result = try ApkSigner.sign(input: Fixtures.url(fixture).path, output: output, identity: identity)
            #expect(!result.schemes.isEmpty)
            outputs.append((fixture, output))
        }
        // apksigner's own verifier (the apksig library it runs), in one JVM for all outputs.
        let verdicts = try ApksigLibrary.verify(outputs.map(\.path))
        for (fixture, path) in outputs {
            let verdict = try #require(verdicts[path], "\(fixture): no apksig verdict")
            #expect(verdict.verified, "\(fixture): apksig rejects our output: \(verdict.details)")
            #expect(verdict.signers == [FreshSigner.subject + " " + identity.certificateSHA256], "\(fixture): signers \(verdict.signers)")
            let zipalign = try ProcessRunner.run("zipalign", ["-c", "-p", "-v", "4", path])
            #expect(zipalign.succeeded, "\(fixture): zipalign -c -p -v 4: \(zipalign.stdout.suffix(400))")
            let report = try ApkVerifier.verify(path: path)
            #expect(report.verified, "\(fixture): appseal verify: \(report.errors)")
        }
        // And the apksigner command itself, on a spread of inputs (each run starts a JVM).
        let sample = ["apk/apksig/golden-aligned-v1v2v3-out.apk", "apk/apksig/debuggable-boolean.apk", "apk/apksig/two-signers.apk",
                      "apk/apksig/v1-only-10-signers.apk", "apk/apksig/v3-ec-p256-targetSdk-30.apk", "apk/edge/janus.apk",
                      "apk/edge/apkInspector-minimal_orig.apk"]
        let sampled = outputs.filter { sample.contains($0.fixture) }
        #expect(sampled.count == sample.count)
        // A JVM spends much of its start-up waiting, so the runs overlap.
        let results = IndexedResultsBox<ProcessResult>(count: sampled.count)
        DispatchQueue.concurrentPerform(iterations: sampled.count) { index in
            results[index] = try? ProcessRunner.run("apksigner", ["verify", "--print-certs", sampled[index].path])
        }
        for (index, (fixture, _)) in sampled.enumerated() {
            let apksigner = try #require(results[index], "\(fixture): apksigner did not run")
            #expect(apksigner.succeeded, "\(fixture): \(apksigner.combined)")
            #expect(apksigner.stdout.contains("Signer #1 certificate DN: CN=appseal test signer, O=appseal"), "\(fixture): \(apksigner.stdout)")
            #expect(apksigner.stdout.contains("Signer #1 certificate SHA-256 digest: \(identity.certificateSHA256)"), "\(fixture)")
        }
    }

    @Test(arguments: ["aab/install-time-permanent-modules.aab", "aab/watch-face-from-tool.aab"])
    func bundlesSignedWithV1PassJarsigner(_ fixture: String) throws {
        let folder = try TemporaryDirectory()
        let output = folder.path("signed.aab")
        let result = try ApkSigner.sign(input: Fixtures.url(fixture).path, output: output, identity: try FreshSigner.shared.identity())
        #expect(result.schemes == [.v1])
        let jarsigner = try ProcessRunner.run("jarsigner", ["-verify", output])
        #expect(jarsigner.stdout.contains("jar verified."), "\(jarsigner.combined)")
        let report = try ApkVerifier.verify(path: output)
        #expect(report.verified, "\(report.errors)")
    }

    @Test func ecdsaKeySignsV1V2V3ThatApksignerAccepts() throws {
        let folder = try TemporaryDirectory()
        let output = folder.path("ec.apk")
        let identity = try SigningIdentity.load(keyFile: Fixtures.url("other/signing-keys/ec-p256.pk8").path,
                                                certificateFile: Fixtures.url("other/signing-keys/ec-p256.x509.pem").path)
        let result = try ApkSigner.sign(input: Fixtures.url("apk/apksig/golden-aligned-in.apk").path, output: output,
                                        identity: identity, options: ApkSigningOptions(v1SignerName: "ec-p256"))
        #expect(result.schemes == [.v1, .v2, .v3])
        #expect(result.signatureAlgorithm == "ECDSA_WITH_SHA256")
        let apksigner = try ProcessRunner.run("apksigner", ["verify", "-v", output])
        #expect(apksigner.succeeded, "\(apksigner.combined)")
        for scheme in ["v1", "v2", "v3"] {
            #expect(apksigner.stdout.contains("Verified using \(scheme) scheme (APK Signature Scheme \(scheme)): true")
                    || apksigner.stdout.contains("Verified using \(scheme) scheme (JAR signing): true"), "\(scheme): \(apksigner.stdout)")
        }
    }
}

/// apksigner's verification engine (the apksig library Debian ships with apksigner), run
/// over many files in one JVM: starting apksigner per file costs a second each.
enum ApksigLibrary {
    struct Verdict {
        let verified: Bool
        /// "<RFC 2253 subject> <certificate SHA-256>" per signer.
        let signers: [String]
        let details: String
    }

    static let source = """
    import com.android.apksig.ApkVerifier;
    import java.io.File;
    import java.security.MessageDigest;
    import java.security.cert.X509Certificate;

    public class BatchVerify {
        public static void main(String[] args) throws Exception {
            for (String path : args) {
                StringBuilder line = new StringBuilder(path);
                try {
                    ApkVerifier.Result result = new ApkVerifier.Builder(new File(path)).build().verify();
                    line.append('\\t').append(result.isVerified());
                    for (X509Certificate certificate : result.getSignerCertificates()) {
                        StringBuilder hex = new StringBuilder();
                        for (byte b : MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded())) hex.append(String.format("%02x", b));
                        line.append("\\tsigner: ").append(certificate.getSubjectX500Principal().getName()).append(' ').append(hex);
                    }
                    for (ApkVerifier.IssueWithParams error : result.getErrors()) line.append("\\terror: ").append(error);
                } catch (Exception e) {
                    line.append("\\tfalse\\texception: ").append(e);
                }
                System.out.println(line);
            }
        }
    }
    """

    static let classpath = "/usr/share/java/apksig.jar"

    static func verify(_ paths: [String]) throws -> [String: Verdict] {
        let folder = try TemporaryDirectory(prefix: "appseal-apksig")
        try source.write(toFile: folder.path("BatchVerify.java"), atomically: true, encoding: .utf8)
        let compiled = try ProcessRunner.run("javac", ["-cp", classpath, "-d", folder.url.path, folder.path("BatchVerify.java")])
        guard compiled.succeeded else { throw ToolFailure(message: "javac: \(compiled.combined)") }
        let run = try ProcessRunner.run("java", ["-cp", "\(classpath):\(folder.url.path)", "BatchVerify"] + paths)
        guard run.succeeded else { throw ToolFailure(message: "apksig: \(run.combined)") }
        var verdicts: [String: Verdict] = [:]
        for line in run.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count >= 2 else { continue }
            let signers = fields.dropFirst(2).filter { $0.hasPrefix("signer: ") }.map { String($0.dropFirst("signer: ".count)) }
            verdicts[fields[0]] = Verdict(verified: fields[1] == "true", signers: signers, details: fields.dropFirst(2).joined(separator: "; "))
        }
        return verdicts
    }
}

/// Values written by index from several threads.
final class IndexedResultsBox<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    subscript(index: Int) -> Value? {
        get { lock.lock(); defer { lock.unlock() }; return storage[index] }
        set { lock.lock(); defer { lock.unlock() }; storage[index] = newValue }
    }
}

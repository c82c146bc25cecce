import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("appseal inspect APP.ipa, run as the real binary",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct InspectCommandTests {
    @Test("--json prints the whole inspection, decodable and equal to the library's")
    func json() throws {
        let path = Fixtures.url("ipa/UnCrackable-Level1-UnDebuggable.ipa").path
        let result = try ProcessRunner.appseal(["inspect", path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(IPAInspection.self, from: result.stdoutData)
        let direct = try IPAInspector.inspect(path: path)
        #expect(decoded.info == direct.info)
        #expect(decoded.problems == direct.problems)
        #expect(decoded.seal == direct.seal)
        #expect(decoded.mainExecutable?.slices.map(\.cpu.name) == ["armv7", "arm64"])
        #expect(decoded.mainExecutable?.slices.first?.codeSignature?.codeDirectories.map(\.hashAlgorithm) == [.sha1, .sha256])
        #expect(decoded.profile?.developerCertificates.map(\.sha256) == direct.profile?.developerCertificates.map(\.sha256))
        // Secrets never appear, and neither do raw byte arrays: the JSON stays readable.
        #expect(!result.stdout.contains("\"bytes\""))
    }

    @Test("the text report names the app, its signer and its problems")
    func text() throws {
        let result = try ProcessRunner.appseal(["inspect", Fixtures.url("ipa/very-capable-app.ipa").path])
        #expect(result.status == 0, "\(result.stderr)")
        for line in ["Bundle id    org.fastlane.very-capable-app", "Profile      org.fastlane.very-capable-app Development (development)",
                     "Main binary  very-capable-app (thin, 65.3 KiB)",
                     "  arm64 execute · iOS 11.2 (LC_VERSION_MIN_IPHONEOS, SDK 11.2) · not encrypted",
                     "    CodeDirectory v20400 · sha256 · 14 pages · pages verified · cdhash 8a85032aeb13cf895c0a40c2eacc67f59c245488",
                     "Seal         CodeResources v2 · 7 sealed · 7 files verified",
                     "Bound        Info.plist yes (slot 1 matches) · CodeResources yes (slot 3 matches)",
                     "Problems     1",
                     "  the provisioning profile 'org.fastlane.very-capable-app Development' expired on 2019-04-07T01:27:21Z"] {
            #expect(result.stdout.contains(line + "\n"), "missing line: \(line)")
        }
    }

    @Test("an archive without an app bundle exits 3 with the reason", arguments: [
        ("ipa/isign-NotAnApp.ipa", "error: no Payload/*.app bundle in the archive (top level: NotAnApp.txt)\n"),
        ("ipa/fastlane-no-app-bundle.ipa", "error: no Payload/*.app bundle in the archive (top level: Payload)\n"),
    ])
    func noBundle(path: String, message: String) throws {
        let result = try ProcessRunner.appseal(["inspect", Fixtures.url(path).path])
        #expect(result.status == 3)
        #expect(result.stderr == message)
        #expect(result.stdout.isEmpty)
    }

    @Test("a file that is not a ZIP exits 3 saying so")
    func notAZip() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.path("plain.ipa")
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: path))
        let result = try ProcessRunner.appseal(["inspect", path])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("error: not a readable ZIP archive: "))
    }
}

import Foundation
import Testing
import TestSupport
@testable import ApplePackage

/// Copies of a signed fixture changed the way an attacker or a careless tool would, rewritten
/// by Python's zipfile so the ZIP itself stays valid; inspect must name each change.
@Suite("Tampered IPAs are reported", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct TamperedIPATests {
    static let source = "ipa/very-capable-app.ipa"
    static let root = "Payload/very-capable-app.app/"
    /// Before the fixture's profile expired, so only the tampering shows.
    static let then = Date(timeIntervalSince1970: 1_530_000_000)

    struct Change: Encodable {
        var replace: [String: String] = [:]
        var delete: [String] = []
        var patch: [String: [[Int]]] = [:]
        var replaceBytes: [String: [String]] = [:]
    }

    static func tampered(_ change: Change, in scratch: TemporaryDirectory, from source: String = source) throws -> String {
        let output = scratch.path("tampered.ipa")
        let script = """
        import base64, json, sys, zipfile
        change = json.loads(sys.argv[3])
        src = zipfile.ZipFile(sys.argv[1])
        with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename in change["delete"] or info.filename in change["replace"]: continue
                data = src.read(info.filename)
                if info.filename in change["patch"]:
                    data = bytearray(data)
                    for offset, value in change["patch"][info.filename]: data[offset] = value
                    data = bytes(data)
                if info.filename in change["replaceBytes"]:
                    old, new = change["replaceBytes"][info.filename]
                    data = data.replace(old.encode(), new.encode(), 1)
                dst.writestr(info, data)
            for name, text in change["replace"].items():
                dst.writestr(name, base64.b64decode(text))
        """
        let json = String(decoding: try JSONEncoder().encode(change), as: UTF8.self)
        let result = try ProcessRunner.run("python3", ["-c", script, Fixtures.url(source).path, output, json])
        try #require(result.succeeded, "\(result.stderr)")
        return output
    }

    @Test("the untouched copy is clean, so every finding below comes from its change")
    func untouched() throws {
        let scratch = try TemporaryDirectory()
        let inspection = try IPAInspector.inspect(path: try Self.tampered(Change(), in: scratch), now: Self.then)
        #expect(inspection.problems == [])
    }

    @Test("a modified resource is reported as differing from the seal")
    func modifiedResource() throws {
        let scratch = try TemporaryDirectory()
        let change = Change(patch: [Self.root + "Base.lproj/Main.storyboardc/Info.plist": [[10, 0x41]]])
        let inspection = try IPAInspector.inspect(path: try Self.tampered(change, in: scratch), now: Self.then)
        #expect(inspection.seal?.modified == ["Base.lproj/Main.storyboardc/Info.plist"])
        #expect(inspection.problems == ["1 file(s) differ from the CodeResources seal: Base.lproj/Main.storyboardc/Info.plist"])
    }

    @Test("an added file is unsealed and a deleted one is missing")
    func addedAndDeleted() throws {
        let scratch = try TemporaryDirectory()
        var change = Change()
        change.replace[Self.root + "payload.js"] = Data("alert(1)".utf8).base64EncodedString()
        change.delete = [Self.root + "embedded.mobileprovision"]
        let inspection = try IPAInspector.inspect(path: try Self.tampered(change, in: scratch), now: Self.then)
        #expect(inspection.seal?.unsealed == ["payload.js"])
        #expect(inspection.seal?.missing == ["embedded.mobileprovision"])
        #expect(inspection.problems.contains("1 file(s) are not in the CodeResources seal: payload.js"))
        #expect(inspection.problems.contains("1 sealed file(s) are missing from the bundle: embedded.mobileprovision"))
        #expect(inspection.problems.contains { $0.hasPrefix("no embedded.mobileprovision") })
    }

    @Test("a file name with terminal escape codes is escaped in the text report")
    func escapeCodesInNames() throws {
        let scratch = try TemporaryDirectory()
        var change = Change()
        change.replace[Self.root + "evil\u{1b}[2J.txt"] = Data("x".utf8).base64EncodedString()
        let inspection = try IPAInspector.inspect(path: try Self.tampered(change, in: scratch), now: Self.then)
        #expect(inspection.seal?.unsealed == ["evil\u{1b}[2J.txt"])
        let text = inspection.renderText()
        #expect(!text.contains("\u{1b}"))
        #expect(text.contains("evil\\u{1b}[2J.txt"))
    }

    @Test("an edited Info.plist no longer matches CodeDirectory slot 1")
    func editedInfoPlist() throws {
        let scratch = try TemporaryDirectory()
        let change = Change(replaceBytes: [Self.root + "Info.plist": ["org.fastlane.very-capable-app", "org.fastlane.very-capable-apq"]])
        let inspection = try IPAInspector.inspect(path: try Self.tampered(change, in: scratch), now: Self.then)
        #expect(inspection.info?.bundleIdentifier == "org.fastlane.very-capable-apq")
        #expect(inspection.infoPlistBound == false)
        #expect(inspection.problems.contains("Info.plist differs from the hash in the executable's CodeDirectory: it was edited after signing"))
        #expect(inspection.problems.contains("the profile's application-identifier TestFixture.org.fastlane.very-capable-app does not cover bundle id org.fastlane.very-capable-apq"))
    }

    @Test("cryptid set to 1 is reported as an encrypted binary, and the changed page as modified code")
    func encryptedBinary() throws {
        let executable = Self.root + "very-capable-app"
        let original = try IPAInspector.inspect(path: Fixtures.url(Self.source).path)
        let slice = try #require(original.mainExecutable?.slices.first)
        let command = try #require(slice.loadCommands.first { $0.name == "LC_ENCRYPTION_INFO_64" })
        let scratch = try TemporaryDirectory()
        let change = Change(patch: [executable: [[command.offset + 16, 1]]])
        let inspection = try IPAInspector.inspect(path: try Self.tampered(change, in: scratch), now: Self.then)
        #expect(inspection.mainExecutable?.isEncrypted == true)
        #expect(inspection.problems.contains { $0.hasPrefix("very-capable-app is FairPlay-encrypted (cryptid 1 in arm64)") })
        #expect(inspection.problems.contains("very-capable-app (arm64): 1 code page(s) differ from the sha1 CodeDirectory: the binary was modified after signing"))
        #expect(inspection.problems.contains("very-capable-app (arm64): 1 code page(s) differ from the sha256 CodeDirectory: the binary was modified after signing"))
    }

    @Test("another team's profile: team, certificate and seal mismatches are all named")
    func foreignProfile() throws {
        let scratch = try TemporaryDirectory()
        var change = Change()
        let root = "Payload/UnDebuggable.app/"
        change.replace[root + "embedded.mobileprovision"] = try Fixtures.data("other/mobileprovision/isign-test.mobileprovision").base64EncodedString()
        let inspection = try IPAInspector.inspect(path: try Self.tampered(change, in: scratch, from: "ipa/UnCrackable-Level1-UnDebuggable.ipa"),
                                                  now: Date(timeIntervalSince1970: 1_480_000_000))
        #expect(inspection.profile?.name == "RDC-Dev")
        #expect(inspection.problems.contains("the executable is signed by team LRUD9L355Y but the profile is for team ISIGNTESTS"))
        #expect(inspection.problems.contains { $0.hasPrefix("the signing certificate 'UID = ANTWVDV6XE, CN = iPhone Developer: Bernhard Müller (RV852WND79)") && $0.hasSuffix("is not one of the profile's developer certificates") })
        #expect(inspection.problems.contains("1 file(s) differ from the CodeResources seal: embedded.mobileprovision"))
        // ISIGNTESTS.* is a wildcard app id, so the bundle id itself is covered.
        #expect(!inspection.problems.contains { $0.contains("does not cover bundle id") })
    }

    @Test("two app bundles in Payload/ are refused")
    func twoBundles() throws {
        let scratch = try TemporaryDirectory()
        var change = Change()
        change.replace["Payload/Second.app/Info.plist"] = Data("<plist><dict/></plist>".utf8).base64EncodedString()
        #expect(throws: ApplePackageError.appBundle(reason: "several app bundles in Payload/ (Payload/Second.app, Payload/very-capable-app.app); an .ipa holds exactly one")) {
            try IPAInspector.inspect(path: try Self.tampered(change, in: scratch))
        }
    }
}

import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("Property lists and provisioning profiles against plistlib and openssl",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct PropertyListTests {
    static let plists = Fixtures.files(under: "plist").map(Fixtures.relativePath)

    /// Files plistlib and Foundation judge differently, and why that is acceptable.
    static let knownDifferences: [String: String] = [
        // plistlib follows the self-reference; Foundation refuses the cycle, which is what we want.
        "plist/rust-plist-binary_circular_array.plist": "Foundation rejects",
        // NSKeyedArchiver UIDs have no JSON form to compare; both readers accept the file.
        "plist/rust-plist-binary_NSKeyedArchiver.plist": "not comparable",
    ]

    /// plistlib's reading of every plist fixture, from one Python run shared by the test cases.
    static let plistlibReadings: [String: PropertyListValue?] = {
        guard let inputs = try? plists.map({ try Fixtures.data($0) }),
              let readings = try? IndependentReaders.plistlib(inputs) else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(plists, readings))
    }()

    @Test("each plist fixture is read exactly when plistlib reads it, with the same values", arguments: plists)
    func agreesWithPlistlib(path: String) throws {
        let bytes = try Fixtures.data(path)
        let python = try #require(Self.plistlibReadings[path], "plistlib did not run")
        let ours = Result { () throws(ApplePackageError) in try PropertyList.read([UInt8](bytes)) }
        switch Self.knownDifferences[path] {
        case "Foundation rejects":
            #expect(python != nil)
            #expect(throws: ApplePackageError.self) { try ours.get() }
        case "not comparable":
            #expect(python != nil)
            _ = try ours.get()
        default:
            if let python {
                #expect(try IndependentReaders.viaJSON(try ours.get()) == python)
            } else {
                #expect(throws: ApplePackageError.self) { try ours.get() }
            }
        }
    }

    @Test("a malformed binary plist is refused with a reason, not a crash")
    func malformedMessage() throws {
        let bytes = [UInt8](try Fixtures.data("plist/rust-plist-binary_zero_offset_size.plist"))
        do {
            _ = try PropertyList.read(bytes)
            Issue.record("accepted a plist with a zero offset size")
        } catch {
            #expect(error.description.hasPrefix("invalid property list: not a readable binary property list"))
        }
    }

    @Test("an array that is not a dictionary is refused where a dictionary is needed")
    func topLevelMustBeDictionary() throws {
        let bytes = [UInt8](try Fixtures.data("plist/rust-plist-binary.plist"))
        #expect(try PropertyList.read(bytes).dictionary != nil)
        let array = Array(#"<?xml version="1.0"?><plist version="1.0"><array><string>a</string></array></plist>"#.utf8)
        #expect(throws: ApplePackageError.invalidPropertyList(reason: "the top level is not a dictionary")) {
            try PropertyList.readDictionary(array)
        }
    }

    @Test("signed profiles agree with openssl cms -verify -noverify and plistlib", arguments: [
        ("other/mobileprovision/fastlane-test.mobileprovision", ProvisioningProfile.Kind.appStore),
        ("other/mobileprovision/isign-test.mobileprovision", .development),
    ])
    func signedProfile(path: String, kind: ProvisioningProfile.Kind) throws {
        let profile = try ProvisioningProfile(bytes: [UInt8](try Fixtures.data(path)))
        let verified = try ProcessRunner.run("openssl", ["cms", "-verify", "-noverify", "-inform", "DER", "-in", Fixtures.url(path).path])
        try #require(verified.succeeded, "\(verified.stderr)")
        // openssl checked the signature over exactly the content this reader extracted.
        #expect(profile.envelope.content == [UInt8](verified.stdoutData))
        let plist = try #require(try IndependentReaders.plistlib(verified.stdoutData))
        #expect(profile.name == plist["Name"]?.string)
        #expect(profile.teamIdentifiers == plist["TeamIdentifier"]?.strings)
        #expect(profile.deviceCount == (plist["ProvisionedDevices"]?.array?.count ?? 0))
        #expect(profile.expirationDate.map(ISO8601DateFormatter().string) == plist["ExpirationDate"]?.string)
        #expect(try IndependentReaders.viaJSON(profile.entitlements) == plist["Entitlements"])
        #expect(profile.kind == kind)
        #expect(profile.contentDigestMatches == true)
        #expect(profile.signature.verified, "\(profile.signature.reason ?? "")")
        #expect(profile.developerCertificates.count == plist["DeveloperCertificates"]?.array?.count)
        let printed = try ProcessRunner.run("openssl", ["pkcs7", "-inform", "DER", "-in", Fixtures.url(path).path, "-print_certs", "-noout"])
        let subjects = printed.stdout.split(separator: "\n").filter { $0.hasPrefix("subject=") }.map { String($0.dropFirst(8)) }
        #expect(profile.envelope.certificates.map(\.subject) == subjects)
        #expect(profile.isExpired(at: Date()))
    }

    @Test("a bare XML profile without the CMS envelope is refused at offset 0")
    func unsignedProfile() throws {
        let bytes = [UInt8](try Fixtures.data("other/mobileprovision/fastlane-spaceship-downloaded_provisioning_profile-unsigned-xml.mobileprovision"))
        do {
            _ = try ProvisioningProfile(bytes: bytes)
            Issue.record("accepted a profile without a CMS envelope")
        } catch {
            #expect(error.offset == 0)
            #expect(error.description.contains("provisioning profile CMS envelope"))
        }
    }

    @Test("a profile whose plist was altered inside the envelope is caught by the messageDigest")
    func alteredProfile() throws {
        var bytes = [UInt8](try Fixtures.data("other/mobileprovision/isign-test.mobileprovision"))
        let marker = Array("RDC-Dev".utf8)
        let index = try #require(bytes.indices.first { bytes[$0..<min($0 + marker.count, bytes.count)].elementsEqual(marker) })
        bytes[index] = UInt8(ascii: "X")
        let profile = try ProvisioningProfile(bytes: bytes)
        #expect(profile.name == "XDC-Dev")
        #expect(profile.contentDigestMatches == false)
        #expect(!profile.signature.verified)
    }
}

import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("IPA inspection against plistlib, openssl and hashlib",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct IPAInspectionTests {
    static let ipas = Fixtures.files(under: "ipa", extensions: ["ipa"]).map(Fixtures.relativePath)

    /// What each fixture must give: a bundle, or the start of the error that names the problem.
    static let outcomes: [String: String] = [
        "ipa/UnCrackable-Level1-UnDebuggable.ipa": "Payload/UnDebuggable.app",
        "ipa/com.fake.IpaApp_1000000000001.ipa": "Payload/IpaApp.app",
        "ipa/fastlane-iOSAppOnly.ipa": "error: no Payload/*.app at the top of the archive: found iOSAppOnly/Payload/Sample.app",
        "ipa/fastlane-no-app-bundle.ipa": "error: no Payload/*.app bundle in the archive (top level: Payload)",
        "ipa/fastlane-with_swift_twice.ipa": "Payload/Client.app",
        "ipa/isign-NotAnApp.ipa": "error: no Payload/*.app bundle in the archive (top level: NotAnApp.txt)",
        "ipa/mobsf-helloworld-armv7.ipa": "Payload/helloworld.app",
        "ipa/very-capable-app.ipa": "Payload/very-capable-app.app",
    ]

    @Test("every IPA fixture is inspected or refused with a clear reason", arguments: ipas)
    func everyFixture(path: String) throws {
        let expected = try #require(Self.outcomes[path], "no expected outcome for \(path)")
        do {
            let inspection = try IPAInspector.inspect(path: Fixtures.url(path).path)
            #expect(inspection.bundlePath == expected)
            #expect(!inspection.renderText().isEmpty)
        } catch {
            #expect("error: \(error)".hasPrefix(expected), "\(error)")
        }
    }

    /// Info.plist and embedded.mobileprovision of each IPA, read by Python's zipfile + plistlib and openssl.
    static func pythonView(of ipa: String, scratch: TemporaryDirectory) throws -> PropertyListValue {
        let script = """
        import base64, datetime, hashlib, json, plistlib, subprocess, sys, zipfile
        def norm(v):
            if isinstance(v, bytes): return base64.b64encode(v).decode()
            if isinstance(v, datetime.datetime): return v.strftime("%Y-%m-%dT%H:%M:%SZ")
            if isinstance(v, dict): return {k: norm(x) for k, x in v.items()}
            if isinstance(v, list): return [norm(x) for x in v]
            return v
        z = zipfile.ZipFile(sys.argv[1])
        app = sorted({n.split("/")[1] for n in z.namelist() if n.startswith("Payload/") and n.split("/")[1].endswith(".app")})[0]
        root = "Payload/" + app + "/"
        out = {"info": norm(plistlib.loads(z.read(root + "Info.plist")))}
        if root + "embedded.mobileprovision" in z.namelist():
            raw = sys.argv[2] + "/profile.der"
            open(raw, "wb").write(z.read(root + "embedded.mobileprovision"))
            content = subprocess.run(["openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in", raw], capture_output=True, check=True).stdout
            out["profile"] = norm(plistlib.loads(content))
            certs = subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-in", raw, "-print_certs", "-noout"], capture_output=True, check=True).stdout.decode()
            out["envelopeSubjects"] = [l[8:] for l in certs.splitlines() if l.startswith("subject=")]
            subjects = []
            for cert in out["profile"].get("DeveloperCertificates", []):
                der = base64.b64decode(cert)
                s = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject", "-nameopt", "utf8,esc_2253,use_quote,sep_comma_plus_space,space_eq,sname"], input=der, capture_output=True, check=True).stdout.decode().strip()
                subjects.append({"subject": s[8:], "sha256": hashlib.sha256(der).hexdigest()})
            out["developerCertificates"] = subjects
        if root + "_CodeSignature/CodeResources" in z.namelist():
            seal = plistlib.loads(z.read(root + "_CodeSignature/CodeResources"))
            files = seal.get("files2") or seal.get("files")
            verified, modified = 0, []
            for name, entry in files.items():
                if isinstance(entry, dict) and ("cdhash" in entry or "symlink" in entry): continue
                if root + name not in z.namelist(): continue
                data = z.read(root + name)
                if isinstance(entry, dict) and "hash2" in entry:
                    ok = hashlib.sha256(data).digest() == entry["hash2"]
                else:
                    ok = hashlib.sha1(data).digest() == (entry["hash"] if isinstance(entry, dict) else entry)
                if ok: verified += 1
                else: modified.append(name)
            out["seal"] = {"count": len(files), "verified": verified, "modified": modified}
        print(json.dumps(out))
        """
        let result = try ProcessRunner.run("python3", ["-c", script, Fixtures.url(ipa).path, scratch.url.path])
        try #require(result.succeeded, "\(result.stderr)")
        return try JSONDecoder().decode(PropertyListValue.self, from: result.stdoutData)
    }

    static let realApps = ["ipa/UnCrackable-Level1-UnDebuggable.ipa", "ipa/mobsf-helloworld-armv7.ipa", "ipa/very-capable-app.ipa",
                           "ipa/com.fake.IpaApp_1000000000001.ipa"]

    @Test("Info.plist, profile, envelope and seal agree with plistlib, openssl cms/pkcs7 and hashlib", arguments: realApps)
    func agreesWithPython(path: String) throws {
        let scratch = try TemporaryDirectory()
        let python = try Self.pythonView(of: path, scratch: scratch)
        let inspection = try IPAInspector.inspect(path: Fixtures.url(path).path)
        let info = try #require(inspection.info)
        let plist = try #require(python["info"])
        #expect(info.bundleIdentifier == plist["CFBundleIdentifier"]?.string)
        #expect(info.displayName == (plist["CFBundleDisplayName"] ?? plist["CFBundleName"])?.string)
        #expect(info.shortVersion == plist["CFBundleShortVersionString"]?.string)
        #expect(info.buildVersion == plist["CFBundleVersion"]?.string)
        #expect(info.minimumOSVersion == plist["MinimumOSVersion"]?.string)
        #expect(info.executable == plist["CFBundleExecutable"]?.string)
        #expect(info.deviceFamilies.count == (plist["UIDeviceFamily"]?.array?.count ?? 0))
        #expect(info.urlSchemes == (plist["CFBundleURLTypes"]?.array ?? []).flatMap { $0["CFBundleURLSchemes"]?.strings ?? [] })

        if let expected = python["profile"] {
            let profile = try #require(inspection.profile)
            #expect(profile.name == expected["Name"]?.string)
            #expect(profile.teamIdentifiers == expected["TeamIdentifier"]?.strings)
            #expect(profile.applicationIdentifier == expected["Entitlements"]?["application-identifier"]?.string)
            #expect(profile.creationDate.map(ISO8601DateFormatter().string) == expected["CreationDate"]?.string)
            #expect(profile.expirationDate.map(ISO8601DateFormatter().string) == expected["ExpirationDate"]?.string)
            #expect(profile.deviceCount == (expected["ProvisionedDevices"]?.array?.count ?? 0))
            #expect(try IndependentReaders.viaJSON(profile.entitlements) == expected["Entitlements"])
            #expect(profile.envelope.certificates.map(\.subject) == python["envelopeSubjects"]?.strings)
            let developers = python["developerCertificates"]?.array ?? []
            #expect(profile.developerCertificates.map(\.subject) == developers.compactMap { $0["subject"]?.string })
            #expect(profile.developerCertificates.map(\.sha256) == developers.compactMap { $0["sha256"]?.string })
            #expect(profile.contentDigestMatches == true)
        } else {
            #expect(inspection.profile == nil)
        }

        if let expected = python["seal"] {
            let seal = try #require(inspection.seal)
            #expect(Int64(seal.sealedCount) == expected["count"]?.integer)
            #expect(Int64(seal.verifiedCount) == expected["verified"]?.integer)
            #expect(seal.modified == expected["modified"]?.strings)
            #expect(seal.isIntact)
        } else {
            #expect(inspection.seal == nil)
        }
    }

    @Test("the signed fixtures are intact: pages, seal, Info.plist and CodeResources bound", arguments: [
        "ipa/UnCrackable-Level1-UnDebuggable.ipa", "ipa/mobsf-helloworld-armv7.ipa", "ipa/very-capable-app.ipa",
    ])
    func intactSignatures(path: String) throws {
        let inspection = try IPAInspector.inspect(path: Fixtures.url(path).path, now: Date(timeIntervalSince1970: 1_300_000_000))
        #expect(inspection.infoPlistBound == true)
        #expect(inspection.resourcesBound == true)
        #expect(inspection.seal?.isIntact == true)
        let main = try #require(inspection.mainExecutable)
        #expect(main.isSigned && !main.isEncrypted)
        // In 2011 none of these profiles had expired yet, so only real findings would remain (helloworld's profile dates from 2012).
        #expect(inspection.problems.filter { !$0.contains("expired") } == [])
    }

    @Test("profile kinds, expiry and coverage", arguments: [
        ("ipa/UnCrackable-Level1-UnDebuggable.ipa", ProvisioningProfile.Kind.development, 12),
        ("ipa/mobsf-helloworld-armv7.ipa", .enterprise, 0),
        ("ipa/very-capable-app.ipa", .development, 1),
    ])
    func profileKinds(path: String, kind: ProvisioningProfile.Kind, devices: Int) throws {
        let inspection = try IPAInspector.inspect(path: Fixtures.url(path).path)
        let profile = try #require(inspection.profile)
        #expect(profile.kind == kind)
        #expect(profile.deviceCount == devices)
        #expect(profile.covers(bundleIdentifier: try #require(inspection.info?.bundleIdentifier)))
        #expect(!profile.covers(bundleIdentifier: "com.example.other"))
        #expect(inspection.problems.contains { $0.hasPrefix("the provisioning profile") && $0.contains("expired on") })
    }
}

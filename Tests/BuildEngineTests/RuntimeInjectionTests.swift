import AndroidPackage
import ArchiveKit
import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// Apps derived from fixtures for the Runtime stage's refusals; written into the test's own folder.
enum RuntimeTestApps {
    /// A copy of `fixture` without its JAR signature files, with `manifest` edited and entries added.
    static func derive(_ fixture: String, into folder: TemporaryDirectory, name: String,
                       editManifest: (inout BinaryXMLDocument) throws -> Void = { _ in },
                       adding additions: [(String, [UInt8])] = []) throws -> String {
        let source = try ZipArchive(path: Fixtures.url(fixture).path)
        let manifestEntry = try #require(source.entry(named: "AndroidManifest.xml"))
        var document = try BinaryXMLDocument(bytes: try source.readData(manifestEntry))
        try editManifest(&document)
        let path = folder.path(name)
        let writer = try ZipWriter(destination: path)
        for entry in source.entries where !entry.name.hasPrefix("META-INF/") {
            if entry.name == "AndroidManifest.xml" {
                try writer.add(name: entry.name, data: document.encoded(), method: .deflated(level: 6))
            } else {
                try writer.copyRaw(entry, from: source)
            }
        }
        for (entryName, data) in additions {
            try writer.add(name: entryName, data: data, method: .deflated(level: 6))
        }
        try writer.finish()
        return path
    }

    static func dex(of fixture: String, _ name: String = "classes.dex") throws -> [UInt8] {
        [UInt8](try ZipArchiveData.entry(name, of: Fixtures.url(fixture).path))
    }
}

@Suite("Runtime stage: the Android runtime injected into secured builds",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct RuntimeInjectionTests {
    /// (fixture, DEX files it has, the name the runtime's DEX must get)
    static let apps: [(String, Int)] = [("apk/apps/hello-world.apk", 1), ("apk/apps/apktool-issue3533.apk", 3)]

    @Test(arguments: apps)
    func runtimeDEXAndProviderAreAddedAndTheAppsOwnDEXIsUntouched(app: String, dexCount: Int) throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates:hosts=api.example.com",
                                                             "block-cleartext-traffic"])
        let input = Fixtures.url(app).path
        let result = try fixture.appseal(["build", input, "--fusion-set", setID, "--debug-sign", "--json-events"])
        try BuildFixture.require(result)
        let events = BuildFixture.events(result)
        let finished = try #require(events.last)
        let output = try #require(finished["output"] as? String)
        let buildID = try #require(finished["build"] as? String)
        let runtimeDEX = "classes\(dexCount + 1).dex"

        let apksigner = try ProcessRunner.run("apksigner", ["verify", output])
        #expect(apksigner.status == 0, "\(apksigner.combined)")

        let listing = try ProcessRunner.run("aapt", ["list", output])
        let names = listing.stdout.split(separator: "\n").map(String.init)
        let dexNames = names.filter { RuntimeInjection.dexNumber($0) != nil }.sorted()
        #expect(dexNames == ((1...(dexCount + 1)).map(RuntimeInjection.dexName)).sorted(), "\(dexNames)")

        // aapt reads the edited manifest: our provider with its attributes, and Patch's cleartext edit kept.
        let xmltree = try ProcessRunner.run("aapt", ["dump", "xmltree", output, "AndroidManifest.xml"])
        #expect(xmltree.status == 0, "\(xmltree.combined)")
        let appID = try #require(try fixture.record(buildID)["appID"] as? String)
        let tree = xmltree.stdout
        let providerStart = try #require(tree.range(of: "A: android:name(0x01010003)=\"\(AndroidRuntime.providerClass)\""))
        let providerText = String(tree[providerStart.lowerBound...].prefix(600))
        #expect(providerText.contains("A: android:exported(0x01010010)=(type 0x12)0x0"), "\(providerText)")
        #expect(providerText.contains("A: android:authorities(0x01010018)=\"\(appID).appseal-runtime\""), "\(providerText)")
        #expect(providerText.contains("A: android:initOrder(0x0101001a)=(type 0x10)0x7fffffff"), "\(providerText)")
        #expect(tree.contains("A: android:usesCleartextTraffic(0x010104ec)=(type 0x12)0x0"))
        let providerLine = try #require(tree[..<providerStart.lowerBound].split(separator: "\n")
            .last { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        #expect(providerLine.contains("E: provider"), "the attributes belong to a <provider>: \(providerLine)")

        // The added DEX is the assembled runtime and dexdump reads it; the app's own DEX files are the input's bytes.
        let scratch = try TemporaryDirectory()
        let added = try ZipArchiveData.entry(runtimeDEX, of: output)
        #expect([UInt8](added) == (try AndroidRuntime.assembleDEX()))
        try added.write(to: scratch.url.appendingPathComponent(runtimeDEX))
        let dexdump = try ProcessRunner.run("dexdump", [scratch.path(runtimeDEX)])
        #expect(dexdump.status == 0, "\(dexdump.combined)")
        #expect(dexdump.stdout.contains("Class descriptor  : 'Lio/appseal/runtime/v1/AppsealProvider;'"))
        #expect(!dexdump.combined.contains("ERROR"), "\(dexdump.combined)")
        for number in 1...dexCount {
            let name = RuntimeInjection.dexName(number)
            #expect(try ZipArchiveData.entry(name, of: output) == ZipArchiveData.entry(name, of: input), "\(name) changed")
        }

        // The log and the report say what was injected; the old "not injected yet" warning is gone.
        let runtimeLog = events.filter { $0["event"] as? String == "log" && $0["stage"] as? String == "runtime" }
        let message = try #require(runtimeLog.first?["message"] as? String)
        #expect(message.hasPrefix("added \(runtimeDEX) (\(added.count) bytes, DEX 035"), "\(message)")
        #expect(message.contains("android:authorities=\"\(appID).appseal-runtime\""))
        #expect(!result.stdout.contains("no runtime loader"))
        let reportURL = URL(fileURLWithPath: "\(fixture.workspace)/builds/\(buildID)/report.json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reportURL)) as? [String: Any])
        let verification = try #require(report["verification"] as? [[String: Any]])
        for check in ["runtime provider", "runtime DEX", "app DEX files"] {
            let found = try #require(verification.first { $0["check"] as? String == check }, "\(check) missing")
            #expect(found["passed"] as? Bool == true, "\(found)")
        }
        #expect((report["runtime"] as? String)?.hasPrefix("appseal Android runtime injected: \(runtimeDEX)") == true)
        let features = (report["features"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(features == [FeatureID.mobileClientCertificates, FeatureID.blockCleartextTraffic])
    }

    @Test func pinsTLSMinimumAndDomainsAreSealedIntoTheRuntimeConfiguration() throws {
        let fixture = try BuildFixture()
        let pinA = "sha256/" + Data(repeating: 0xA1, count: 32).base64EncodedString()
        let pinB = "sha256/" + Data(repeating: 0xB2, count: 32).base64EncodedString()
        let setID = try fixture.createSet("pinned", features: [
            "mobile-client-certificates", "certificate-pinning:scheme=leaf,pins=api.example.com=\(pinA)|\(pinB)",
            "trusted-domains:domains=api.example.com|*.example.org", "enforce-minimum-tls-version:version=1.3",
        ])
        let result = try fixture.appseal(["build", Fixtures.url("apk/apps/apktool-issue636.apk").path, "--fusion-set", setID,
                                          "--debug-sign", "--json-events"])
        try BuildFixture.require(result)
        let output = try #require(BuildFixture.events(result).last?["output"] as? String)
        let apksigner = try ProcessRunner.run("apksigner", ["verify", "--print-certs", output])
        let digestLine = try #require(apksigner.stdout.split(separator: "\n").first { $0.contains("certificate SHA-256 digest:") })
        let signer = try #require(Data(hexString: String(digestLine.split(separator: " ").last!)))
        let payload = try SealedBlob.open(try ZipArchiveData.entry(SealedBlob.assetPath, of: output), signerCertificateSHA256: [signer])
        #expect(payload.configuration.pins == ["api.example.com": [pinA, pinB]])
        #expect(payload.configuration.pinScheme == "leaf")
        #expect(payload.configuration.tlsMinimum == "1.3")
        #expect(payload.configuration.hosts == ["api.example.com", "*.example.org"])
        #expect(Set(payload.configuration.features) == [FeatureID.mobileClientCertificates, FeatureID.certificatePinning,
                                                        FeatureID.trustedDomains, FeatureID.enforceMinimumTLSVersion])
        let buildID = try #require(BuildFixture.events(result).last?["build"] as? String)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(fixture.workspace)/builds/\(buildID)/report.json"))) as? [String: Any])
        let features = (report["features"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(features == [FeatureID.mobileClientCertificates, FeatureID.certificatePinning, FeatureID.trustedDomains,
                             FeatureID.enforceMinimumTLSVersion])
    }

    @Test func aSetWithoutCertificatesInjectsNothingEvenIntoAnOldApp() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("cleartext", features: ["block-cleartext-traffic"])
        let input = Fixtures.url("apk/apps/TestActivity.apk").path  // minSdk 9
        let result = try fixture.appseal(["build", input, "--fusion-set", setID, "--debug-sign", "--json-events"])
        try BuildFixture.require(result)
        let output = try #require(BuildFixture.events(result).last?["output"] as? String)
        let names = try ZipArchive(path: output).entries.map(\.name)
        #expect(names.filter { $0.hasSuffix(".dex") } == ["classes.dex"])
        let xmltree = try ProcessRunner.run("aapt", ["dump", "xmltree", output, "AndroidManifest.xml"])
        #expect(!xmltree.stdout.contains(AndroidRuntime.providerClass))
        let skipped = BuildFixture.events(result).first { $0["event"] as? String == "stage-finished" && $0["stage"] as? String == "runtime" }
        #expect(skipped?["outcome"] as? String == "skipped")
    }

    // MARK: Validate refuses what the runtime cannot be injected into

    func expectValidateRefuses(_ app: String, features: [String] = ["mobile-client-certificates"], _ message: String,
                               fixture: BuildFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let setID = try fixture.createSet("set-\(UUID().uuidString.prefix(8))", features: features)
        let result = try fixture.appseal(["build", app, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 3, "\(result.combined)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("failed in validate: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func minSdkBelow21IsRefusedNamingTheMinSdk() throws {
        let fixture = try BuildFixture()
        let app = try RuntimeTestApps.derive("apk/apps/hello-world.apk", into: fixture.folder, name: "minsdk20.apk") { document in
            try document.setAttribute(on: ["manifest", "uses-sdk"], .android(AndroidAttribute.minSdkVersion, .intDecimal(20)))
        }
        try expectValidateRefuses(app, "the app declares minSdk 20, and the appseal runtime that presents the client "
            + "certificate needs minSdk 21 (Android 5.0) or later", fixture: fixture)
        try expectValidateRefuses(Fixtures.url("apk/apps/UnCrackable-Level1.apk").path, "the app declares minSdk 19,", fixture: fixture)
    }

    @Test func anAlreadySecuredInputIsRefused() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let first = try fixture.appseal(["build", Fixtures.url("apk/apps/hello-world.apk").path, "--fusion-set", setID,
                                         "--debug-sign", "--out", fixture.folder.path("secured.apk")])
        try BuildFixture.require(first)
        let again = try fixture.appseal(["build", fixture.folder.path("secured.apk"), "--fusion-set", setID, "--debug-sign"])
        #expect(again.status == 3)
        #expect(again.stderr.contains("is already secured by appseal (it carries assets/appseal/sealed.bin and the manifest's "
            + "<provider android:name=\"\(AndroidRuntime.providerClass)\">); build from the original app"), "\(again.stderr)")
        // Even a set that needs no runtime refuses it, and so does an input carrying only our provider.
        let cleartext = try fixture.createSet("cleartext", features: ["block-cleartext-traffic"])
        let onlyCleartext = try fixture.appseal(["build", fixture.folder.path("secured.apk"), "--fusion-set", cleartext, "--debug-sign"])
        #expect(onlyCleartext.status == 3)
        #expect(onlyCleartext.stderr.contains("already secured by appseal"))
        let providerOnly = try RuntimeTestApps.derive("apk/apps/hello-world.apk", into: fixture.folder, name: "provider.apk") { document in
            try document.appendChild(to: ["manifest", "application"], RuntimeInjection.providerElement(authority: "x.appseal-runtime"))
        }
        try expectValidateRefuses(providerOnly, "already secured by appseal (it carries the manifest's <provider", fixture: fixture)
    }

    @Test func dexGapsAndMissingClassesDexAreRefused() throws {
        let fixture = try BuildFixture()
        let dex = try RuntimeTestApps.dex(of: "apk/apps/hello-world.apk")
        let gap = try RuntimeTestApps.derive("apk/apps/hello-world.apk", into: fixture.folder, name: "gap.apk",
                                             adding: [("classes3.dex", dex)])
        try expectValidateRefuses(gap, "the app has classes3.dex but no classes2.dex: Android stops loading DEX files at the "
            + "first gap", fixture: fixture)
        try expectValidateRefuses(Fixtures.url("apk/apksig/v2-only-missing-classes.dex.apk").path,
                                  "the app has no classes.dex", fixture: fixture)
        let noCode = try RuntimeTestApps.derive("apk/apps/hello-world.apk", into: fixture.folder, name: "nocode.apk") { document in
            try document.setAttribute(on: ["manifest", "application"], resourceID: RuntimeInjection.hasCodeAttribute,
                                      name: "hasCode", value: .boolean(false))
        }
        try expectValidateRefuses(noCode, "the app declares <application android:hasCode=\"false\">", fixture: fixture)
    }

    @Test func aProviderWithOtherAttributesIsNotTakenForOurs() throws {
        let manifest = [UInt8](try ZipArchiveData.entry("AndroidManifest.xml", of: Fixtures.url("apk/apps/hello-world.apk").path))
        let authority = "de.rhab.helloworld.appseal-runtime"
        func provider(_ attributes: [NewAttribute]) throws -> BinaryXMLElement {
            var document = try BinaryXMLDocument(bytes: manifest)
            try document.appendChild(to: ["manifest", "application"], NewElement(name: "provider", attributes: attributes))
            return try #require(RuntimeInjection.runtimeProviders(in: try BinaryXMLDocument(bytes: document.encoded())).first)
        }
        let ours = RuntimeInjection.providerElement(authority: authority).attributes
        #expect(RuntimeInjection.mismatch(of: try provider(ours), authority: authority) == nil)
        var exported = ours
        exported[1] = .android(AndroidAttribute.exported, .boolean(true), name: "exported")
        #expect(RuntimeInjection.mismatch(of: try provider(exported), authority: authority) == "android:exported is true, not false")
        var late = ours
        late[3] = .android(AndroidAttribute.initOrder, .intDecimal(5), name: "initOrder")
        #expect(RuntimeInjection.mismatch(of: try provider(late), authority: authority) == "android:initOrder is 5, not 2147483647")
        #expect(RuntimeInjection.mismatch(of: try provider(ours), authority: "x.appseal-runtime")
            == "android:authorities is \(authority), not x.appseal-runtime")
        // Only the authority is ours: still recognised as an appseal provider (an input secured before).
        let foreignClass = [NewAttribute.android(AndroidAttribute.name, .string("com.example.Other"), name: "name"),
                            .android(AndroidAttribute.authorities, .string(authority), name: "authorities")]
        #expect(RuntimeInjection.mismatch(of: try provider(foreignClass), authority: authority) == "android:name is com.example.Other")
    }

    @Test func dexNumbersFollowAndroidsLoaderNames() {
        #expect(RuntimeInjection.dexNumber("classes.dex") == 1)
        #expect(RuntimeInjection.dexNumber("classes2.dex") == 2)
        #expect(RuntimeInjection.dexNumber("classes12.dex") == 12)
        for ignored in ["classes1.dex", "classes02.dex", "classes0.dex", "lib/classes2.dex", "classesX.dex", "classes2.jar"] {
            #expect(RuntimeInjection.dexNumber(ignored) == nil, "\(ignored)")
        }
        let planned = try? RuntimeInjection.plan(entryNames: ["classes.dex", "classes2.dex", "classes1.dex", "res/a.xml"]).get()
        #expect(planned?.original == ["classes.dex", "classes2.dex"])
        #expect(planned?.next == "classes3.dex")
    }

    @Test func aBundleIsRefusedSayingTheRuntimeNeedsAProtobufManifestEditor() throws {
        let fixture = try BuildFixture()
        try expectValidateRefuses(Fixtures.url("aab/install-time-permanent-modules.aab").path,
                                  "appseal has no protobuf manifest editor yet, so neither the runtime's <provider>", fixture: fixture)
    }

    @Test func stacksTheRuntimeCannotReachAreWarnedAbout() throws {
        let fixture = try BuildFixture()
        let libraries = ["lib/arm64-v8a/libflutter.so", "lib/arm64-v8a/libcronet.102.0.5005.125.so", "lib/armeabi-v7a/libssl.so",
                         "lib/x86/libcurl.so"]
        let app = try RuntimeTestApps.derive("apk/apps/hello-world.apk", into: fixture.folder, name: "native.apk", editManifest: { document in
            try document.appendChild(to: ["manifest", "application"], NewElement(name: "service", attributes: [
                .android(AndroidAttribute.name, .string("com.example.Sync"), name: "name"),
                .android(RuntimeInjection.processAttribute, .string(":sync"), name: "process"),
            ]))
        }, adding: libraries.map { ($0, [UInt8](repeating: 0x7f, count: 64)) })
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let result = try fixture.appseal(["build", app, "--fusion-set", setID, "--debug-sign", "--json-events"])
        try BuildFixture.require(result)
        let warnings = BuildFixture.events(result).filter {
            $0["event"] as? String == "log" && $0["stage"] as? String == "validate" && $0["level"] as? String == "warning"
        }.compactMap { $0["message"] as? String }
        for (name, evidence) in [("Flutter", libraries[0]), ("Cronet", libraries[1]), ("Native TLS library", libraries[2])] {
            let warning = try #require(warnings.first { $0.hasPrefix("\(name) (\(evidence)): ") }, "\(name): \(warnings)")
            #expect(warning.contains("will not present the client certificate or check pins"))
        }
        #expect(warnings.contains("the runtime starts in the app's main process only; connections made in "
            + "<service com.example.Sync android:process=\":sync\"> do not present the client certificate or check pins"),
            "\(warnings)")
    }

    @Test func detectorNamesCronetAndNativeTLSWithoutHidingTheJavaApp() {
        let frameworks = AndroidPackageInspector.frameworks(apkEntryNames: [
            "AndroidManifest.xml", "classes.dex", "lib/arm64-v8a/libcronet.so", "lib/x86_64/libboringssl.so",
            "lib/x86_64/libcrypto.so", "lib/arm64-v8a/libsslhelper.txt", "assets/libssl.so",
        ])
        #expect(frameworks.map(\.name) == ["Java (native Android)", "Cronet", "Native TLS library"])
        #expect(frameworks.first { $0.name == "Native TLS library" }?.evidence == "lib/x86_64/libboringssl.so")
    }
}

@Suite("Catalog: the runtime's features on Android")
struct RuntimeCatalogTests {
    @Test func pinningAndTLSMinimumAreAvailableOnAndroidAndNeedCertificates() throws {
        let result = try ProcessRunner.appseal(["fusion-set", "catalog", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        let features = try #require(object["features"] as? [[String: Any]])
        func feature(_ id: String) throws -> [String: Any] { try #require(features.first { $0["id"] as? String == id }) }
        for id in [FeatureID.certificatePinning, FeatureID.enforceMinimumTLSVersion] {
            let entry = try feature(id)
            #expect((entry["availability"] as? [String: String])?["android"] == "available")
            #expect(entry["requiresAnyOf"] as? [String] == [FeatureID.mobileClientCertificates])
            #expect((entry["requirementReason"] as? String)?.contains("sealed together with the client certificate") == true)
        }
        for id in RuntimeInjection.features {
            let entry = try feature(id)
            let description = try #require(entry["description"] as? String)
            for stack in ["Flutter's dart:io", "Cronet", "native TLS in NDK or Unity code"] {
                #expect(description.contains(stack), "\(id) description does not name \(stack)")
            }
            let android = try #require((entry["enforcement"] as? [String: [String: String]])?["android"])
            #expect(android["notEnforced"]?.contains("Flutter's dart:io") == true, "\(id)")
            #expect(android["notEnforced"]?.contains("runtime") == true, "\(id)")
        }
        let domains = try #require((try feature(FeatureID.trustedDomains)["enforcement"] as? [String: [String: String]])?["android"])
        #expect(domains["applied"]?.contains("offers the client certificate only in handshakes with these hosts") == true)
    }

    @Test func pinningAloneIsRefusedWithTheReason() throws {
        let folder = try TemporaryDirectory()
        let pin = "sha256/" + Data(repeating: 1, count: 32).base64EncodedString()
        let pin2 = "sha256/" + Data(repeating: 2, count: 32).base64EncodedString()
        let result = try ProcessRunner.appseal(["--workspace", folder.path("ws"), "fusion-set", "create", "--name", "pins",
                                                "--feature", "certificate-pinning:pins=api.example.com=\(pin)|\(pin2)"])
        #expect(result.status == 3)
        #expect(result.stderr == "error: feature 'certificate-pinning' needs one of these features in the same set: "
            + "mobile-client-certificates (\(FeatureCatalog.androidRuntimeNeedsCredential))\n", "\(result.stderr)")
    }
}

import Foundation
import Testing
import TestSupport
@testable import AndroidPackage

@Suite("appseal inspect")
struct InspectTests {
    static func inspectJSON(_ path: String) throws -> AndroidPackageInspection {
        let result = try ProcessRunner.appseal(["inspect", path, "--json"])
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(AndroidPackageInspection.self, from: result.stdoutData)
    }

    @Test("the real binary's JSON parses back and equals the library's result", .needsFixtures,
          arguments: ["apk/apps/apktool-issue3533.apk", "apk/apps/UnCrackable-Level3.apk", "apk/apksig/valid-stamp.apk",
                      "apk/apksig/v31-rsa-2048_2-tgt-33-1-tgt-28.apk", "aab/install-time-permanent-modules.aab",
                      "aab/watch-face-from-tool.aab"])
    func jsonRoundTrip(fixture: String) throws {
        let path = Fixtures.url(fixture).path
        let decoded = try Self.inspectJSON(path)
        #expect(decoded == (try AndroidPackageInspector.inspect(path: path)))
        let text = try ProcessRunner.appseal(["inspect", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Package      \(decoded.packageName ?? "–")"))
    }

    @Test("facts of a modern multidex APK", .needsFixtures)
    func modernAPK() throws {
        let inspection = try Self.inspectJSON(Fixtures.url("apk/apps/apktool-issue3533.apk").path)
        #expect(inspection.format == .apk)
        #expect(inspection.packageName == "com.example.strippy")
        #expect(inspection.label == "Srippy")
        #expect(inspection.dexCount == 3)
        #expect(inspection.debuggable == true)
        #expect(inspection.allowBackup == false)
        #expect(inspection.signatureSchemes == ["v1", "v2", "v3"])
        #expect(inspection.frameworks.map(\.name) == ["Java (native Android)", "Kotlin"])
        #expect(inspection.frameworks.last?.evidence == "kotlin/kotlin.kotlin_builtins")
        #expect(inspection.problems.contains { $0.code == "debuggable" })
        #expect(inspection.files.count == 390)
    }

    @Test("native ABIs, schemes and stamps", .needsFixtures)
    func abisAndSchemes() throws {
        let level3 = try Self.inspectJSON(Fixtures.url("apk/apps/UnCrackable-Level3.apk").path)
        #expect(level3.nativeABIs == ["arm64-v8a", "armeabi-v7a", "x86", "x86_64"])
        let stamped = try Self.inspectJSON(Fixtures.url("apk/apksig/valid-stamp.apk").path)
        #expect(stamped.signatureSchemes == ["v1", "v2", "v3", "source-stamp"])
        let rotated = try Self.inspectJSON(Fixtures.url("apk/apksig/v31-rsa-2048_2-tgt-33-1-tgt-28.apk").path)
        #expect(rotated.signatureSchemes == ["v1", "v2", "v3", "v3.1"])
    }

    @Test("v2-only below minSdk 24, unsigned, and a decoy v1 block are problems", .needsFixtures)
    func problems() throws {
        let v2Only = try Self.inspectJSON(Fixtures.url("apk/apps/com.test.intent_filter.apk").path)
        #expect(v2Only.signatureSchemes == ["v2"])
        #expect(v2Only.problems.contains { $0.code == "v2-only-below-24" && $0.severity == .error })
        let unsigned = try Self.inspectJSON(Fixtures.url("apk/apps/TestActivity_unsigned.apk").path)
        #expect(unsigned.signatureSchemes.isEmpty)
        #expect(unsigned.problems.contains { $0.code == "unsigned" })
        #expect(unsigned.problems.contains { $0.code == "cleartext-allowed" }, "targetSdk 16 allows cleartext by default")
        let decoy = try Self.inspectJSON(Fixtures.url("apk/edge/fdroid-issue-1128-poc1.apk").path)
        #expect(decoy.signatureSchemes == ["v2", "v3"])
        #expect(decoy.signers.allSatisfy { $0.subject == "CN=oops" })
        #expect(decoy.problems.contains { $0.code == "v1-block-without-sf" })
        // The v1 certificate bag lists a decoy first; the signer's own certificate is reported.
        let bag = try Self.inspectJSON(Fixtures.url("apk/edge/fdroid-issue-1128-poc3a.apk").path)
        #expect(bag.signers.map(\.subject) == ["CN=oops"])
    }

    @Test("signer certificates equal apksigner's", .needsFixtures,
          arguments: ["apk/apps/a2dp.Vol_137.apk", "apk/apksig/golden-aligned-v1v2v3-out.apk", "apk/apps/apktool-issue2701.apk"])
    func signersMatchApksigner(fixture: String) throws {
        let path = Fixtures.url(fixture).path
        let printed = try ProcessRunner.run("apksigner", ["verify", "--print-certs", "--min-sdk-version", "28", path])
        let digests = printed.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "certificate SHA-256 digest: ") else { return nil }
            return String(line[range.upperBound...])
        }
        try #require(!digests.isEmpty, "\(printed.combined)")
        let inspection = try AndroidPackageInspector.inspect(path: path)
        #expect(Set(inspection.signers.map(\.sha256)) == Set(digests))
    }

    @Test("both bundles read, with modules' DEX and native libraries", .needsFixtures)
    func bundles() throws {
        let modules = try Self.inspectJSON(Fixtures.url("aab/install-time-permanent-modules.aab").path)
        #expect(modules.format == .aab)
        #expect(modules.packageName == "com.google.android.samples.dynamicfeatures.ondemand")
        #expect(modules.versionCode == 1 && modules.versionName == "1.0")
        #expect(modules.minSDK == 24 && modules.targetSDK == 28)
        #expect(modules.label == "@string/app_name")
        #expect(modules.dexCount == 3)
        #expect(modules.signatureSchemes == ["v1"])
        let watch = try Self.inspectJSON(Fixtures.url("aab/watch-face-from-tool.aab").path)
        #expect(watch.format == .aab)
        #expect(watch.packageName != nil)
        #expect(watch.nativeABIs == ["arm64-v8a", "armeabi", "armeabi-v7a", "x86", "x86_64"])
        #expect(watch.dexCount == 3)
    }

    @Test("broken inputs exit 3 and name the file", .needsFixtures,
          arguments: ["apk/apksig/empty-unsigned.apk", "apk/edge/androguard-multidex-no-manifest.apk",
                      "apk/edge/apkInspector-minimal_SIZE_ExtraField.apk", "other/axml/androguard-AndroidManifest.xml"])
    func brokenInputs(fixture: String) throws {
        let path = Fixtures.url(fixture).path
        let result = try ProcessRunner.appseal(["inspect", path])
        #expect(result.status == 3, "\(result.combined)")
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains(path) || result.stderr.contains(Fixtures.url(fixture).lastPathComponent))
        #expect(result.stdout.isEmpty)
    }

    @Test("a manifest that does not parse exits 3 naming the entry")
    func brokenManifest() throws {
        let folder = try TemporaryDirectory()
        try Data([3, 0, 8, 0, 0xFF, 0, 0, 0, 1, 0]).write(to: URL(fileURLWithPath: folder.path("AndroidManifest.xml")))
        _ = try ProcessRunner.run("zip", ["-q", folder.path("bad.apk"), "AndroidManifest.xml"], currentDirectory: folder.url)
        let result = try ProcessRunner.appseal(["inspect", folder.path("bad.apk")])
        #expect(result.status == 3)
        #expect(result.stderr.contains("bad.apk: AndroidManifest.xml: "))
    }

    @Test("frameworks are named with the entry that proves them", .needsFixtures, arguments: [
        ("lib/arm64-v8a/libflutter.so", "Flutter"), ("assets/flutter_assets/AssetManifest.json", "Flutter"),
        ("assets/index.android.bundle", "React Native"), ("lib/x86/libreactnativejni.so", "React Native"),
        ("lib/armeabi-v7a/libunity.so", "Unity"), ("assets/bin/Data/data.unity3d", "Unity"),
        ("assemblies/Mono.Android.dll", "Xamarin / .NET MAUI"), ("lib/arm64-v8a/libmonodroid.so", "Xamarin / .NET MAUI"),
        ("assets/www/cordova.js", "Cordova"), ("assets/capacitor.config.json", "Capacitor / Ionic"),
        ("META-INF/app_release.kotlin_module", "Kotlin"),
    ])
    func frameworks(entry: String, framework: String) throws {
        let folder = try TemporaryDirectory()
        let manifest = try ProcessRunner.run("unzip", ["-p", Fixtures.url("apk/apps/apktool-issue636.apk").path, "AndroidManifest.xml"])
        try manifest.stdoutData.write(to: URL(fileURLWithPath: folder.path("AndroidManifest.xml")))
        let marker = URL(fileURLWithPath: folder.path(entry))
        try FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: marker)
        try Data("dex\n035\0".utf8).write(to: URL(fileURLWithPath: folder.path("classes.dex")))
        let zipped = try ProcessRunner.run("zip", ["-q", "-r", folder.path("app.apk"), "AndroidManifest.xml", "classes.dex",
                                                   String(entry.split(separator: "/")[0])], currentDirectory: folder.url)
        try #require(zipped.succeeded)
        let inspection = try AndroidPackageInspector.inspect(path: folder.path("app.apk"))
        #expect(inspection.frameworks.contains(.init(name: framework, evidence: entry)))
        let isLanguage = framework == "Kotlin"
        #expect(inspection.frameworks.contains { $0.name == "Java (native Android)" } == isLanguage)
    }
}

@Suite("AAB protobuf manifests")
struct ProtobufTests {
    static func manifest(_ bundle: String) throws -> [UInt8] {
        Array(try ProcessRunner.run("unzip", ["-p", Fixtures.url(bundle).path, "base/manifest/AndroidManifest.xml"]).stdoutData)
    }

    @Test("every prefix of both bundle manifests parses or fails with a typed error", .needsFixtures,
          arguments: ["aab/install-time-permanent-modules.aab", "aab/watch-face-from-tool.aab"])
    func everyPrefix(bundle: String) throws {
        let bytes = try Self.manifest(bundle)
        let full = try ProtoXmlDocument.root(bytes: bytes)
        #expect(full.name == "manifest")
        for length in 0..<bytes.count {
            // A protobuf prefix can be well formed (a cut between fields); it must never crash.
            _ = try? ProtoXmlDocument.root(bytes: Array(bytes[0..<length]))
        }
    }

    @Test("hostile varints, lengths and nesting give typed errors")
    func hostile() {
        // Field 2 is not part of XmlNode's schema here and is skipped, but must still be well formed.
        #expect(throws: ProtobufError.malformedVarint(offset: 3)) {
            try ProtoXmlDocument.root(bytes: [0x10, 0x00, 0x10] + [UInt8](repeating: 0xFF, count: 10) + [0x01])
        }
        #expect(throws: ProtobufError.lengthOutOfRange(offset: 1, length: 100)) { try ProtoXmlDocument.root(bytes: [0x0A, 100, 1]) }
        #expect(throws: ProtobufError.malformedKey(offset: 0, key: 0)) { try ProtoXmlDocument.root(bytes: [0x00, 0x00]) }
        #expect(throws: ProtobufError.noRootElement) { try ProtoXmlDocument.root(bytes: []) }
        // 200 nested elements: node → element → child node → element ...
        var nested: [UInt8] = []
        for _ in 0..<200 {
            nested = [0x2A] + Self.varint(nested.count + 2) + [0x0A] + Self.varint(nested.count) + nested
        }
        #expect(throws: ProtobufError.self) { try ProtoXmlDocument.root(bytes: [0x0A] + Self.varint(nested.count) + nested) }
    }

    static func varint(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            bytes.append(UInt8(rest & 0x7F) | (rest > 0x7F ? 0x80 : 0))
            rest >>= 7
        } while rest > 0
        return bytes
    }
}

@Suite("appseal inspect: network security config")
struct NetworkSecurityConfigInspectTests {
    /// a2dp.Vol with `networkSecurityConfig=@xml/accessconfig` added to its manifest and, in that
    /// XML file, a `<base-config cleartextTrafficPermitted="true">` appended: both written with the
    /// edit API, then zipped over a copy of the app.
    @Test("the config is resolved to its file and a cleartext base-config is a problem", .needsFixtures)
    func resolvedAndChecked() throws {
        let apk = "apk/apps/a2dp.Vol_137.apk"
        let folder = try TemporaryDirectory()
        var manifest = try BinaryXMLDocument(bytes: try BinaryXMLEditTests.manifest(of: apk))
        try manifest.setAttribute(on: ["manifest", "application"],
                                  .android(AndroidAttribute.networkSecurityConfig, .reference(0x7f05_0000)))
        let configEntry = "res/xml/accessconfig.xml"
        let original = try ProcessRunner.run("unzip", ["-p", Fixtures.url(apk).path, configEntry])
        var config = try BinaryXMLDocument(bytes: Array(original.stdoutData))
        let rootName = try #require(config.root?.name)
        try config.appendChild(to: [rootName], NewElement(name: "base-config", attributes: [
            NewAttribute(namespaceURI: nil, name: "cleartextTrafficPermitted", resourceID: nil, value: .boolean(true)),
        ]))
        let path = try BinaryXMLEditTests.repackaged(apk, manifest: manifest.encoded(), in: folder)
        try FileManager.default.createDirectory(atPath: folder.path("res/xml"), withIntermediateDirectories: true)
        try Data(config.encoded()).write(to: URL(fileURLWithPath: folder.path(configEntry)))
        let zipped = try ProcessRunner.run("zip", ["-q", path, configEntry], currentDirectory: folder.url)
        try #require(zipped.succeeded)

        let inspection = try InspectTests.inspectJSON(path)
        #expect(inspection.networkSecurityConfig == "@xml/accessconfig → res/xml/accessconfig.xml")
        #expect(inspection.problems.contains { $0.code == "cleartext-allowed" && $0.message.contains(configEntry) })
        // With a config present, the targetSdk default no longer decides.
        #expect(!inspection.problems.contains { $0.message.contains("allowed by default") })
    }
}

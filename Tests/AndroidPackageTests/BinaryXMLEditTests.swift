import Foundation
import Testing
import TestSupport
@testable import AndroidPackage

@Suite("Binary XML editing, checked with aapt")
struct BinaryXMLEditTests {
    /// One UTF-16 and one UTF-8 string pool, both aapt-built apps.
    static let sources = ["apk/apps/UnCrackable-Level1.apk", "apk/apps/apktool-issue1680.apk"]

    static func manifest(of apk: String) throws -> [UInt8] {
        let result = try ProcessRunner.run("unzip", ["-p", Fixtures.url(apk).path, "AndroidManifest.xml"])
        #expect(result.succeeded)
        return Array(result.stdoutData)
    }

    /// A copy of `apk` with its manifest replaced, as `zip` writes it.
    static func repackaged(_ apk: String, manifest: [UInt8], in folder: TemporaryDirectory) throws -> String {
        let copy = folder.path("edited.apk")
        try FileManager.default.copyItem(atPath: Fixtures.url(apk).path, toPath: copy)
        try Data(manifest).write(to: URL(fileURLWithPath: folder.path("AndroidManifest.xml")))
        let zipped = try ProcessRunner.run("zip", ["-q", copy, "AndroidManifest.xml"], currentDirectory: folder.url)
        #expect(zipped.succeeded, "\(zipped.stderr)")
        return copy
    }

    static func hardened(_ bytes: [UInt8]) throws -> BinaryXMLDocument {
        var document = try BinaryXMLDocument(bytes: bytes)
        let application = ["manifest", "application"]
        try document.setAttribute(on: application, .android(AndroidAttribute.usesCleartextTraffic, .boolean(false)))
        try document.setAttribute(on: application, .android(AndroidAttribute.networkSecurityConfig, .reference(0x7f0f_0001)))
        try document.setAttribute(on: application, .android(AndroidAttribute.debuggable, .boolean(false)))
        try document.removeAttribute(from: application, resourceID: AndroidAttribute.allowBackup)
        try document.appendChild(to: application, NewElement(name: "provider", attributes: [
            .android(AndroidAttribute.name, .string("io.appseal.runtime.SealProvider")),
            .android(AndroidAttribute.authorities, .string("io.appseal.runtime.seal")),
            .android(AndroidAttribute.exported, .boolean(false)),
            .android(AndroidAttribute.initOrder, .intDecimal(1000)),
        ]))
        return document
    }

    @Test("aapt dump xmltree reads the edited manifest", .needsFixtures, arguments: sources)
    func aaptReadsEdits(apk: String) throws {
        let edited = try Self.hardened(try Self.manifest(of: apk)).encoded()
        let folder = try TemporaryDirectory()
        let path = try Self.repackaged(apk, manifest: edited, in: folder)
        let tree = try ProcessRunner.run("aapt", ["dump", "xmltree", path, "AndroidManifest.xml"])
        #expect(tree.succeeded, "\(tree.stderr)")
        for line in ["A: android:usesCleartextTraffic(0x010104ec)=(type 0x12)0x0",
                     "A: android:networkSecurityConfig(0x01010527)=@0x7f0f0001",
                     "A: android:debuggable(0x0101000f)=(type 0x12)0x0",
                     "E: provider (line=",
                     "A: android:name(0x01010003)=\"io.appseal.runtime.SealProvider\"",
                     "A: android:authorities(0x01010018)=\"io.appseal.runtime.seal\"",
                     "A: android:exported(0x01010010)=(type 0x12)0x0",
                     "A: android:initOrder(0x0101001a)=(type 0x10)0x3e8"] {
            #expect(tree.stdout.contains(line), "xmltree lacks \(line)")
        }
        #expect(!tree.stdout.contains("android:allowBackup"))
        // The provider is the last child of <application>, so it is indented one level deeper.
        let applicationIndent = tree.stdout.split(separator: "\n").first { $0.contains("E: application") }?
            .prefix { $0 == " " }.count
        let providerIndent = tree.stdout.split(separator: "\n").first { $0.contains("E: provider") }?
            .prefix { $0 == " " }.count
        #expect(providerIndent == applicationIndent.map { $0 + 2 })
        let badging = try ProcessRunner.run("aapt", ["dump", "badging", path])
        #expect(badging.succeeded, "\(badging.stderr)")
        #expect(!badging.stdout.contains("application-debuggable"))
    }

    @Test("edits keep names, IDs and attribute order consistent", .needsFixtures, arguments: sources)
    func editsAreConsistent(apk: String) throws {
        let original = try BinaryXMLDocument(bytes: try Self.manifest(of: apk))
        let document = try Self.hardened(original.encoded())
        let reread = try BinaryXMLDocument(bytes: document.encoded())
        #expect(reread.encoded() == document.encoded())
        let map = try #require(reread.resourceMap)
        for element in reread.allElements {
            let ids = element.attributes.compactMap(\.resourceID)
            #expect(ids == ids.sorted(), "<\(element.name)> attributes are not sorted by resource ID")
            for attribute in element.attributes {
                if let id = attribute.resourceID {
                    #expect(Int(attribute.nameIndex) < map.count && map[Int(attribute.nameIndex)] == id)
                } else {
                    #expect(Int(attribute.nameIndex) >= map.count || map[Int(attribute.nameIndex)] == 0)
                }
                #expect(reread.stringPool.string(at: Int(attribute.nameIndex)) == attribute.name)
            }
        }
        let info = AndroidManifestInfo(document: reread)
        let before = AndroidManifestInfo(document: original)
        #expect(info.usesCleartextTraffic == false)
        #expect(info.networkSecurityConfig == 0x7f0f_0001)
        #expect(info.debuggable == false)
        #expect(info.allowBackup == nil)
        #expect(info.providerCount == before.providerCount + 1)
        #expect(info.packageName == before.packageName)
        #expect(info.permissions == before.permissions)
    }

    @Test("setting a value twice replaces it in place")
    func replaceInPlace() throws {
        let bytes = BinaryXMLMalformedTests.deeplyNested(depth: 1)
        var document = try BinaryXMLDocument(bytes: bytes)
        try document.setAttribute(on: ["a"], .android(AndroidAttribute.debuggable, .boolean(true)))
        try document.setAttribute(on: ["a"], .android(AndroidAttribute.debuggable, .boolean(false)))
        try document.setAttribute(on: ["a"], NewAttribute(namespaceURI: nil, name: "id", resourceID: nil, value: .string("x")))
        let element = try #require(document.element(at: ["a"]))
        #expect(element.attributes.count == 2)
        #expect(element.attribute(resourceID: AndroidAttribute.debuggable)?.value == .boolean(false))
        #expect(element.idIndex == 2)
        #expect(throws: BinaryXMLEditError.noSuchElement(path: ["b"])) {
            try document.setAttribute(on: ["b"], .android(AndroidAttribute.debuggable, .boolean(true)))
        }
        let reread = try BinaryXMLDocument(bytes: document.encoded())
        #expect(reread.resourceMap == [AndroidAttribute.debuggable])
        #expect(reread.root?.attribute(named: "id")?.value == .string("x"))
    }
}

@Suite("Manifest facts agree with aapt dump badging")
struct ManifestInfoTests {
    static let apks: [String] = Fixtures.available
        ? Fixtures.files(under: "apk", extensions: ["apk"]).map(Fixtures.relativePath) : []

    /// The value of `key='…'` on aapt's `package:` line, or of a `key:'…'` line.
    static func badgingValue(_ badging: String, _ key: String) -> String? {
        for line in badging.split(separator: "\n") {
            if line.hasPrefix("\(key):'") { return String(line.dropFirst(key.count + 2).dropLast()) }
            if line.hasPrefix("package:"), let range = line.range(of: " \(key)='") {
                return String(line[range.upperBound...].prefix { $0 != "'" })
            }
        }
        return nil
    }

    @Test("package, versions and SDK levels", .needsFixtures, arguments: apks)
    func matchesBadging(apk: String) throws {
        let badging = try ProcessRunner.run("aapt", ["dump", "badging", Fixtures.url(apk).path])
        guard badging.succeeded, badging.stdout.hasPrefix("package:") else { return }
        let manifest = try ProcessRunner.run("unzip", ["-p", Fixtures.url(apk).path, "AndroidManifest.xml"])
        var info = AndroidManifestInfo(document: try BinaryXMLDocument(bytes: Array(manifest.stdoutData)))
        let arsc = try ProcessRunner.run("unzip", ["-p", Fixtures.url(apk).path, "resources.arsc"])
        if arsc.succeeded, !arsc.stdoutData.isEmpty {
            info = info.resolved(with: try ResourceTable(bytes: Array(arsc.stdoutData)))
            // aapt prints application-label only for labels that are resource references.
            if info.label?.reference != nil {
                #expect(info.resolvedLabel == Self.badgingValue(badging.stdout, "application-label"))
            }
        }
        #expect(info.packageName == Self.badgingValue(badging.stdout, "name"))
        #expect((info.versionCode.map(String.init) ?? "") == Self.badgingValue(badging.stdout, "versionCode"))
        #expect((info.versionName ?? "") == Self.badgingValue(badging.stdout, "versionName"))
        #expect((info.minSDK.map(String.init) ?? info.minSDKCodename) == Self.badgingValue(badging.stdout, "sdkVersion"))
        #expect((info.targetSDK.map(String.init) ?? info.targetSDKCodename) == Self.badgingValue(badging.stdout, "targetSdkVersion"))
        #expect(info.maxSDK.map(String.init) == Self.badgingValue(badging.stdout, "maxSdkVersion"))
    }
}

@Suite("Binary XML editing: styled pools")
struct StyledPoolEditTests {
    /// Pool ["x" (styled: span naming "b"), "n", "b"], resource map [0, android:name], element <x/>.
    static func styledDocument() -> [UInt8] {
        var pool: [UInt8] = []
        pool.appendLE(UInt16(1)); pool.appendLE(UInt16(28)); pool.appendLE(UInt32(80))
        pool.appendLE(UInt32(3)); pool.appendLE(UInt32(1)); pool.appendLE(UInt32(0))
        pool.appendLE(UInt32(44)); pool.appendLE(UInt32(64))
        for offset: UInt32 in [0, 6, 12] { pool.appendLE(offset) }
        pool.appendLE(UInt32(0))
        for character: UInt16 in [0x78, 0x6e, 0x62] { pool.appendLE(UInt16(1)); pool.appendLE(character); pool.appendLE(UInt16(0)) }
        pool += [0, 0]
        for word: UInt32 in [2, 0, 0, 0xFFFF_FFFF] { pool.appendLE(word) }
        var map: [UInt8] = []
        map.appendLE(UInt16(0x0180)); map.appendLE(UInt16(8)); map.appendLE(UInt32(16))
        map.appendLE(UInt32(0)); map.appendLE(AndroidAttribute.name)
        var nodes: [UInt8] = []
        nodes.appendLE(UInt16(0x0102)); nodes.appendLE(UInt16(16)); nodes.appendLE(UInt32(36))
        for word: UInt32 in [1, 0xFFFF_FFFF, 0xFFFF_FFFF, 0, 0x0014_0014, 0, 0] { nodes.appendLE(word) }
        nodes.appendLE(UInt16(0x0103)); nodes.appendLE(UInt16(16)); nodes.appendLE(UInt32(24))
        for word: UInt32 in [1, 0xFFFF_FFFF, 0xFFFF_FFFF, 0] { nodes.appendLE(word) }
        var document: [UInt8] = [3, 0, 8, 0]
        document.appendLE(UInt32(8 + pool.count + map.count + nodes.count))
        return document + pool + map + nodes
    }

    @Test("inserting a resource-mapped name renumbers style spans that name later strings")
    func spansFollowInsertedStrings() throws {
        let bytes = Self.styledDocument()
        var document = try BinaryXMLDocument(bytes: bytes)
        #expect(document.encoded() == bytes)
        #expect(document.stringPool.styleCount == 1)
        try document.setAttribute(on: ["x"], .android(AndroidAttribute.debuggable, .boolean(true)))
        let reread = try BinaryXMLDocument(bytes: document.encoded())
        #expect(reread.stringPool.strings.prefix(4) == ["x", "n", "debuggable", "b"])
        #expect(reread.resourceMap == [0, AndroidAttribute.name, AndroidAttribute.debuggable])
        #expect(Array(reread.stringPool.styleData.prefix(4)) == [3, 0, 0, 0], "the span still names \"b\"")
        #expect(reread.root?.attribute(resourceID: AndroidAttribute.debuggable)?.value == .boolean(true))
    }

    @Test("a name that would land among the styled strings is refused")
    func styledRegionRefused() throws {
        var bytes = Self.styledDocument()
        // Drop the resource map: a new mapped name would have to go at index 0, a styled string.
        bytes.removeSubrange(88..<104)
        bytes.patchLE(UInt32(bytes.count), at: 4)
        var document = try BinaryXMLDocument(bytes: bytes)
        #expect(throws: BinaryXMLEditError.styledStringsInResourceRegion) {
            try document.setAttribute(on: ["x"], .android(AndroidAttribute.debuggable, .boolean(true)))
        }
        #expect(document.encoded() == bytes, "a refused edit leaves the document unchanged")
    }
}

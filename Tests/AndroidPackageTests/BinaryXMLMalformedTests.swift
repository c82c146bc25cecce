import Foundation
import Testing
import TestSupport
@testable import AndroidPackage

@Suite("Binary XML: malformed and truncated input")
struct BinaryXMLMalformedTests {
    @Test("unterminated strings are rejected with the string's offset", .needsFixtures,
          arguments: ["other/axml/androguard-AndroidManifest_StringNotTerminated.xml",
                      "other/axml/androguard-AndroidManifestWrongFilesize.xml"])
    func unterminatedString(name: String) throws {
        let bytes = Array(try Fixtures.data(name))
        #expect(throws: BinaryXMLError.stringNotTerminated(offset: 2008, index: 49)) {
            try BinaryXMLDocument(bytes: bytes)
        }
    }

    @Test("a first chunk that is not RES_XML_TYPE is not binary XML", .needsFixtures)
    func wrongChunkStart() throws {
        let bytes = Array(try Fixtures.data("other/axml/androguard-AndroidManifest_WrongChunkStart.xml"))
        #expect(throws: BinaryXMLError.notBinaryXML(offset: 0, chunkType: 0)) { try BinaryXMLDocument(bytes: bytes) }
    }

    @Test("a total size larger than the file is tolerated, reported and corrected", .needsFixtures)
    func declaredSizeTooLarge() throws {
        var bytes = Array(try Fixtures.data("other/axml/androguard-AndroidManifest.xml"))
        let original = bytes
        bytes.patchLE(0x4242_4242, at: 4)
        let document = try BinaryXMLDocument(bytes: bytes)
        #expect(document.anomalies.contains(.declaredSizeLargerThanData(declared: 0x4242_4242, actual: bytes.count)))
        #expect(document.encoded() == original)
    }

    @Test("a declared size that ends inside the nodes is kept and reported", .needsFixtures)
    func declaredSizeTooSmall() throws {
        let bytes = Array(try Fixtures.data("other/axml/apkInspector-AndroidManifest_CDATA.xml"))
        let document = try BinaryXMLDocument(bytes: bytes)
        #expect(document.anomalies.first == .declaredSizeSmallerThanContent(declared: 2084, actual: 2112))
        #expect(document.encoded() == bytes)
        #expect(AndroidManifestInfo(document: document).packageName != nil)
    }

    @Test("a broken chunk after the root element is kept but not parsed", .needsFixtures)
    func zeroSizedEndNamespace() throws {
        let result = try ProcessRunner.run("unzip", ["-p", Fixtures.url("apk/edge/apkInspector-minimal_zero_sized_end_ns.apk").path,
                                                     "AndroidManifest.xml"])
        let bytes = Array(result.stdoutData)
        let document = try BinaryXMLDocument(bytes: bytes)
        #expect(document.anomalies.contains { if case .malformedAfterRoot = $0 { true } else { false } })
        #expect(AndroidManifestInfo(document: document).packageName == "com.erev0s.minimal")
    }

    @Test("without a resource map no attribute has a resource ID", .needsFixtures)
    func missingResourceMap() throws {
        let bytes = Array(try Fixtures.data("other/axml/apkInspector-AndroidManifest_resource_map_not_found.xml"))
        let document = try BinaryXMLDocument(bytes: bytes)
        #expect(document.anomalies.contains(.missingResourceMap))
        #expect(document.allElements.allSatisfy { $0.attributes.allSatisfy { $0.resourceID == nil } })
        let info = AndroidManifestInfo(document: document)
        #expect(info.packageName != nil)
        #expect(info.versionCode == nil, "Android ignores android:versionCode without its resource ID")
    }

    @Test("hostile sizes and indices give typed errors")
    func handMadeHostileInput() {
        // Document header claiming a header larger than the data.
        #expect(throws: BinaryXMLError.malformedChunk(offset: 0, reason: "document header size 4096")) {
            try BinaryXMLDocument(bytes: [3, 0, 0, 0x10, 16, 0, 0, 0])
        }
        #expect(throws: BinaryXMLError.truncated(offset: 0, needed: 8)) { try BinaryXMLDocument(bytes: [3, 0, 8]) }
        // A string pool whose string count would need more bytes than the chunk has.
        var pool: [UInt8] = [3, 0, 8, 0, 36, 0, 0, 0, 1, 0, 28, 0, 28, 0, 0, 0]
        pool.appendLE(UInt32(0x4000_0000)); pool.appendLE(UInt32(0)); pool.appendLE(UInt32(0))
        pool.appendLE(UInt32(0)); pool.appendLE(UInt32(0))
        #expect(throws: BinaryXMLError.self) { try BinaryXMLDocument(bytes: pool) }
        // An element nested beyond the cap.
        #expect(throws: BinaryXMLError.limitExceeded(offset: 8 + 40 + BinaryXMLDocument.maximumDepth * 36,
                                                     reason: "elements nested deeper than \(BinaryXMLDocument.maximumDepth)")) {
            try BinaryXMLDocument(bytes: Self.deeplyNested(depth: BinaryXMLDocument.maximumDepth + 1))
        }
        // An element referring to a string the pool lacks.
        var bad = Self.deeplyNested(depth: 1)
        bad.patchLE(7, at: 8 + 40 + 16 + 4)
        #expect(throws: BinaryXMLError.stringIndexOutOfRange(offset: 8 + 40 + 16 + 4, index: 7)) {
            try BinaryXMLDocument(bytes: bad)
        }
    }

    /// A document with one string ("a") and `depth` nested `<a>` elements.
    static func deeplyNested(depth: Int) -> [UInt8] {
        var pool: [UInt8] = []
        pool.appendLE(UInt16(1)); pool.appendLE(UInt16(28)); pool.appendLE(UInt32(40))
        pool.appendLE(UInt32(1)); pool.appendLE(UInt32(0)); pool.appendLE(UInt32(0))
        pool.appendLE(UInt32(32)); pool.appendLE(UInt32(0)); pool.appendLE(UInt32(0))
        pool += [1, 0, 0x61, 0, 0, 0, 0, 0]
        var body = pool
        func node(_ type: UInt16, _ payload: [UInt32]) {
            let size = 16 + payload.count * 4
            body.appendLE(type); body.appendLE(UInt16(16)); body.appendLE(UInt32(size))
            body.appendLE(UInt32(1)); body.appendLE(UInt32(0xFFFF_FFFF))
            for word in payload { body.appendLE(word) }
        }
        for _ in 0..<depth { node(0x0102, [0xFFFF_FFFF, 0, 0x0014_0014, 0, 0]) }
        for _ in 0..<depth { node(0x0103, [0xFFFF_FFFF, 0]) }
        var document: [UInt8] = [3, 0, 8, 0]
        document.appendLE(UInt32(8 + body.count))
        return document + body
    }
}

@Suite("Binary XML: every prefix of every fixture manifest")
struct BinaryXMLTruncationTests {
    @Test("each prefix parses or fails with a typed error", .needsFixtures, arguments: ManifestFixtures.all)
    func everyPrefix(manifest: ManifestFixtures.Manifest) {
        var accepted: [Int] = []
        var misplaced: [String] = []
        for length in 0..<manifest.bytes.count {
            do {
                let document = try BinaryXMLDocument(bytes: Array(manifest.bytes[0..<length]))
                accepted.append(length)
                _ = document.encoded()
            } catch {
                if error.offset > length { misplaced.append("prefix \(length): \(error)") }
            }
        }
        #expect(misplaced.isEmpty, "errors pointing past the data: \(misplaced.prefix(3))")
        // A prefix can only be a whole document when the cut falls after the root element closed:
        // in the trailing end-namespace chunks, or in bytes Android never reads.
        if let shortest = accepted.first, let full = try? BinaryXMLDocument(bytes: manifest.bytes) {
            let prefix = try? BinaryXMLDocument(bytes: Array(manifest.bytes[0..<shortest]))
            #expect(prefix?.root?.allDescendantCount == full.root?.allDescendantCount,
                    "prefix \(shortest) parsed with a different element tree")
        }
    }
}

extension BinaryXMLElement {
    var allDescendantCount: Int { elements.reduce(elements.count) { $0 + $1.allDescendantCount } }
}

import ArchiveKit
import Foundation
import Testing
import TestSupport

/// Archives damaged in every way the safety rules name. Each must fail with its own kind of
/// error, naming the entry and offset, and never crash or hang.
@Suite("Malformed archives")
struct MalformedArchiveTests {
    static let content = Array("appseal malformed-archive suite: some text that deflates well. ".utf8) + Array(repeating: 0x41, count: 300)

    static func sample() -> TestZip {
        TestZip([TestZip.Entry("AndroidManifest.xml", content, method: 8),
                 TestZip.Entry("res/raw/data.bin", Array(content.prefix(100))),
                 TestZip.Entry("classes.dex", Array(content.reversed()), method: 8)])
    }

    /// Opens and fully checks an archive; returns the error it raised.
    static func failure(of bytes: [UInt8], limits: ZipLimits = .default) throws -> ZipError {
        let folder = try TemporaryDirectory()
        let path = folder.path("case.zip")
        try bytes.write(to: path)
        return try #require(throws: ZipError.self) {
            let archive = try ZipArchive(path: path, limits: limits)
            try archive.check()
        }
    }

    @Test("the sample itself is sound")
    func sampleIsSound() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("sample.zip")
        try Self.sample().build().bytes.write(to: path)
        let archive = try ZipArchive(path: path)
        try archive.check()
        #expect(try archive.readData(try #require(archive.entry(named: "AndroidManifest.xml"))) == Self.content)
        #expect(try PythonZip.testzip(path) == nil)
    }

    @Test("every truncation of a small archive is refused with a typed error")
    func everyTruncation() throws {
        let bytes = Self.sample().build().bytes
        let folder = try TemporaryDirectory()
        let path = folder.path("cut.zip")
        for length in 0..<bytes.count {
            try Array(bytes.prefix(length)).write(to: path)
            let error = try #require(throws: ZipError.self, "prefix of \(length) bytes") {
                let archive = try ZipArchive(path: path)
                try archive.check()
            }
            #expect(error.archive == path)
        }
    }

    @Test("every single-byte flip is either harmless or a typed error")
    func everyByteFlip() throws {
        let bytes = Self.sample().build().bytes
        let folder = try TemporaryDirectory()
        let path = folder.path("flip.zip")
        for index in 0..<bytes.count {
            var damaged = bytes
            damaged[index] ^= 0x5A
            try damaged.write(to: path)
            do {
                let archive = try ZipArchive(path: path)
                try archive.check()
            } catch is ZipError {
                continue
            }
        }
    }

    typealias Mutation = @Sendable (inout TestZip) -> Void

    static let cases: [(String, ZipError.Kind, String?, Mutation)] = [
        ("bad local signature", .badSignature, "classes.dex", { zip in zip.entries[2].localName = nil; zip.entries[2].centralOffset = 1 }),
        ("local name differs", .headerMismatch, "classes.dex", { zip in zip.entries[2].localName = Array("classes.dey".utf8) }),
        ("local method differs", .headerMismatch, "res/raw/data.bin", { zip in zip.entries[1].localMethod = 8 }),
        ("local flags differ", .headerMismatch, "res/raw/data.bin", { zip in zip.entries[1].localFlags = 0x0800 }),
        ("CRC mismatch", .crcMismatch, "res/raw/data.bin", { zip in zip.entries[1].crc = 0xDEAD_BEEF }),
        ("duplicate names", .duplicateName, "classes.dex", { zip in zip.entries[0].name = Array("classes.dex".utf8); zip.entries[0].localName = Array("classes.dex".utf8) }),
        ("zip slip", .unsafeName, "../../evil.so", { zip in zip.entries[1].name = Array("../../evil.so".utf8); zip.entries[1].localName = zip.entries[1].name }),
        ("absolute name", .unsafeName, "/etc/passwd", { zip in zip.entries[1].name = Array("/etc/passwd".utf8); zip.entries[1].localName = zip.entries[1].name }),
        ("backslash", .unsafeName, "res\\raw\\x", { zip in zip.entries[1].name = Array("res\\raw\\x".utf8); zip.entries[1].localName = zip.entries[1].name }),
        ("NUL in name", .unsafeName, "a\u{0}b", { zip in zip.entries[1].name = [0x61, 0, 0x62]; zip.entries[1].localName = zip.entries[1].name }),
        ("encrypted", .encrypted, "res/raw/data.bin", { zip in zip.entries[1].flags = 1 }),
        ("bzip2 method", .unsupportedMethod, "res/raw/data.bin", { zip in zip.entries[1].method = 12 }),
        ("lying uncompressed size", .corruptData, "AndroidManifest.xml", { zip in zip.entries[0].declaredUncompressed = 40 }),
        ("count larger than directory", .invalidField, nil, { zip in zip.declaredCount = 500 }),
        ("trailing data after end record", .invalidField, nil, { zip in zip.trailing = [1, 2, 3] }),
        ("garbage before the central directory", .signingBlock, nil, { zip in zip.beforeDirectory = Array(repeating: 0x47, count: 40) }),
        ("local offset past the directory", .outOfBounds, "classes.dex", { zip in zip.entries[2].centralOffset = 0x00FF_FFFF }),
        ("truncated deflate stream", .corruptData, "AndroidManifest.xml", { zip in
            zip.entries[0].stored = Array(TestZip.rawDeflate(zip.entries[0].data).dropLast(4)) }),
    ]

    @Test("each defect is named", arguments: cases.indices)
    func defectIsNamed(_ index: Int) throws {
        let (label, kind, entry, mutate) = Self.cases[index]
        var zip = Self.sample()
        mutate(&zip)
        let error = try Self.failure(of: zip.build().bytes)
        #expect(error.kind == kind, "\(label): \(error)")
        if let entry { #expect(error.entry == entry, "\(label): \(error)") }
        #expect(error.offset != nil, "\(label): \(error)")
    }

    @Test("data descriptors with and without signature are read; a wrong one is refused")
    func dataDescriptors() throws {
        var zip = Self.sample()
        zip.entries[0].descriptor = .withSignature
        zip.entries[2].descriptor = .withoutSignature
        let folder = try TemporaryDirectory()
        let path = folder.path("dd.zip")
        try zip.build().bytes.write(to: path)
        let archive = try ZipArchive(path: path)
        try archive.check()
        #expect(archive.entries.map(\.dataDescriptorLength) == [16, 0, 12])
        #expect(try PythonZip.testzip(path) == nil)
        let repacked = folder.path("repacked.zip")
        _ = try ArchiveRepacker().repack(archive, to: repacked)
        let output = try ZipArchive(path: repacked)
        #expect(output.entries.allSatisfy { !$0.hasDataDescriptor })
        try output.check()

        // The last entry's descriptor ends where the central directory starts; damage its CRC.
        var bytes = zip.build().bytes
        let end = bytes.count - 22
        let directoryOffset = Int(bytes[end + 16]) | Int(bytes[end + 17]) << 8
        bytes[directoryOffset - 12] ^= 0xFF
        let error = try Self.failure(of: bytes)
        #expect(error.kind == .headerMismatch && error.entry == "classes.dex", "\(error)")
    }

    @Test("the bzip2 error names the method")
    func methodIsNamed() throws {
        var zip = Self.sample()
        zip.entries[1].method = 12
        let error = try Self.failure(of: zip.build().bytes)
        #expect(error.description.contains("bzip2 (method 12)"))
    }

    @Test("entries that share bytes are refused (overlapped zip bomb)")
    func overlappingEntries() throws {
        // The inner entry's local header and data sit inside the outer stored entry's data.
        let innerData = Array("inner".utf8)
        var inner: [UInt8] = []
        inner.le32(0x0403_4B50); inner.le16(20); inner.le16(0); inner.le16(0); inner.le16(0); inner.le16(0x21)
        inner.le32(TestZip.crc(innerData)); inner.le32(5); inner.le32(5); inner.le16(5); inner.le16(0)
        inner += Array("inner".utf8) + innerData
        let outer = Array("pad!".utf8) + inner
        var outerEntry = TestZip.Entry("outer", outer)
        outerEntry.centralOffset = nil
        var innerEntry = TestZip.Entry("inner", innerData)
        innerEntry.centralOffset = UInt32(30 + 5 + 4)
        var zip = TestZip([outerEntry])
        // Build the outer alone, then add a central record for the inner pointing inside it.
        zip.entries.append(innerEntry)
        var built = zip.build().bytes
        // Remove the real copy of the inner entry that build() appended after the outer one.
        let innerLocalLength = 30 + 5 + 5
        let outerEnd = 30 + 5 + outer.count
        built.removeSubrange(outerEnd..<outerEnd + innerLocalLength)
        let endIndex = built.count - 22
        let directoryOffset = Int(built[endIndex + 16]) | Int(built[endIndex + 17]) << 8
        built.put32(UInt32(directoryOffset - innerLocalLength), at: endIndex + 16)
        let error = try Self.failure(of: built)
        #expect(error.kind == .overlappingEntries, "\(error)")
        #expect(error.entry == "outer")
    }

    @Test("declared sizes above the limits are refused before anything is inflated")
    func sizeLimits() throws {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let bytes = TestZip([TestZip.Entry("bomb.bin", zeros, method: 8)]).build().bytes
        var ratio = ZipLimits.default
        ratio.maxRatio = 100
        #expect(try Self.failure(of: bytes, limits: ratio).kind == .limitExceeded)
        var size = ZipLimits.default
        size.maxEntrySize = 1 << 20
        let sizeError = try Self.failure(of: bytes, limits: size)
        #expect(sizeError.kind == .limitExceeded && sizeError.entry == "bomb.bin")
        var total = ZipLimits.default
        total.maxTotalSize = 1 << 20
        #expect(try Self.failure(of: bytes, limits: total).kind == .limitExceeded)
        var count = ZipLimits.default
        count.maxEntries = 0
        #expect(try Self.failure(of: bytes, limits: count).kind == .limitExceeded)
        var memory = ZipLimits.default
        memory.maxInMemoryEntrySize = 1 << 20
        let folder = try TemporaryDirectory()
        try bytes.write(to: folder.path("b.zip"))
        let archive = try ZipArchive(path: folder.path("b.zip"), limits: memory)
        let error = try #require(throws: ZipError.self) { try archive.readData(archive.entries[0]) }
        #expect(error.kind == .limitExceeded)
        try archive.check()
    }

    @Test("not a ZIP at all")
    func notAZip() throws {
        #expect(try Self.failure(of: Array("hello, this is not an archive at all".utf8)).kind == .notAZip)
        #expect(try Self.failure(of: []).kind == .notAZip)
    }

    @Test("the CLI exits 3 and names the entry and offset", arguments: [1, 4, 6, 10, 11])
    func cliReportsDefect(_ index: Int) throws {
        let (label, _, entry, mutate) = Self.cases[index]
        var zip = Self.sample()
        mutate(&zip)
        let folder = try TemporaryDirectory()
        let path = folder.path("bad.apk")
        try zip.build().bytes.write(to: path)
        let result = try ProcessRunner.appseal(["archive", "check", path])
        #expect(result.status == 3, "\(label): \(result.combined)")
        #expect(result.stderr.hasPrefix("error: \(path): "), "\(label): \(result.stderr)")
        #expect(result.stderr.contains("at offset "), "\(label): \(result.stderr)")
        if let entry { #expect(result.stderr.contains("'\(entry.replacingOccurrences(of: "\u{0}", with: "\\u{0}"))'"), "\(label): \(result.stderr)") }
    }
}

@testable import ArchiveKit
import Foundation
import Testing
import TestSupport

@Suite("Writing archives")
struct WriterTests {
    static let text = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 200).utf8)
    static let binary: [UInt8] = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    static func writeSample(to path: String, options: ZipWriterOptions = ZipWriterOptions(), streamed: Bool = false) throws {
        let writer = try ZipWriter(destination: path, options: options)
        if streamed {
            try writer.add(name: "assets/text.txt", method: .deflated(level: 6), expectedSize: UInt64(text.count)) { write in
                for chunk in stride(from: 0, to: text.count, by: 1000) {
                    try Array(text[chunk..<min(chunk + 1000, text.count)]).withUnsafeBytes { try write($0) }
                }
            }
        } else {
            try writer.add(name: "assets/text.txt", data: text, method: .deflated(level: 6))
        }
        try writer.add(name: "lib/arm64-v8a/libx.so", data: binary, method: .stored, alignment: 16384)
        try writer.add(name: "resources.arsc", data: Array(binary.prefix(999)), method: .stored, alignment: 4)
        try writer.add(name: "res/ünïcödé.txt", data: Array("naïve".utf8), method: .deflated(level: 9))
        try writer.add(name: "empty/", data: [], method: .stored)
        try writer.finish()
    }

    @Test("what the writer makes reads back and passes unzip, Python and zipalign",
          arguments: [ZipAlignmentStyle.zipalign, .apksigner])
    func roundTrip(_ style: ZipAlignmentStyle) throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("out.apk")
        try Self.writeSample(to: path, options: ZipWriterOptions(alignmentStyle: style))
        let archive = try ZipArchive(path: path)
        try archive.check()
        #expect(archive.entries.map(\.name) == ["assets/text.txt", "lib/arm64-v8a/libx.so", "resources.arsc", "res/ünïcödé.txt", "empty/"])
        #expect(try archive.readData(archive.entries[0]) == Self.text)
        #expect(try archive.readData(archive.entries[1]) == Self.binary)
        #expect(archive.entries[1].dataOffset % 16384 == 0)
        #expect(archive.entries[2].dataOffset % 4 == 0)
        #expect(archive.entries[3].isUTF8)
        let unzip = try ProcessRunner.run("unzip", ["-t", path])
        #expect(unzip.succeeded, "\(unzip.combined)")
        let python = try PythonZip.listing(of: path)
        #expect(python.map(\.name) == archive.entries.map(\.name))
        #expect(python.map(\.crc) == archive.entries.map(\.crc32))
        let zipalign = try ProcessRunner.run("zipalign", ["-c", "-p", "-v", "4", path])
        #expect(zipalign.succeeded, "\(zipalign.combined)")
        if style == .apksigner {
            let extra = archive.entries[2].localExtra
            #expect(extra.count >= 6 && extra[0] == 0x35 && extra[1] == 0xD9 && extra[4] == 4 && extra[5] == 0)
        }
    }

    @Test("streamed and in-memory adds give identical bytes, and so does writing twice")
    func deterministic() throws {
        let folder = try TemporaryDirectory()
        try Self.writeSample(to: folder.path("a.zip"))
        try Self.writeSample(to: folder.path("b.zip"))
        try Self.writeSample(to: folder.path("c.zip"), streamed: true)
        let a = try Data(contentsOf: folder.url.appendingPathComponent("a.zip"))
        #expect(a == (try Data(contentsOf: folder.url.appendingPathComponent("b.zip"))))
        #expect(a == (try Data(contentsOf: folder.url.appendingPathComponent("c.zip"))))
    }

    @Test("zip64 records are written and read back, and other readers accept them")
    func zip64() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("z64.zip")
        try Self.writeSample(to: path, options: ZipWriterOptions(forceZip64: true))
        let archive = try ZipArchive(path: path)
        try archive.check()
        #expect(archive.zip64EndOfCentralDirectoryOffset != nil)
        #expect(archive.entries.allSatisfy { $0.usesZip64 })
        #expect(try PythonZip.testzip(path) == nil)
        let unzip = try ProcessRunner.run("unzip", ["-t", path])
        #expect(unzip.succeeded, "\(unzip.combined)")
    }

    @Test("the apksigner padding matches what apksigner wrote into the golden files",
          .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
    func apksignerPaddingMatchesGolden() throws {
        let golden = try ZipArchive(path: Fixtures.url("apk/apksig/golden-aligned-v1-out.apk").path)
        var checked = 0
        for entry in golden.entries where entry.method == .stored {
            let alignment = entry.name.hasSuffix(".so") ? 4096 : 4
            let unpadded = entry.localHeaderOffset + 30 + UInt64(entry.rawName.count)
            let padding = try ZipExtra.alignmentPadding(after: unpadded, alignment: alignment, style: .apksigner, entry: entry.name)
            #expect(padding == entry.localExtra, "\(entry.name)")
            checked += 1
        }
        #expect(checked == 3)
    }

    @Test("the signing-block hook sees the final layout and the block lands before the directory")
    func signingBlockHook() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("signed.apk")
        let writer = try ZipWriter(destination: path)
        try writer.add(name: "classes.dex", data: Self.binary, method: .deflated(level: 1))
        var seen: ZipWriterLayout?
        try writer.finish { layout in
            seen = layout
            #expect(FileManager.default.fileExists(atPath: layout.temporaryPath))
            var block: [UInt8] = []
            let value = Array("signature".utf8)
            let pairs = UInt64(8 + 4 + value.count)
            block.le64(pairs + 8 + 16)
            block.le64(UInt64(4 + value.count)); block.le32(0x7109_871A); block += value
            block.le64(pairs + 8 + 16)
            block += Array("APK Sig Block 42".utf8)
            return block
        }
        let layout = try #require(seen)
        let archive = try ZipArchive(path: path)
        let region = try #require(archive.signingBlock)
        #expect(region.offset == layout.entriesLength)
        #expect(archive.signingBlockPairs.map(\.id) == [0x7109_871A])
        #expect(try archive.readBytes(at: archive.centralDirectoryOffset, count: layout.centralDirectory.count) == layout.centralDirectory)
        // The end record the signer saw points the directory at the block's start.
        let eocd = layout.endOfCentralDirectory
        let offsetSeen = UInt64(eocd[16]) | UInt64(eocd[17]) << 8 | UInt64(eocd[18]) << 16 | UInt64(eocd[19]) << 24
        #expect(offsetSeen == layout.entriesLength)
        #expect(!FileManager.default.fileExists(atPath: layout.temporaryPath))
        try archive.check()
    }

    @Test("cancel, a failed hook and a dropped writer leave nothing behind")
    func noLeftovers() throws {
        let folder = try TemporaryDirectory()
        let cancelled = try ZipWriter(destination: folder.path("a.zip"))
        try cancelled.add(name: "x", data: [1, 2, 3], method: .stored)
        cancelled.cancel()
        struct HookFailure: Error {}
        let failing = try ZipWriter(destination: folder.path("b.zip"))
        try failing.add(name: "x", data: [1, 2, 3], method: .stored)
        #expect(throws: HookFailure.self) { try failing.finish { _ in throw HookFailure() } }
        do {
            let dropped = try ZipWriter(destination: folder.path("c.zip"))
            try dropped.add(name: "x", data: [1, 2, 3], method: .stored)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test("a streamed entry whose producer fails cancels the archive")
    func failedProducerCancels() throws {
        struct ProducerFailure: Error {}
        let folder = try TemporaryDirectory()
        let writer = try ZipWriter(destination: folder.path("a.zip"))
        try writer.add(name: "first", data: [1, 2, 3], method: .stored)
        #expect(throws: ProducerFailure.self) {
            try writer.add(name: "second", method: .deflated(level: 6)) { write in
                try [UInt8](repeating: 7, count: 10_000).withUnsafeBytes { try write($0) }
                throw ProducerFailure()
            }
        }
        let later = try #require(throws: ZipError.self) { try writer.add(name: "third", data: [1], method: .stored) }
        #expect(later.kind == .invalidRequest)
        #expect(throws: ZipError.self) { try writer.finish() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test("a streamed entry of unknown size reserves zip64 sizes in its local header and reads back everywhere")
    func streamedWithoutSize() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("s.zip")
        let writer = try ZipWriter(destination: path)
        try writer.add(name: "unknown-size.bin", method: .stored, alignment: 4) { write in
            try Self.binary.withUnsafeBytes { try write($0) }
        }
        try writer.finish()
        let archive = try ZipArchive(path: path)
        #expect(archive.entries[0].localExtra.prefix(4) == [0x01, 0x00, 0x10, 0x00])
        #expect(archive.entries[0].dataOffset % 4 == 0)
        #expect(try archive.readData(archive.entries[0]) == Self.binary)
        #expect(try PythonZip.testzip(path) == nil)
        #expect(try ProcessRunner.run("unzip", ["-tqq", path]).succeeded)
    }

    @Test("raw entry bytes are the stored bytes")
    func streamRaw() throws {
        let folder = try TemporaryDirectory()
        try Self.writeSample(to: folder.path("s.zip"))
        let archive = try ZipArchive(path: folder.path("s.zip"))
        let entry = archive.entries[0]
        var raw: [UInt8] = []
        try archive.streamRaw(entry) { raw.append(contentsOf: $0) }
        #expect(raw == (try archive.readBytes(at: entry.dataOffset, count: Int(entry.compressedSize))))
        #expect(raw.count < Self.text.count)
    }

    @Test("duplicate, unsafe names and bad alignments are refused")
    func refusals() throws {
        let folder = try TemporaryDirectory()
        let writer = try ZipWriter(destination: folder.path("a.zip"))
        try writer.add(name: "a.txt", data: [1], method: .stored)
        #expect(throws: ZipError.self) { try writer.add(name: "a.txt", data: [2], method: .stored) }
        let unsafe = try #require(throws: ZipError.self) { try writer.add(name: "../a.txt", data: [2], method: .stored) }
        #expect(unsafe.kind == .unsafeName)
        let alignment = try #require(throws: ZipError.self) { try writer.add(name: "b", data: [2], method: .stored, alignment: 3) }
        #expect(alignment.kind == .invalidRequest)
        let level = try #require(throws: ZipError.self) { try writer.add(name: "c", data: [2], method: .deflated(level: 12)) }
        #expect(level.kind == .invalidRequest)
        try writer.finish()
        #expect(throws: ZipError.self) { try writer.finish() }
    }

    @Test("concurrent readers of one archive see the same data")
    func concurrentReads() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("c.zip")
        try Self.writeSample(to: path)
        let archive = try ZipArchive(path: path)
        let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 { group.addTask { try archive.readData(archive.entries[1]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == Self.binary })
    }
}

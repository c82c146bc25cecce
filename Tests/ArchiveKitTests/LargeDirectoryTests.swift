@testable import ArchiveKit
import Foundation
import Testing
import TestSupport

/// From `ZipArchive.parallelLocalHeaderThreshold` entries the local headers are checked on two
/// threads; whatever is wrong, and wherever, the error must be the one a reading in directory
/// order gives: the first broken entry's.
@Suite("Large directories: local headers checked in parallel, errors in directory order")
struct LargeDirectoryTests {
    static let count = ZipArchive.parallelLocalHeaderThreshold * 2 + 37

    /// `count` small stored entries, and where each entry's local header and central record start.
    static func archive() throws -> (bytes: [UInt8], entries: [ZipEntry], folder: TemporaryDirectory) {
        let folder = try TemporaryDirectory()
        let path = folder.path("many.zip")
        let writer = try ZipWriter(destination: path)
        for index in 0..<count {
            try writer.add(name: "res/raw/item-\(index).txt", data: Array("entry \(index)".utf8), method: .stored)
        }
        try writer.finish()
        let archive = try ZipArchive(path: path)
        #expect(archive.entries.count == count)
        return (try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))), archive.entries, folder)
    }

    static func open(_ bytes: [UInt8], in folder: TemporaryDirectory) throws -> ZipError? {
        let path = folder.path("broken-\(UUID().uuidString).zip")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ZipArchive(path: path)
            return nil
        } catch {
            return error
        }
    }

    /// Offset of entry `index`'s record in the central directory.
    static func centralRecordOffset(_ entries: [ZipEntry], _ index: Int, directoryStart: Int) -> Int {
        directoryStart + entries[..<index].reduce(0) { $0 + $1.centralRecord.count }
    }

    @Test("the first broken local header in directory order is reported, in either half",
          arguments: [[100, 450], [450], [LargeDirectoryTests.count - 1, 3], [ZipArchive.parallelLocalHeaderThreshold * 2]])
    func firstBrokenLocalHeaderWins(_ broken: [Int]) throws {
        var (bytes, entries, folder) = try Self.archive()
        for index in broken { bytes[Int(entries[index].localHeaderOffset)] = 0 }
        let error = try #require(try Self.open(bytes, in: folder))
        #expect(error.kind == .badSignature, "\(error)")
        #expect(error.entry == entries[broken.min()!].name, "\(error)")
        #expect(error.offset == entries[broken.min()!].localHeaderOffset)
    }

    @Test("a broken central record after a broken local header: the local header, the earlier entry, wins")
    func earlierLocalHeaderBeatsLaterCentralRecord() throws {
        var (bytes, entries, folder) = try Self.archive()
        let archive = try ZipArchive(path: folder.path("many.zip"))
        let start = Int(archive.centralDirectoryOffset)
        // Entry 500's central name gets a backslash (unsafe); entry 300's local header loses its signature.
        let record = Self.centralRecordOffset(entries, 500, directoryStart: start)
        bytes[record + ZipRecordSize.centralHeader + 3] = UInt8(ascii: "\\")
        bytes[Int(entries[300].localHeaderOffset)] = 0
        let error = try #require(try Self.open(bytes, in: folder))
        #expect(error.kind == .badSignature && error.entry == entries[300].name, "\(error)")
        // With entry 300 mended, entry 500's central record is what fails.
        bytes[Int(entries[300].localHeaderOffset)] = 0x50
        let second = try #require(try Self.open(bytes, in: folder))
        #expect(second.kind == .unsafeName, "\(second)")
        #expect(second.offset == UInt64(record), "\(second)")
    }

    @Test("a broken central record before a broken local header: the central record, the earlier entry, wins")
    func earlierCentralRecordBeatsLaterLocalHeader() throws {
        var (bytes, entries, folder) = try Self.archive()
        let archive = try ZipArchive(path: folder.path("many.zip"))
        let record = Self.centralRecordOffset(entries, 200, directoryStart: Int(archive.centralDirectoryOffset))
        bytes[record] = 0  // the record's signature
        bytes[Int(entries[520].localHeaderOffset)] = 0
        let error = try #require(try Self.open(bytes, in: folder))
        #expect(error.kind == .badSignature, "\(error)")
        #expect(error.offset == UInt64(record), "\(error)")
    }

    @Test("a sound large directory reads the same entries as written, in order")
    func soundDirectory() throws {
        let (_, entries, _) = try Self.archive()
        #expect(entries.map(\.index) == Array(0..<Self.count))
        #expect(entries.map(\.name) == (0..<Self.count).map { "res/raw/item-\($0).txt" })
        #expect(entries.allSatisfy { $0.localHeaderRecord.count == ZipRecordSize.localHeader + $0.rawName.count + $0.localExtra.count })
    }
}

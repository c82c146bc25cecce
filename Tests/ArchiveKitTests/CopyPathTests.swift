@testable import ArchiveKit
import Foundation
import Testing
import TestSupport

/// How a repack moves untouched bytes: runs of unchanged entries as one range of the input,
/// copied inside the kernel through `SplicePipe`, into a preallocated file cut to its length.
@Suite("Repack: copying untouched bytes")
struct CopyPathTests {
    /// Bytes deflate cannot shrink (xorshift), so entries keep the sizes a test gives them.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    /// `count` deflated entries of `size` bytes each and one stored entry, written and then
    /// repacked once, so the archive is laid out exactly as a repack lays it out.
    static func repackedArchive(in folder: TemporaryDirectory, count: Int, size: Int) throws -> String {
        let written = folder.path("written.zip")
        let writer = try ZipWriter(destination: written)
        for index in 0..<count {
            try writer.add(name: "assets/part-\(index).bin", data: noise(size, seed: UInt64(index + 1)),
                           method: .deflated(level: 1))
        }
        try writer.add(name: "resources.arsc", data: noise(3000, seed: 99), method: .stored, alignment: 4)
        try writer.finish()
        let laidOut = folder.path("laid-out.zip")
        _ = try ArchiveRepacker().repack(ZipArchive(path: written), to: laidOut)
        return laidOut
    }

    @Test("a run of untouched entries is copied as one range: fewer splice calls than entries, same bytes")
    func untouchedEntriesAreOneCopy() throws {
        let folder = try TemporaryDirectory()
        let count = 300
        let input = try Self.repackedArchive(in: folder, count: count, size: 20_000)
        let output = folder.path("out.zip")
        let trace = folder.path("trace.txt")
        let result = try ProcessRunner.run("strace", ["-f", "-qq", "-e", "trace=splice,sendfile,copy_file_range", "-o", trace,
                                                      Project.appsealBinary.path, "archive", "repack", input, output])
        #expect(result.succeeded, "\(result.combined)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(contentsOf: URL(fileURLWithPath: input)))
        let calls = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("splice(") || $0.contains("sendfile(") || $0.contains("copy_file_range(") }
        // Entry by entry this is at least two splices for each of the 300 (20 KB is above the
        // threshold); as one range it is two per pipeful: ~12 with a 1 MiB pipe, ~190 with 64 KiB.
        #expect(!calls.isEmpty, "the data was not copied in the kernel")
        #expect(calls.count < count, "\(calls.count) copy calls for \(count) entries")
    }

    @Test("an output smaller than its input is cut to its length and keeps no preallocated blocks")
    func preallocationIsCut() throws {
        let folder = try TemporaryDirectory()
        let input = folder.path("in.zip")
        let writer = try ZipWriter(destination: input)
        try writer.add(name: "big.bin", data: Self.noise(6 << 20, seed: 7), method: .stored, alignment: 4)
        try writer.add(name: "small.txt", data: Array("kept".utf8), method: .deflated(level: 6))
        try writer.finish()
        let output = folder.path("out.zip")
        let archive = try ZipArchive(path: input)
        let report = try ArchiveRepacker().repack(archive, to: output, removing: ["big.bin"])
        let attributes = try FileManager.default.attributesOfItem(atPath: output)
        #expect((attributes[.size] as? NSNumber)?.uint64Value == report.outputSize)
        #expect(report.outputSize < 4096)
        var status = stat()
        #expect(stat(output, &status) == 0)
        #expect(Int(status.st_blocks) * 512 < 1 << 20, "\(status.st_blocks) blocks still allocated")
        let repacked = try ZipArchive(path: output)
        try repacked.check()
        #expect(repacked.entries.map(\.name) == ["small.txt"])
        let unzip = try ProcessRunner.run("unzip", ["-tqq", output])
        #expect(unzip.succeeded, "\(unzip.combined)")
    }

    @Test("an output larger than its input grows past the preallocation")
    func outputGrowsPastPreallocation() throws {
        let folder = try TemporaryDirectory()
        let input = folder.path("in.zip")
        let writer = try ZipWriter(destination: input)
        try writer.add(name: "a.txt", data: Array("a".utf8), method: .stored)
        try writer.finish()
        let addition = Self.noise(3 << 20, seed: 3)
        let output = folder.path("out.zip")
        let report = try ArchiveRepacker().repack(ZipArchive(path: input), to: output,
                                                  adding: [.init(name: "b.bin", data: addition, compress: false)])
        let attributes = try FileManager.default.attributesOfItem(atPath: output)
        #expect((attributes[.size] as? NSNumber)?.uint64Value == report.outputSize)
        let repacked = try ZipArchive(path: output)
        #expect(try repacked.readData(#require(repacked.entry(named: "b.bin"))) == addition)
    }

    @Test("an input that shrinks during a repack fails naming the entry the copy met, and leaves no output",
          arguments: [4_000, 20_000])
    func shrunkInputNamesTheEntry(entrySize: Int) throws {
        let folder = try TemporaryDirectory()
        // Laid out as a repack lays it out, so the five entries are one range, read into the
        // buffer (4 KB entries) or spliced behind the caller (20 KB).
        let input = try Self.repackedArchive(in: folder, count: 5, size: entrySize)
        let archive = try ZipArchive(path: input)
        let third = archive.entries[2]
        #expect(truncate(input, off_t(third.dataOffset + third.compressedSize / 2)) == 0)
        let output = folder.path("out.zip")
        do {
            _ = try ArchiveRepacker().repack(archive, to: output)
            Issue.record("repack of a shrunk input succeeded")
        } catch let error as ZipError {
            #expect(error.kind == .truncated, "\(error)")
            #expect(error.entry == third.name, "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["laid-out.zip", "written.zip"])
    }

    @Test("the splice pipe copies a range at offsets aligned to nothing, byte for byte")
    func splicePipeCopiesMisalignedRanges() throws {
        let folder = try TemporaryDirectory()
        let sourcePath = folder.path("source.bin")
        let bytes = Self.noise(3 << 20, seed: 11)
        try Data(bytes).write(to: URL(fileURLWithPath: sourcePath))
        let source = try ReadOnlyFile(path: sourcePath)
        let destinationPath = folder.path("copy.bin")
        let destination = open(destinationPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        #expect(destination >= 0)
        defer { close(destination) }
        let pipe = try #require(SplicePipe())
        let start = 12_345, length = (5 << 19) + 3, at = 777
        #expect(try pipe.copy(from: source.descriptor, at: UInt64(start), to: destination, at: UInt64(at),
                              count: UInt64(length), destinationPath: destinationPath) == .copied)
        let copied = try [UInt8](Data(contentsOf: URL(fileURLWithPath: destinationPath)))
        #expect(copied.count == at + length)
        #expect(copied[..<at].allSatisfy { $0 == 0 })
        #expect(Array(copied[at...]) == Array(bytes[start..<(start + length)]))
    }

    @Test("a range past the end of the input is refused as truncated")
    func splicePastTheEnd() throws {
        let folder = try TemporaryDirectory()
        let sourcePath = folder.path("source.bin")
        try Data(Self.noise(100_000, seed: 5)).write(to: URL(fileURLWithPath: sourcePath))
        let source = try ReadOnlyFile(path: sourcePath)
        let destination = open(folder.path("copy.bin"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(destination) }
        let pipe = try #require(SplicePipe())
        #expect(throws: ZipError.self) {
            _ = try pipe.copy(from: source.descriptor, at: 90_000, to: destination, at: 0, count: 20_000,
                              destinationPath: "copy.bin")
        }
    }
}

import ArchiveKit
import Foundation
import Testing
import TestSupport

/// Archives made by other writers: Info-ZIP `zip` (with its extra fields, and streamed with
/// data descriptors and zip64) and Python's zipfile (zip64, UTF-8 names, long comments).
@Suite("Archives made by zip and Python")
struct ForeignArchiveTests {
    static func makeTree(in folder: TemporaryDirectory) throws -> URL {
        let tree = folder.url.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("lib/arm64-v8a"), withIntermediateDirectories: true)
        try Data(String(repeating: "compressible text\n", count: 5000).utf8).write(to: tree.appendingPathComponent("a.txt"))
        try Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }).write(to: tree.appendingPathComponent("lib/arm64-v8a/libz.so"))
        try Data().write(to: tree.appendingPathComponent("empty.txt"))
        return tree
    }

    static func verify(_ path: String) throws {
        let archive = try ZipArchive(path: path)
        try archive.check()
        let python = try PythonZip.listing(of: path)
        #expect(archive.entries.map(\.name) == python.map(\.name))
        #expect(archive.entries.map(\.crc32) == python.map(\.crc))
        #expect(archive.entries.map(\.uncompressedSize) == python.map(\.size))
        let folder = try TemporaryDirectory()
        let out = folder.path("repacked.zip")
        _ = try ArchiveRepacker().repack(archive, to: out)
        #expect(try ProcessRunner.run("unzip", ["-tqq", out]).succeeded)
        #expect(try ProcessRunner.run("zipalign", ["-c", "-p", "4", out]).succeeded)
    }

    @Test("zip -r (Unix extra fields, mixed stored and deflated)")
    func infoZip() throws {
        let folder = try TemporaryDirectory()
        let tree = try Self.makeTree(in: folder)
        let path = folder.path("info.zip")
        let result = try ProcessRunner.run("zip", ["-q", "-r", "-n", ".so", path, "."], currentDirectory: tree)
        #expect(result.succeeded, "\(result.combined)")
        try Self.verify(path)
        let archive = try ZipArchive(path: path)
        #expect(archive.entry(named: "lib/arm64-v8a/libz.so")?.method == .stored)
        #expect(archive.entry(named: "a.txt")?.method == .deflated)
    }

    @Test("zip streaming to stdout (data descriptors with signature, zip64 extras)")
    func streamedZip() throws {
        let folder = try TemporaryDirectory()
        let tree = try Self.makeTree(in: folder)
        let path = folder.path("streamed.zip")
        let result = try ProcessRunner.run("/bin/sh", ["-c", "zip -q -r - . | cat > '\(path)'"], currentDirectory: tree)
        #expect(result.succeeded, "\(result.combined)")
        let archive = try ZipArchive(path: path)
        #expect(archive.entries.contains { $0.hasDataDescriptor && $0.dataDescriptorLength > 0 })
        try Self.verify(path)
    }

    @Test("Python zipfile: zip64, UTF-8 and CP437 names, comment of 65535 bytes, data descriptors")
    func pythonZip() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("python.zip")
        let script = """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.comment = b'c' * 65535
            z.writestr(zipfile.ZipInfo('stored.bin'), bytes(range(256)) * 40)
            z.writestr('deflated.txt', 'hello ' * 4000, compress_type=zipfile.ZIP_DEFLATED)
            z.writestr('ünïcödé/名前.txt', 'utf-8 name', compress_type=zipfile.ZIP_DEFLATED)
            with z.open('big64.txt', 'w', force_zip64=True) as f:
                f.write(b'zip64 entry ' * 1000)
        # An unseekable target makes zipfile write data descriptors.
        class Stream:
            def __init__(self, f): self.f = f
            def write(self, b): return self.f.write(b)
            def flush(self): self.f.flush()
        with open(sys.argv[2], 'wb') as raw:
            with zipfile.ZipFile(Stream(raw), 'w', compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr('streamed.txt', 'descriptor ' * 500)
        """
        let streamed = folder.path("descriptors.zip")
        let result = try ProcessRunner.run("python3", ["-c", script, path, streamed])
        #expect(result.succeeded, "\(result.combined)")
        try Self.verify(path)
        try Self.verify(streamed)
        let archive = try ZipArchive(path: path)
        #expect(archive.comment.count == 65535)
        #expect(archive.entry(named: "ünïcödé/名前.txt") != nil)
        #expect(archive.entry(named: "big64.txt")?.localExtra.prefix(2) == [1, 0])
        #expect(try ZipArchive(path: streamed).entries[0].hasDataDescriptor)
    }

    @Test("names without the UTF-8 flag that are not UTF-8 decode as CP437")
    func cp437Names() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("cp437.zip")
        let bytes = TestZip([TestZip.Entry("x", [1, 2, 3])])
        var zip = bytes
        zip.entries[0].name = [0x80, 0x81, 0x82, 0x2E, 0x74]  // "Çüé.t" in CP437
        zip.entries[0].localName = zip.entries[0].name
        try zip.build().bytes.write(to: path)
        let archive = try ZipArchive(path: path)
        #expect(archive.entries[0].name == "Çüé.t")
        #expect(try PythonZip.listing(of: path).map(\.name) == ["Çüé.t"])
    }
}

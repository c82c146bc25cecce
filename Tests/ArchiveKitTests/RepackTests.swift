import ArchiveKit
import Foundation
import Testing
import TestSupport

/// Every sound fixture package goes through `appseal archive repack` and the ecosystem's tools.
@Suite("Repacking the fixture packages", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct RepackTests {
    /// unzip -t refuses an archive with no entries at all ("zipfile is empty"), which is not our doing.
    static let emptyArchives: Set<String> = ["apk/apksig/empty-unsigned.apk"]

    @Test("repack passes unzip -t and zipalign -c -p 4, and repacking again is byte-identical",
          arguments: FixtureReadTests.soundPackages)
    func repackFixture(_ relative: String) throws {
        let input = Fixtures.url(relative).path
        let folder = try TemporaryDirectory()
        let first = folder.path("first.apk"), second = folder.path("second.apk")
        let original = try ZipArchive(path: input)
        let report = try ArchiveRepacker().repack(original, to: first)
        #expect(report.entries == original.entries.count)
        #expect(report.copiedRaw == original.entries.count)
        let output = try ZipArchive(path: first)
        try output.check()
        #expect(output.signingBlock == nil)
        for (before, after) in zip(original.entries, output.entries) {
            #expect(before.rawName == after.rawName && before.crc32 == after.crc32 && before.method == after.method)
            if after.method == .stored {
                #expect(after.dataOffset % (after.name.hasSuffix(".so") ? 16384 : 4) == 0, "\(after.name)")
            }
        }
        if !Self.emptyArchives.contains(relative) {
            let unzip = try ProcessRunner.run("unzip", ["-tqq", first])
            #expect(unzip.succeeded, "\(unzip.combined)")
        }
        let zipalign = try ProcessRunner.run("zipalign", ["-c", "-p", "-v", "4", first])
        #expect(zipalign.succeeded, "\(zipalign.combined)")
        _ = try ArchiveRepacker().repack(output, to: second)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["first.apk", "second.apk"])
    }

    @Test("Python's zipfile reads the same names and CRCs from every repacked package")
    func pythonReadsRepacked() throws {
        let folder = try TemporaryDirectory()
        var expected: [String: [ZipEntry]] = [:]
        for (index, relative) in FixtureReadTests.soundPackages.enumerated() {
            let original = try ZipArchive(path: Fixtures.url(relative).path)
            let out = folder.path("\(index).zip")
            _ = try ArchiveRepacker().repack(original, to: out)
            expected[out] = original.entries
        }
        let python = try PythonZip.listings(of: expected.keys.sorted())
        for (path, entries) in expected {
            let theirs = try #require(python[path])
            #expect(theirs.map(\.name) == entries.map(\.name), "\(path)")
            #expect(theirs.map(\.crc) == entries.map(\.crc32), "\(path)")
        }
    }

    @Test("broken packages are refused by repack and leave no output", arguments: FixtureReadTests.broken.keys.sorted())
    func brokenFixtureIsRefused(_ relative: String) throws {
        let folder = try TemporaryDirectory()
        let out = folder.path("out.apk")
        let result = try ProcessRunner.appseal(["archive", "repack", Fixtures.url(relative).path, out])
        #expect(result.status == 3, "\(result.combined)")
        #expect(result.stderr.hasPrefix("error: "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test("--level re-deflates, replaced and added entries land where asked")
    func edits() throws {
        let input = try ZipArchive(path: Fixtures.url("apk/apksig/golden-aligned-in.apk").path)
        let folder = try TemporaryDirectory()
        let path = folder.path("edited.apk")
        let repacker = ArchiveRepacker(options: .init(recompressionLevel: 1, alignmentStyle: .apksigner))
        let manifest = Array("replaced manifest".utf8)
        let report = try repacker.repack(input, to: path, replacing: ["AndroidManifest.xml": manifest],
                                         removing: ["temp2.txt"],
                                         adding: [.init(name: "assets/client.p12", data: [1, 2, 3], compress: false)])
        #expect(report.replaced == 1 && report.removed == 1 && report.added == 1)
        #expect(report.recompressed == input.entries.filter { $0.method == .deflated }.count - 2)
        let output = try ZipArchive(path: path)
        try output.check()
        #expect(try output.readData(try #require(output.entry(named: "AndroidManifest.xml"))) == manifest)
        #expect(output.entry(named: "temp2.txt") == nil)
        let added = try #require(output.entry(named: "assets/client.p12"))
        #expect(added.dataOffset % 4 == 0 && added.localExtra.prefix(2) == [0x35, 0xD9])
        #expect(try ProcessRunner.run("zipalign", ["-c", "-p", "4", path]).succeeded)
        #expect(throws: ZipError.self) { try repacker.repack(input, to: folder.path("x.apk"), removing: ["missing"]) }
    }
}

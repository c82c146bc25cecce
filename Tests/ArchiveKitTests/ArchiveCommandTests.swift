import ArchiveKit
import Foundation
import Testing
import TestSupport

/// `appseal archive …` run as the real binary.
@Suite("appseal archive commands", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct ArchiveCommandTests {
    static let signed = Fixtures.url("apk/apksig/golden-aligned-v1v2-out.apk").path

    struct Listing: Decodable {
        struct Entry: Decodable {
            let name: String
            let method: String
            let crc32: String
            let compressedSize: UInt64
            let uncompressedSize: UInt64
            let dataOffset: UInt64
        }
        struct Region: Decodable {
            let offset: UInt64
            let length: UInt64
            let pairIDs: [String]
        }
        let entryCount: Int
        let centralDirectoryOffset: UInt64
        let signingBlock: Region?
        let entries: [Entry]
    }

    @Test("list --json matches the library and shows the signing block")
    func listJSON() throws {
        let result = try ProcessRunner.appseal(["archive", "list", "--json", Self.signed])
        #expect(result.status == 0, "\(result.stderr)")
        let listing = try JSONDecoder().decode(Listing.self, from: result.stdoutData)
        let archive = try ZipArchive(path: Self.signed)
        #expect(listing.entries.map(\.name) == archive.entries.map(\.name))
        #expect(listing.entries.map(\.dataOffset) == archive.entries.map(\.dataOffset))
        #expect(listing.entries.first?.crc32 == String(format: "0x%08x", archive.entries[0].crc32))
        #expect(listing.signingBlock?.offset == archive.signingBlock?.offset)
        #expect(listing.signingBlock?.pairIDs.contains("0x7109871a") == true)
    }

    @Test("list prints one line per entry and a summary")
    func listText() throws {
        let result = try ProcessRunner.appseal(["archive", "list", Self.signed])
        #expect(result.status == 0)
        let archive = try ZipArchive(path: Self.signed)
        for entry in archive.entries { #expect(result.stdout.contains("  \(entry.name)\n")) }
        #expect(result.stdout.contains("\(archive.entries.count) entries"))
        #expect(result.stdout.contains("APK Signing Block at \(archive.signingBlock!.offset)"))
    }

    @Test("check passes a sound archive (exit 0) and fails a damaged one (exit 3)")
    func check() throws {
        let good = try ProcessRunner.appseal(["archive", "check", "--json", Self.signed])
        #expect(good.status == 0)
        #expect(good.stdout.contains("\"ok\" : true"))
        let bad = try ProcessRunner.appseal(["archive", "check", Fixtures.url("apk/apksig/v2-only-truncated-cd.apk").path])
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("central directory"))
        let missing = try ProcessRunner.appseal(["archive", "check", "/nonexistent/app.apk"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("cannot open"))
    }

    @Test("repack aligns, drops the old signing block with a note, and zipalign agrees")
    func repack() throws {
        let folder = try TemporaryDirectory()
        let out = folder.path("out.apk")
        let result = try ProcessRunner.appseal(["archive", "repack", Self.signed, out, "--align", "4", "--page-align", "16"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("sign the output again"))
        #expect(try ProcessRunner.run("zipalign", ["-c", "-p", "-v", "4", out]).succeeded)
        let so = try #require(try ZipArchive(path: out).entries.first { $0.name.hasSuffix(".so") })
        #expect(so.dataOffset % 16384 == 0)

        let json = try ProcessRunner.appseal(["archive", "repack", "--json", "--level", "1", "--style", "apksigner",
                                              Self.signed, folder.path("json.apk")])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONDecoder().decode(ArchiveRepacker.Report.self, from: json.stdoutData)
        #expect(report.recompressed > 0 && report.droppedSigningBlock)
        let stored = try #require(try ZipArchive(path: folder.path("json.apk")).entries.first { $0.method == .stored })
        #expect(stored.localExtra.prefix(2) == [0x35, 0xD9])
    }

    @Test("bad options are usage errors (exit 2)", arguments: [
        ["--align", "3"], ["--page-align", "8"], ["--level", "12"], ["--style", "other"], ["--style", "apksigner", "--page-align", "64"],
    ])
    func usageErrors(_ options: [String]) throws {
        let folder = try TemporaryDirectory()
        let result = try ProcessRunner.appseal(["archive", "repack", Self.signed, folder.path("o.apk")] + options)
        #expect(result.status == 2, "\(result.combined)")
        #expect(result.stderr.hasPrefix("error: --"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test("repack refuses to write over its input")
    func inputIsNeverTheOutput() throws {
        let folder = try TemporaryDirectory()
        let copy = folder.path("app.apk")
        try FileManager.default.copyItem(atPath: Self.signed, toPath: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let result = try ProcessRunner.appseal(["archive", "repack", copy, folder.url.appendingPathComponent("./app.apk").path])
        #expect(result.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }

    @Test("help lists the three subcommands")
    func help() throws {
        let result = try ProcessRunner.appseal(["archive", "--help"])
        #expect(result.status == 0)
        for name in ["list", "check", "repack"] { #expect(result.stdout.contains("  \(name) ")) }
        let repack = try ProcessRunner.appseal(["help", "archive", "repack"])
        #expect(repack.stdout.contains("--page-align <KiB>"))
    }
}

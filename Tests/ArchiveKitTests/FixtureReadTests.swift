import ArchiveKit
import Foundation
import Testing
import TestSupport

/// Every package in the fixtures either reads and checks cleanly, or is one of the known
/// broken files and fails with the kind of error that describes what is wrong with it.
@Suite("Reading the fixture packages", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct FixtureReadTests {
    /// The fixtures whose ZIP structure is damaged on purpose, and what the reader must say.
    static let broken: [String: ZipError.Kind] = [
        "apk/apksig/incorrect-manifest-size.apk": .headerMismatch,
        "apk/apksig/invalid_manifest.apk": .notAZip,
        "apk/apksig/mismatched-compression-method.apk": .headerMismatch,
        "apk/apksig/v1-only-with-nul-in-entry-name.apk": .unsafeName,
        "apk/apksig/v2-only-apk-sig-block-size-mismatch.apk": .signingBlock,
        "apk/apksig/v2-only-garbage-between-cd-and-eocd.apk": .invalidField,
        "apk/apksig/v2-only-truncated-cd.apk": .outOfBounds,
        "apk/apksig/v2-only-wrong-apk-sig-block-magic.apk": .signingBlock,
        "apk/apksig/v3-only-with-rsa-pkcs1-sha512-8192-digest-mismatch.apk": .headerMismatch,
        "apk/apksig/weird-compression-method.apk": .unsupportedMethod,
        "apk/edge/apkInspector-minimal_SIZE_ExtraField.apk": .invalidField,
        "apk/edge/apkInspector-minimal_def_mod.apk": .unsupportedMethod,
        "apk/edge/apktool-issue1498.apk": .unsafeName,
    ]

    static var packages: [String] {
        (Fixtures.files(under: "apk", extensions: ["apk"]) + Fixtures.files(under: "aab", extensions: ["aab"])
            + Fixtures.files(under: "ipa", extensions: ["ipa"])).map(Fixtures.relativePath)
    }

    static var soundPackages: [String] { packages.filter { broken[$0] == nil } }

    @Test("sound packages open and every entry's CRC checks", arguments: soundPackages)
    func soundPackageChecks(_ relative: String) throws {
        let archive = try ZipArchive(path: Fixtures.url(relative).path)
        try archive.check()
    }

    @Test("Python's zipfile reads the same names, CRCs and sizes from every sound package")
    func pythonAgrees() throws {
        let paths = Self.soundPackages.map { Fixtures.url($0).path }
        let python = try PythonZip.listings(of: paths)
        for path in paths {
            let archive = try ZipArchive(path: path)
            let theirs = try #require(python[path], "\(path)")
            #expect(archive.entries.map(\.name) == theirs.map(\.name), "\(path)")
            #expect(archive.entries.map(\.crc32) == theirs.map(\.crc), "\(path)")
            #expect(archive.entries.map(\.uncompressedSize) == theirs.map(\.size), "\(path)")
        }
    }

    @Test("broken packages fail with the error that names their defect", arguments: broken.keys.sorted())
    func brokenPackageFails(_ relative: String) throws {
        let path = Fixtures.url(relative).path
        let error = try #require(throws: ZipError.self) {
            let archive = try ZipArchive(path: path)
            try archive.check()
        }
        #expect(error.kind == Self.broken[relative])
        #expect(error.archive == path)
        #expect(error.offset != nil)
    }

    @Test("the signing block of a v2-signed APK is exposed with its pairs")
    func signingBlockIsExposed() throws {
        let archive = try ZipArchive(path: Fixtures.url("apk/apksig/golden-aligned-v1v2-out.apk").path)
        let block = try #require(archive.signingBlock)
        #expect(block.end == archive.centralDirectoryOffset)
        #expect(archive.signingBlockPairs.map(\.id).contains(0x7109_871A))
        let magic = try archive.readBytes(at: block.end - 16, count: 16)
        #expect(magic == Array("APK Sig Block 42".utf8))
    }

    @Test("a DEX prefix before the first entry (Janus) is exposed and not copied by repack")
    func janusPrefix() throws {
        let archive = try ZipArchive(path: Fixtures.url("apk/edge/janus.apk").path)
        #expect(archive.prefixLength == 1032)
        #expect(try archive.readBytes(at: 0, count: 4) == Array("dex\n".utf8))
        let folder = try TemporaryDirectory()
        let report = try ArchiveRepacker().repack(archive, to: folder.path("out.apk"))
        #expect(report.droppedPrefixBytes == 1032)
        let output = try ZipArchive(path: folder.path("out.apk"))
        #expect(output.prefixLength == 0)
        #expect(output.entries.first?.localHeaderOffset == 0)
    }

    @Test("an unsafe name is accepted when the caller asks for it")
    func unsafeNamesOnRequest() throws {
        var limits = ZipLimits.default
        limits.allowUnsafeNames = true
        let archive = try ZipArchive(path: Fixtures.url("apk/edge/apktool-issue1498.apk").path, limits: limits)
        #expect(archive.entry(named: "../assets/0/logo.png") != nil)
    }
}

@testable import AndroidPackage
import ArchiveKit
import Foundation
import Testing
import TestSupport

/// The one-pass build path: the signer writes the build's replaced and added entries itself.
@Suite("Signing: one pass with a build's edits", .needsFixtures)
struct SigningEditsTests {
    static let input = "apk/apksig/golden-aligned-in.apk"

    static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    static func expectToolsAccept(_ path: String) throws {
        let apksigner = try ProcessRunner.run("apksigner", ["verify", "-v", path])
        #expect(apksigner.succeeded, "\(apksigner.combined)")
        #expect(apksigner.stdout.contains("Verified using v1 scheme (JAR signing): true"))
        #expect(apksigner.stdout.contains("Verified using v2 scheme (APK Signature Scheme v2): true"))
        #expect(apksigner.stdout.contains("Verified using v3 scheme (APK Signature Scheme v3): true"))
        let zipalign = try ProcessRunner.run("zipalign", ["-c", "-p", "-v", "4", path])
        #expect(zipalign.succeeded, "\(zipalign.combined)")
        let unzip = try ProcessRunner.run("unzip", ["-tq", path])
        #expect(unzip.succeeded, "\(unzip.combined)")
    }

    @Test func replacedAndAddedEntriesAreWrittenAlignedAndSignedInOnePass() throws {
        let folder = try TemporaryDirectory()
        let output = folder.path("out.apk")
        let text = Array(String(repeating: "replaced deflated text ", count: 200).utf8)
        let table = Self.pattern(1001, seed: 7)
        let blob = Self.pattern(777, seed: 3)
        let library = Self.pattern(5000, seed: 9)
        let edits = ApkEdits(replacements: ["temp.txt": text, "resources.arsc": table],
                             additions: [.init(name: "assets/appseal/sealed.bin", data: blob, compressed: false),
                                         .init(name: "lib/armeabi/libextra.so", data: library, compressed: false),
                                         .init(name: "assets/notes.txt", data: text, compressed: true)])
        let result = try ApkSigner.sign(input: Fixtures.url(Self.input).path, output: output,
                                        identity: try SigningGoldenTests.identity(),
                                        options: ApkSigningOptions(digestsOutput: true), edits: edits)
        #expect(result.entriesReplaced == 2)
        #expect(result.entriesAdded == 3)
        #expect(result.schemes == [.v1, .v2, .v3])
        try Self.expectToolsAccept(output)

        let archive = try ZipArchive(path: output)
        let names = archive.entries.map(\.name)
        #expect(names == ["AndroidManifest.xml", "classes.dex", "temp.txt", "lib/armeabi/fake.so", "resources.arsc", "temp2.txt",
                          "assets/appseal/sealed.bin", "lib/armeabi/libextra.so", "assets/notes.txt",
                          "META-INF/CERT.SF", "META-INF/CERT.RSA", "META-INF/MANIFEST.MF"])
        let replacedText = try #require(archive.entry(named: "temp.txt"))
        #expect(replacedText.method == .deflated, "a replaced entry keeps its method")
        #expect(try archive.readData(replacedText) == text)
        let replacedTable = try #require(archive.entry(named: "resources.arsc"))
        #expect(replacedTable.method == .stored)
        #expect(try archive.readData(replacedTable) == table)
        #expect(replacedTable.dataOffset % 4 == 0)
        let original = try ZipArchive(path: Fixtures.url(Self.input).path)
        #expect(replacedTable.dosDate == original.entry(named: "resources.arsc")?.dosDate, "a replaced entry keeps its time")
        let sealed = try #require(archive.entry(named: "assets/appseal/sealed.bin"))
        #expect(sealed.method == .stored && sealed.dataOffset % 4 == 0)
        #expect(try archive.readData(sealed) == blob)
        let added = try #require(archive.entry(named: "lib/armeabi/libextra.so"))
        #expect(added.dataOffset % 16384 == 0, "stored .so on a 16 KiB page")
        #expect(try archive.readData(added) == library)
        #expect(try archive.readData(try #require(archive.entry(named: "assets/notes.txt"))) == text)

        let manifest = String(decoding: try archive.readData(try #require(archive.entry(named: "META-INF/MANIFEST.MF"))), as: UTF8.self)
        for name in ["assets/appseal/sealed.bin", "lib/armeabi/libextra.so", "assets/notes.txt", "temp.txt", "resources.arsc"] {
            #expect(manifest.contains("Name: \(name)\r\n"), "\(name) is listed in the v1 manifest")
        }
        let report = try ApkVerifier.verify(path: output)
        #expect(report.verified, "\(report.errors)")

        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        let expected = Hashing.hash(bytes, .sha256).map { String(format: "%02x", $0) }.joined()
        #expect(result.outputSHA256 == expected, "the streamed SHA-256 is the written file's")
        #expect(result.outputSize == bytes.count)
    }

    @Test func anAdditionSupersedesTheInputEntryOfTheSameName() throws {
        let folder = try TemporaryDirectory()
        let output = folder.path("out.apk")
        let content = Self.pattern(300, seed: 1)
        let session = try ApkSigningSession(input: Fixtures.url(Self.input).path, output: output,
                                            identity: try SigningGoldenTests.identity(),
                                            edits: ApkEdits(additions: [.init(name: "temp2.txt", data: content, compressed: false)]))
        #expect(session.supersededEntries == ["temp2.txt"])
        #expect(Set(session.strippedEntries) == ["META-INF/", "META-INF/MANIFEST.MF"])
        try session.writeEntries()
        _ = try session.finish()
        let archive = try ZipArchive(path: output)
        #expect(archive.entries.filter { $0.name == "temp2.txt" }.count == 1)
        let entry = try #require(archive.entry(named: "temp2.txt"))
        #expect(entry.method == .stored)
        #expect(try archive.readData(entry) == content)
        try Self.expectToolsAccept(output)
    }

    @Test(arguments: [
        ApkEdits(replacements: ["missing.txt": [1]]),
        ApkEdits(replacements: ["META-INF/MANIFEST.MF": [1]]),
        ApkEdits(additions: [.init(name: "META-INF/OTHER.SF", data: [1], compressed: true)]),
        ApkEdits(additions: [.init(name: "assets/", data: [], compressed: false)]),
        ApkEdits(additions: [.init(name: "a.bin", data: [1], compressed: false), .init(name: "a.bin", data: [2], compressed: false)]),
        ApkEdits(replacements: ["temp.txt": [1]], additions: [.init(name: "temp.txt", data: [2], compressed: false)]),
    ])
    func invalidEditsAreRefusedBeforeAnythingIsWritten(_ edits: ApkEdits) throws {
        let folder = try TemporaryDirectory()
        do {
            _ = try ApkSigner.sign(input: Fixtures.url(Self.input).path, output: folder.path("out.apk"),
                                   identity: try SigningGoldenTests.identity(), edits: edits)
            Issue.record("edits were accepted")
        } catch let error as ApkSigningError {
            guard case .invalidOptions = error else { Issue.record("unexpected error \(error)"); return }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test func aSessionDroppedBeforeFinishLeavesNothing() throws {
        let folder = try TemporaryDirectory()
        do {
            let session = try ApkSigningSession(input: Fixtures.url(Self.input).path, output: folder.path("out.apk"),
                                                identity: try SigningGoldenTests.identity())
            try session.writeEntries()
            #expect(FileManager.default.fileExists(atPath: session.temporaryPath))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }
}

/// The content digest computed on worker threads while writing equals the definition, whatever
/// the number of workers and however the bytes arrive.
@Suite("Signing: parallel content digest")
struct ParallelContentDigestTests {
    /// CHUNKED_SHA256 as the scheme defines it, written out plainly.
    static func reference(_ sections: [[UInt8]]) -> [UInt8] {
        var chunkDigests: [UInt8] = []
        var count = 0
        for section in sections {
            var start = 0
            while start < section.count {
                let chunk = Array(section[start..<min(start + (1 << 20), section.count)])
                let length = UInt32(chunk.count)
                let prefix: [UInt8] = [0xA5, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
                chunkDigests += Hashing.hash(prefix + chunk, .sha256)
                count += 1
                start += 1 << 20
            }
        }
        let header: [UInt8] = [0x5A, UInt8(count & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 24 & 0xFF)]
        return Hashing.hash(header + chunkDigests, .sha256)
    }

    @Test(arguments: [1, 2, 5])
    func streamedDigestEqualsTheDefinition(parallelism: Int) {
        var generator = SystemRandomNumberGenerator()
        let entries = (0..<(3 * (1 << 20) + 12_345)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let directory = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let endRecord = [UInt8](repeating: 0x50, count: 22)
        let digest = StreamingContentDigest([.chunkedSHA256], parallelism: parallelism)
        var offset = 0
        while offset < entries.count {
            let piece = min(entries.count - offset, Int.random(in: 1...300_000, using: &generator))
            digest.append(Array(entries[offset..<(offset + piece)]))
            offset += piece
        }
        digest.finishSection()
        digest.append(directory)
        digest.finishSection()
        digest.append(endRecord)
        let streamed = digest.finalize()[.chunkedSHA256]
        #expect(streamed == Self.reference([entries, directory, endRecord]))
        let computed = try? ContentDigester.compute([.chunkedSHA256], sections: [.bytes(entries), .bytes(directory), .bytes(endRecord)],
                                                    parallelism: parallelism)[.chunkedSHA256]
        #expect(computed == streamed, "the verifier's digest code agrees")
    }
}

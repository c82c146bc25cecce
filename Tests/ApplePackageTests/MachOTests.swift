import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("Mach-O against LIEF", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct MachOTests {
    static let files = Fixtures.files(under: "macho").map(Fixtures.relativePath)

    @Test("every Mach-O fixture agrees with LIEF, slice by slice")
    func agreesWithLIEF() throws {
        let paths = Self.files.map { Fixtures.url($0).path }
        #expect(paths.count == 16)
        let lief = try IndependentReaders.lief(paths)
        for path in paths {
            let file = try MachOFile(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            let expected = try #require(lief[path], "LIEF said nothing about \(path)")
            try #require(file.slices.count == expected.count, "\(path): slice count")
            for (slice, other) in zip(file.slices, expected) {
                let name = "\(path) \(slice.cpu.name)"
                #expect(slice.cpu.type == other.cpuType, "\(name) cputype")
                #expect(slice.cpu.subtype == other.cpuSubtype, "\(name) cpusubtype")
                #expect(slice.offset == other.fatOffset, "\(name) fat offset")
                #expect(MachOSlice.fileTypeName(other.fileType) == slice.fileType, "\(name) file type")
                #expect(slice.loadCommands.map { [Int($0.command), $0.size, $0.offset] } == other.commands, "\(name) load commands")
                #expect(slice.linkedDylibs.map(\.path) == other.dylibs, "\(name) linked dylibs")
                #expect(slice.encryption.map { Int($0.cryptID) } == other.cryptID, "\(name) cryptid")
                #expect(slice.codeSignatureOffset.map { [$0, slice.codeSignatureSize!] } == other.signature, "\(name) LC_CODE_SIGNATURE")
                #expect(slice.isSigned == (other.signature != nil), "\(name) signed")
                #expect(slice.uuid == other.uuid.map(MachOSlice.formatUUID), "\(name) uuid")
                #expect(Dictionary(slice.segments.map { ($0.name, $0.sections) }, uniquingKeysWith: { $1 }) == other.segments, "\(name) segments")
                let liefVersion = other.buildMinOS ?? other.versionMin
                let expectedVersion = liefVersion.map { parts in
                    parts[2] == 0 ? "\(parts[0]).\(parts[1])" : "\(parts[0]).\(parts[1]).\(parts[2])"
                }
                #expect(slice.minimumOS?.version == expectedVersion, "\(name) minimum OS")
                #expect(slice.minimumOS?.source == (other.buildMinOS != nil ? "LC_BUILD_VERSION" : slice.minimumOS?.source), "\(name) minimum OS source")
            }
        }
    }

    @Test("architecture names of the fixtures", arguments: [
        ("macho/isign-libswiftDispatch.dylib", ["armv7", "armv7s", "arm64"], true),
        ("macho/r2-TestRTTI-arm64e", ["arm64e"], false),
        ("macho/r2-fatmach0-3true", ["x86_64", "i386", "ppc"], true),
        ("macho/r2-ppc-ls", ["ppc"], false),
        ("macho/r2-libswiftCoreFoundation.dylib", ["arm64"], true),
        ("macho/r2-ls-sequoia", ["x86_64", "arm64e"], true),
    ])
    func architectures(path: String, names: [String], fat: Bool) throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
        #expect(file.slices.map(\.cpu.name) == names)
        #expect(file.isFat == fat)
    }

    @Test("a big-endian PowerPC binary is read with big-endian fields")
    func bigEndian() throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data("macho/r2-ppc-ls")))
        let slice = try #require(file.slices.first)
        #expect(slice.isBigEndian)
        #expect(slice.fileType == "execute")
        #expect(slice.linkedDylibs.contains { $0.path == "/usr/lib/libSystem.B.dylib" })
    }

    @Test("a signature-stripped binary whose __LINKEDIT still claims the old size is read with a warning")
    func strippedSignatureWarning() throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data("macho/isign-unsigned-fat-armv7-arm64")))
        let warned = file.slices.filter { !$0.warnings.isEmpty }
        #expect(!warned.isEmpty)
        #expect(warned.allSatisfy { $0.warnings.allSatisfy { $0.hasPrefix("segment __LINKEDIT") } })
        let signed = try MachOFile(bytes: [UInt8](try Fixtures.data("macho/isign-signed-fat-armv7-arm64")))
        #expect(signed.slices.allSatisfy { $0.warnings.isEmpty })
    }

    @Test("not Mach-O: a clear error with the offset and the magic found")
    func notMachO() {
        let bytes: [UInt8] = Array("PK\u{3}\u{4} this is a zip".utf8)
        #expect(throws: ApplePackageError.malformed(structure: "Mach-O header", offset: 0,
                                                    expected: "Mach-O magic (feedface/feedfacf/cafebabe), got 504b0304")) {
            try MachOFile(bytes: bytes)
        }
    }

    @Test("a fat header that claims 4 billion slices is refused before any allocation")
    func hostileFatCount() {
        let bytes: [UInt8] = [0xca, 0xfe, 0xba, 0xbe, 0xff, 0xff, 0xff, 0xff] + Array(repeating: 0, count: 64)
        #expect(throws: ApplePackageError.self) { try MachOFile(bytes: bytes) }
        do {
            _ = try MachOFile(bytes: bytes)
        } catch {
            #expect(error.offset == 4)
        }
    }

    @Test("a load command whose size runs past sizeofcmds is refused with its offset")
    func loadCommandOverrun() throws {
        var bytes = [UInt8](try Fixtures.data("macho/r2-hello-ios-arm64"))
        // First load command starts at 32 (64-bit header); make its cmdsize huge.
        bytes.replaceSubrange(36..<40, with: [0x00, 0x00, 0x10, 0x00])
        #expect(throws: ApplePackageError.truncated(structure: "LC_SEGMENT_64", offset: 32, needed: 0x10_0000)) {
            try MachOFile(bytes: bytes)
        }
    }
}

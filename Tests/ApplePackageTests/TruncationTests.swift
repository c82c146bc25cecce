import Foundation
import Testing
import TestSupport
@testable import ApplePackage

/// Every prefix of a valid input, and deterministic byte flips, must give a typed error with an
/// offset inside the input (or a successful parse), never a crash or a hang.
@Suite("Truncated and corrupted Mach-O and code signatures",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct TruncationTests {
    @Test("every prefix of a thin and a fat Mach-O is refused with an offset inside the data, or flagged truncated", arguments: [
        "macho/zsign-demo1.dylib", "macho/r2-hello-osx-i386", "macho/r2-hellocxx-osx-fat-intel",
    ])
    func machOPrefixes(path: String) throws {
        let bytes = [UInt8](try Fixtures.data(path))
        _ = try MachOFile(bytes: bytes)
        var refused = 0
        for length in 0..<bytes.count {
            do {
                let file = try MachOFile(bytes: Array(bytes[0..<length]))
                // A cut inside an unsigned binary's __LINKEDIT is read, but flagged as truncated.
                if file.slices.contains(where: { $0.warnings.contains { $0.contains("truncated") } }) { refused += 1; continue }
                Issue.record("\(path): accepted a \(length)-byte prefix of \(bytes.count)")
                return
            } catch {
                refused += 1
                let offset = try #require(error.offset, "\(error)")
                #expect(offset >= 0 && offset <= bytes.count, "\(path) prefix \(length): \(error)")
            }
        }
        #expect(refused == bytes.count)
    }

    static func signatureBlob(_ path: String) throws -> [UInt8] {
        let bytes = [UInt8](try Fixtures.data(path))
        let file = try MachOFile(bytes: bytes)
        let slice = try #require(file.slices.first { $0.codeSignature != nil })
        let start = slice.offset + slice.codeSignatureOffset!
        return Array(bytes[start..<(start + slice.codeSignatureSize!)])
    }

    @Test("every prefix of a code signature, with its length field fitted to the prefix, is refused or read", arguments: [
        "macho/zsign-demo1.dylib", "macho/r2-AppIOSEntitlements.ios", "macho/r2-TestRTTI-arm64e",
    ])
    func signaturePrefixes(path: String) throws {
        let blob = try Self.signatureBlob(path)
        let declared = Int(blob[4]) << 24 | Int(blob[5]) << 16 | Int(blob[6]) << 8 | Int(blob[7])
        for length in 0..<declared {
            var prefix = Array(blob[0..<length])
            if length >= 8 {
                // Without this every prefix would stop at the SuperBlob length check; fitting it makes each blob's own bounds checks run.
                prefix.replaceSubrange(4..<8, with: [UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)])
            }
            do {
                _ = try CodeSignature(bytes: prefix)
            } catch {
                let offset = try #require(error.offset, "\(error)")
                #expect(offset >= 0 && offset <= length + 8, "\(path) prefix \(length): \(error)")
            }
        }
    }

    @Test("thousands of deterministic byte flips in load commands and signatures never crash")
    func byteFlips() throws {
        var generator = SplitMix64(seed: 0x6170_7073_6561_6c)
        for path in ["macho/r2-TestRTTI-arm64e", "macho/isign-signed-fat-armv7-arm64"] {
            let original = [UInt8](try Fixtures.data(path))
            let file = try MachOFile(bytes: original)
            let slice = file.slices[0]
            let headerEnd = slice.offset + 32 + slice.loadCommands.reduce(0) { $0 + $1.size }
            let signatureStart = slice.offset + slice.codeSignatureOffset!
            let regions = [0..<headerEnd, signatureStart..<(signatureStart + min(slice.codeSignatureSize!, 4096))]
            for round in 0..<600 {
                var bytes = original
                let region = regions[round % 2]
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    let index = region.lowerBound + Int(generator.next() % UInt64(region.count))
                    bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                do {
                    _ = try MachOFile(bytes: bytes)
                } catch {
                    #expect(error.offset.map { $0 >= 0 && $0 <= bytes.count } ?? true, "\(path) round \(round): \(error)")
                }
            }
        }
    }

    @Test("a changed code byte shows up as exactly that page differing")
    func changedCodePage() throws {
        var bytes = [UInt8](try Fixtures.data("macho/zsign-demo1.dylib"))
        let original = try MachOFile(bytes: bytes)
        let directory = try #require(original.slices[0].codeSignature?.codeDirectories.first)
        let page = 2
        bytes[page * directory.pageSize + 100] ^= 0xff
        let changed = try MachOFile(bytes: bytes)
        for directory in try #require(changed.slices[0].codeSignature?.codeDirectories) {
            #expect(directory.mismatchedPages == [page])
        }
    }
}

/// A small deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}

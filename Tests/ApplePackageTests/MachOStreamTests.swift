import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("Streaming Mach-O reads agree with in-memory reads",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct MachOStreamTests {
    static func stream(_ bytes: [UInt8], chunk: Int) throws(ApplePackageError) -> (isFat: Bool, slices: [MachOSlice]) {
        try MachOStreamReader(size: bytes.count).read { body throws(ApplePackageError) in
            var start = 0
            while start < bytes.count {
                let end = min(start + chunk, bytes.count)
                var failure: ApplePackageError?
                bytes[start..<end].withUnsafeBytes { buffer in
                    do throws(ApplePackageError) { try body(buffer) } catch { failure = error }
                }
                if let failure { throw failure }
                start = end
            }
        }
    }

    static func json(_ slices: [MachOSlice]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(slices), as: UTF8.self)
    }

    @Test("every Mach-O fixture, in chunks of 7 bytes to 64 KiB, reads exactly as from memory",
          arguments: Fixtures.files(under: "macho").map(Fixtures.relativePath))
    func agrees(path: String) throws {
        let bytes = [UInt8](try Fixtures.data(path))
        let file = try MachOFile(bytes: bytes)
        for chunk in [7, 4096, 65_536] {
            let streamed = try Self.stream(bytes, chunk: chunk)
            #expect(streamed.isFat == file.isFat)
            #expect(try Self.json(streamed.slices) == Self.json(file.slices), "\(path) in \(chunk)-byte chunks")
        }
    }

    @Test("a changed code byte is caught by the streaming page check too")
    func changedPage() throws {
        var bytes = [UInt8](try Fixtures.data("macho/isign-signed-fat-armv7-arm64"))
        let file = try MachOFile(bytes: bytes)
        let arm64 = try #require(file.slices.last)
        bytes[arm64.offset + 3 * 4096 + 17] ^= 0x5a
        let streamed = try Self.stream(bytes, chunk: 10_000)
        #expect(streamed.slices.first?.codeSignature?.codeDirectories.first?.mismatchedPages == [])
        #expect(streamed.slices.last?.codeSignature?.codeDirectories.first?.mismatchedPages == [3])
    }

    @Test("prefixes of a fat binary fail in the stream whenever they fail in memory", arguments: [
        "macho/r2-hellocxx-osx-fat-intel", "macho/zsign-demo1.dylib",
    ])
    func prefixes(path: String) throws {
        let bytes = [UInt8](try Fixtures.data(path))
        for length in stride(from: 0, to: bytes.count, by: 61) {
            let prefix = Array(bytes[0..<length])
            let memory = Result { () throws(ApplePackageError) in try MachOFile(bytes: prefix) }
            let streamed = Result { () throws(ApplePackageError) in try Self.stream(prefix, chunk: 4096) }
            switch (memory, streamed) {
            case let (.success(file), .success(read)):
                #expect(try Self.json(file.slices) == Self.json(read.slices), "\(path) prefix \(length)")
            case let (.failure(expected), .failure(error)):
                #expect(error.offset.map { $0 >= 0 && $0 <= length } ?? true, "\(path) prefix \(length): \(error)")
                _ = expected
            default:
                Issue.record("\(path) prefix \(length): memory \(memory) but stream \(streamed)")
            }
        }
    }
}

import ArchiveKit
import Foundation
import Testing
import TestSupport

/// Memory stays flat in the size of the data: the real binary inflates and re-deflates a 256 MiB
/// entry with a peak RSS far below it (measured by /usr/bin/time, not by a timer).
@Suite("Memory")
struct MemoryTests {
    @Test("check and re-deflating repack of a 256 MiB entry stay under 64 MiB of RSS",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time")))
    func flatMemory() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("large.zip")
        let script = """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], 'w', compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            with z.open('assets/large.bin', 'w') as f:
                block = bytes(range(256)) * 4096
                for _ in range(256):
                    f.write(block)
        """
        let made = try ProcessRunner.run("python3", ["-c", script, path])
        #expect(made.succeeded, "\(made.combined)")
        let archive = try ZipArchive(path: path)
        #expect(archive.entries[0].uncompressedSize == 256 << 20)

        for arguments in [["archive", "check", path], ["archive", "repack", "--level", "1", path, folder.path("out.zip")]] {
            let report = folder.path("time.txt")
            let result = try ProcessRunner.run("/usr/bin/time", ["-v", "-o", report, Project.appsealBinary.path] + arguments)
            #expect(result.succeeded, "\(result.combined)")
            let text = try String(contentsOfFile: report, encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.contains("Maximum resident set size") })
            let kilobytes = try #require(Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)))
            #expect(kilobytes < 64 * 1024, "\(arguments[1]): peak RSS \(kilobytes) KiB")
        }
        let output = try ZipArchive(path: folder.path("out.zip"))
        try output.check()
    }
}

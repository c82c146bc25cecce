import ArchiveKit
import Foundation
import Testing
import TestSupport

/// Package outputs are renamed into place without fsync (as zipalign and apksigner leave
/// theirs) unless APPSEAL_DURABLE=1 asks for power-loss durability; strace shows which.
@Suite("ArchiveKit: output durability", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct DurabilityTests {
    static func fsyncCalls(_ arguments: [String], durable: String?) throws -> [String] {
        let folder = try TemporaryDirectory()
        let trace = folder.path("trace.txt")
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: OutputDurability.environmentVariable)
        if let durable { environment[OutputDurability.environmentVariable] = durable }
        let result = try ProcessRunner.run("strace", ["-f", "-qq", "-e", "trace=fsync,fdatasync,syncfs,sync_file_range", "-o", trace,
                                                      Project.appsealBinary.path] + arguments + [folder.path("out.apk")],
                                           environment: environment)
        #expect(result.succeeded, "\(result.combined)")
        #expect(FileManager.default.fileExists(atPath: folder.path("out.apk")))
        return try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { $0.contains("sync") }
    }

    @Test func repackFsyncsOnlyWhenAskedToBeDurable() throws {
        let input = Fixtures.url("apk/apksig/golden-aligned-in.apk").path
        #expect(try Self.fsyncCalls(["archive", "repack", input], durable: nil).isEmpty)
        #expect(try Self.fsyncCalls(["archive", "repack", input], durable: "0").isEmpty)
        let durable = try Self.fsyncCalls(["archive", "repack", input], durable: "1")
        #expect(durable.filter { $0.contains("fsync(") }.count >= 2, "the file and its folder: \(durable)")
    }

    @Test func environmentValuesThatAskForDurability() {
        for value in ["1", "true", "YES"] {
            setenv(OutputDurability.environmentVariable, value, 1)
            #expect(OutputDurability.fromEnvironment == .durable, "\(value)")
        }
        for value in ["0", "no", ""] {
            setenv(OutputDurability.environmentVariable, value, 1)
            #expect(OutputDurability.fromEnvironment == .atomic, "\(value)")
        }
        unsetenv(OutputDurability.environmentVariable)
        #expect(OutputDurability.fromEnvironment == .atomic)
    }
}

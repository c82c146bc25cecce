import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// A signed build writes its app once (the signer lays out the entries, the build's replaced
/// and added ones included, and signs the same file), and fsyncs it only when asked to.
@Suite("Build pipeline: one write pass", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct BuildSinglePassTests {
    struct TracedBuild {
        let result: ProcessResult
        let trace: [String]
        let output: String
        let buildID: String
    }

    /// Runs a secured build under strace (file opens, renames and syncs, with the paths of descriptors).
    static func tracedBuild(_ fixture: BuildFixture, durable: Bool) throws -> TracedBuild {
        let setID = try fixture.createSet(durable ? "durable" : "default", features: ["mobile-client-certificates", "block-cleartext-traffic"])
        let traceFile = fixture.folder.path(durable ? "durable.trace" : "default.trace")
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "APPSEAL_WORKSPACE")
        environment.removeValue(forKey: "APPSEAL_DURABLE")
        if durable { environment["APPSEAL_DURABLE"] = "1" }
        let output = fixture.folder.path(durable ? "durable.apk" : "default.apk")
        let result = try ProcessRunner.run("strace", [
            "-f", "-qq", "-y", "-e", "trace=openat,rename,renameat,renameat2,fsync,fdatasync", "-o", traceFile,
            Project.appsealBinary.path, "--workspace", fixture.workspace, "build", Fixtures.url("apk/apps/hello-world.apk").path,
            "--fusion-set", setID, "--debug-sign", "--json-events", "--out", output,
        ], environment: environment)
        let finished = BuildFixture.events(result).last
        let trace = try String(contentsOfFile: traceFile, encoding: .utf8).split(separator: "\n").map(String.init)
        return TracedBuild(result: result, trace: trace, output: output, buildID: finished?["build"] as? String ?? "")
    }

    @Test func signedBuildCreatesOneFileForItsAppAndReportsTheSHA256OfIt() throws {
        let fixture = try BuildFixture()
        let build = try Self.tracedBuild(fixture, durable: false)
        #expect(build.result.status == 0, "\(build.result.combined)")
        let name = URL(fileURLWithPath: build.output).lastPathComponent
        let created = build.trace.filter { $0.contains("openat(") && $0.contains("O_CREAT") && $0.contains(".apk") }
        #expect(created.count == 1, "one file for the app, nothing unsigned in between: \(created)")
        #expect(created.first?.contains(name) == true)
        #expect(!build.trace.contains { $0.contains("unsigned") })
        let synced = build.trace.filter { ($0.contains("fsync(") || $0.contains("fdatasync(")) && $0.contains(name) }
        #expect(synced.isEmpty, "the app is renamed into place without fsync by default: \(synced)")

        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(fixture.workspace)/builds/\(build.buildID)/report.json"))) as? [String: Any]
        let reported = try #require(report?["output"] as? [String: Any])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: build.output))
        #expect(reported["sha256"] as? String == Digest.sha256(bytes).hex, "the signer's streamed SHA-256 is the file's")
        let verify = try ProcessRunner.run("apksigner", ["verify", build.output])
        #expect(verify.succeeded, "\(verify.combined)")

        let progress = BuildFixture.events(build.result).filter { $0["event"] as? String == "progress" }
        #expect(progress.contains { $0["stage"] as? String == "repackage" }, "the pass reports progress while it copies")
    }

    @Test func durableBuildFsyncsItsApp() throws {
        let fixture = try BuildFixture()
        let build = try Self.tracedBuild(fixture, durable: true)
        #expect(build.result.status == 0, "\(build.result.combined)")
        let name = URL(fileURLWithPath: build.output).lastPathComponent
        let synced = build.trace.filter { $0.contains("fsync(") && $0.contains(name) }
        #expect(!synced.isEmpty, "APPSEAL_DURABLE=1 fsyncs the app before it is renamed")
    }
}

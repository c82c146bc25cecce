import Foundation
import Testing
import TestSupport

/// A newcomer's first minute: a workspace nothing has happened in, the console readies it and
/// offers the sample app appseal made itself, and Upload → Fusion Set → Build My App succeeds.
@Suite("Console first run in tmux", .serialized)
struct FirstRunEndToEndTests {
    @Test("a fresh workspace gets a CA and the sample; the sample builds with Mobile Client Certificates",
          arguments: [(120, 40), (80, 24)])
    func firstRunBuildsTheSample(columns: Int, rows: Int) async throws {
        let folder = try TemporaryDirectory(prefix: "appseal-first-run")
        let workspace = folder.path("ws")
        let command = "cd \(folder.url.path); env -u NO_COLOR -u APPSEAL_CA_PASSPHRASE \(Project.appsealBinary.path) "
            + "--workspace \(workspace); echo \"EXITED $?\"; sleep 600"
        let session = try TmuxSession(columns: columns, rows: rows, command: command)
        try await session.waitFor("appseal-sample.apk")
        try await session.waitFor("New workspace: created its CA")
        if columns >= 120 { #expect(session.screen.contains("Folder: \(workspace)/samples"), "\(session.screen)") }
        #expect(FileManager.default.fileExists(atPath: "\(workspace)/ca/ca.pem"))

        try session.send("Enter")
        try await session.waitFor("dev.appseal.sample")
        #expect(session.screen.contains("android:usesCleartextTraffic"), "\(session.screen)")
        try await session.saveClientCertificateSetAndBuild(named: "First")
        try await session.waitFor("Certificate  SHA-256", seconds: 90)
        #expect(session.screen.contains(" succeeded"), "\(session.screen)")

        let builds = URL(fileURLWithPath: "\(workspace)/builds")
        let outputs = (FileManager.default.enumerator(atPath: builds.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix("-secured.apk") }
        #expect(outputs.count == 1, "secured APKs in \(builds.path): \(outputs)")
        let output = builds.appendingPathComponent(try #require(outputs.first))
        let verify = try ProcessRunner.run("apksigner", ["verify", output.path])
        #expect(verify.succeeded, "apksigner: \(verify.combined)")

        try session.send("q")
        try await session.waitFor("EXITED 0")

        // The workspace is used now: the next start leaves the CA alone and starts where it was run.
        let caBefore = try Data(contentsOf: URL(fileURLWithPath: "\(workspace)/ca/ca.pem"))
        let second = try TmuxSession(columns: columns, rows: rows, command: command)
        try await second.waitFor("appseal · Upload")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!second.screen.contains("appseal-sample.apk"), "started where it was run, not in samples: \(second.screen)")
        #expect(!second.screen.contains("New workspace"), "\(second.screen)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(workspace)/ca/ca.pem")) == caBefore)
        try second.send("q")
        try await second.waitFor("EXITED 0")
    }
}

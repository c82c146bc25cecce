import Foundation
import Testing
import TestSupport

@Suite("Console end to end in tmux", .serialized)
struct ConsoleEndToEndTests {
    static let fixture = "apk/apksig/golden-aligned-v1v2v3-out.apk"

    private func workspace() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory(prefix: "appseal-console-ws")
        let result = try ProcessRunner.appseal(["--workspace", folder.path("ws"), "ca", "init"])
        #expect(result.succeeded, "\(result.combined)")
        return folder
    }

    /// The pane runs the console between two `stty -a` snapshots, then prints the exit status.
    private func consoleCommand(_ workspace: String, extra: String = "", environment: String = "env -u NO_COLOR") -> String {
        let binary = Project.appsealBinary.path
        // `trap : INT` keeps the harness shell alive through Ctrl-C (a handler, so appseal still starts
        // with the default disposition); only the console is under test.
        return "trap : INT; cd \(Fixtures.root.path)/apk/apksig; stty -a > \(workspace)/stty-before; "
            + "\(environment) sh -c 'echo $$ > \(workspace)/pid; exec \(binary) --workspace \(workspace)/ws \(extra)'; echo \"EXITED $?\"; "
            + "stty -a > \(workspace)/stty-after; sleep 600"
    }

    @Test("upload, Fusion Set, Mobile Client Certificates, Build My App with a resize mid-build; q restores the terminal",
          .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)), arguments: [(120, 40), (80, 24)])
    func buildThroughTheConsole(columns: Int, rows: Int) async throws {
        let folder = try workspace()
        let session = try TmuxSession(columns: columns, rows: rows, command: consoleCommand(folder.url.path))
        try await session.waitFor("Folder: \(Fixtures.root.path)/apk/apksig")
        try session.send("o", "C-u")
        try session.type(Fixtures.url(Self.fixture).path)
        try session.send("Enter")
        try await session.waitFor("android.appsecurity.cts.tinyapp")
        try await session.saveClientCertificateSetAndBuild(named: "Production")
        try session.tmux(["resize-window", "-t", "0", "-x", "\(columns - 10)", "-y", "\(rows - 4)"])
        // The result block, not the log's "build succeeded" line, which may be drawn a tick earlier.
        try await session.waitFor("Certificate  SHA-256", seconds: 90)
        let screen = session.screen
        #expect(screen.contains(" succeeded"))
        #expect(screen.contains("✓ Sign") || screen.contains("Stages 10/10 done"))

        let builds = folder.url.appendingPathComponent("ws/builds")
        let outputs = (FileManager.default.enumerator(atPath: builds.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix("-secured.apk") }
        #expect(outputs.count == 1, "secured APKs in \(builds.path): \(outputs)")
        let output = builds.appendingPathComponent(try #require(outputs.first))
        let verify = try ProcessRunner.run("apksigner", ["verify", output.path])
        #expect(verify.succeeded, "apksigner: \(verify.combined)")

        try session.send("q")
        try await session.waitFor("EXITED 0")
        try await Task.sleep(for: .milliseconds(300))
        let before = try String(contentsOfFile: folder.path("stty-before"), encoding: .utf8)
        let after = try String(contentsOfFile: folder.path("stty-after"), encoding: .utf8)
        #expect(before.replacingOccurrences(of: "rows \(rows); columns \(columns)", with: "")
                    .replacingOccurrences(of: "rows \(rows - 4); columns \(columns - 10)", with: "") ==
                after.replacingOccurrences(of: "rows \(rows); columns \(columns)", with: "")
                    .replacingOccurrences(of: "rows \(rows - 4); columns \(columns - 10)", with: ""),
                "stty before:\n\(before)\nafter:\n\(after)")
    }

    @Test("every theme loads and renders in the real console; NO_COLOR gives monochrome",
          arguments: ["default", "light", "high-contrast", "monochrome", "NO_COLOR"])
    func themes(name: String) async throws {
        let folder = try workspace()
        let extra = name == "NO_COLOR" ? "--theme light" : "--theme \(name)"
        let environment = name == "NO_COLOR" ? "env NO_COLOR=1" : "env -u NO_COLOR"
        let session = try TmuxSession(columns: 100, rows: 30,
                                      command: consoleCommand(folder.url.path, extra: extra, environment: environment))
        try await session.waitFor("appseal · Upload")
        if name == "NO_COLOR" {
            try await session.waitFor("using the monochrome theme")
        } else {
            #expect(!session.screen.contains("monochrome theme"), "colours were refused: \(session.screen)")
        }
        try session.send("t")
        try await session.waitFor("high-contrast")
        try session.send("Escape", "q")
        try await session.waitFor("EXITED 0")
    }

    @Test("Ctrl-C restores the terminal and exits 130; SIGTERM exits 143")
    func signals() async throws {
        let folder = try workspace()
        let session = try TmuxSession(columns: 100, rows: 30, command: consoleCommand(folder.url.path))
        try await session.waitFor("appseal · Upload")
        try session.send("C-c")
        try await session.waitFor("EXITED 130")
        try await Task.sleep(for: .milliseconds(300))
        let before = try String(contentsOfFile: folder.path("stty-before"), encoding: .utf8)
        let after = try String(contentsOfFile: folder.path("stty-after"), encoding: .utf8)
        #expect(before == after)

        let second = try TmuxSession(columns: 100, rows: 30, command: consoleCommand(folder.url.path))
        try await second.waitFor("appseal · Upload")
        let pid = try String(contentsOfFile: folder.path("pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try ProcessRunner.run("kill", ["-TERM", pid])
        try await second.waitFor("EXITED 143")
    }

    @Test("appseal without a terminal prints help instead of opening the console")
    func noTerminal() throws {
        let result = try ProcessRunner.appseal([])
        #expect(result.succeeded)
        #expect(result.stdout.hasPrefix("OVERVIEW: "))
        #expect(result.stdout.contains("console"))
    }
}

import Foundation
import Testing
import TestSupport

/// The real binary in a detached tmux session: keys in, screen text out.
final class TmuxSession {
    let socket = "appseal-console-\(UUID().uuidString.prefix(8))"
    let folder: TemporaryDirectory

    init(columns: Int, rows: Int, command: String) throws {
        folder = try TemporaryDirectory(prefix: "appseal-tmux")
        let script = folder.path("run.sh")
        try "#!/bin/sh\n\(command)\n".write(toFile: script, atomically: true, encoding: .utf8)
        try ProcessRunner.run("chmod", ["+x", script])
        try tmux(["new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", "env TERM=xterm-256color LANG=C.UTF-8 \(script)"])
    }

    // kill-session ends the server too (it has no other session); kill-server alone left some running here.
    deinit { _ = try? tmux(["kill-session", "-t", "0"]) }

    struct TmuxFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs the tmux client with posix_spawn and waitpid: Foundation's Process sometimes never
    /// reaps the client of `new-session -d` (its server forks off it), which would hang the test.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let output = folder.path("tmux-out")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["tmux", "-L", socket, "-f", "/dev/null"] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, nil, argv, envp)
        guard spawned == 0 else { throw TmuxFailed(description: "cannot start tmux: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", "0"] + keys) }

    func type(_ text: String) throws { try tmux(["send-keys", "-t", "0", "-l", text]) }

    var screen: String { (try? tmux(["capture-pane", "-p", "-t", "0"])) ?? "" }

    /// Waits until the screen shows `text`; records the screen when it never does.
    func waitFor(_ text: String, seconds: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = Date() + seconds
        while Date() < deadline {
            if screen.contains(text) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        // One look after the deadline: with the whole suite running, blocking tests can hold the
        // cooperative pool for longer than the deadline, so the sleep above may end far past it.
        if screen.contains(text) { return }
        Issue.record("'\(text)' never appeared; screen:\n\(screen)", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

extension TmuxSession {
    /// The keys of a first secured build once an app is loaded: a new Fusion Set named `name` for the app's
    /// platform, Mobile Client Certificates added to it, then Build My App.
    func saveClientCertificateSetAndBuild(named name: String) async throws {
        try send("3", "n")
        try type(name)
        try send("Enter")
        try await waitFor("Platform of \(name)")
        try send("Enter")
        try await waitFor("Created \(name)")
        try send("2", "Space")
        try await waitFor("Added Mobile Client Certificates")
        try send("4", "b")
    }
}

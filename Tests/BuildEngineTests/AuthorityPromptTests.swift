import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import BuildEngine

/// The CA passphrase typed at a real terminal (tmux): asked with echo off, confirmed, and
/// never on screen.
@Suite("CA passphrase prompt")
struct AuthorityPromptTests {
    /// One tmux server of our own (its own socket), killed at the end.
    final class Terminal {
        let socket = "appseal-ca-test-\(UUID().uuidString.prefix(8))"

        /// `tmux new-session -d` forks the tmux server, which keeps the client's descriptors; it is
        /// spawned here with /dev/null as its standard streams and reaped directly, so no
        /// Foundation pipe stays open behind it.
        func run(_ shellCommand: String) throws {
            let arguments = ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "30", shellCommand]
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for descriptor: Int32 in [0, 1, 2] {
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
            }
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            // Children must not inherit the test runner's blocked signals, or tmux would ignore SIGTERM.
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
            let executable = try ProcessRunner.resolve("tmux")
            var argv = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
            guard spawned == 0 else { throw ToolFailure(tool: "tmux", reason: "posix_spawn failed (\(spawned))", log: "") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            guard status == 0 else { throw ToolFailure(tool: "tmux", reason: "new-session exited with status \(status)", log: "") }
        }

        var screen: String {
            (try? ProcessRunner.run("tmux", ["-L", socket, "capture-pane", "-p", "-S", "-100"]).stdout) ?? ""
        }

        func waitFor(_ text: String) throws {
            guard Network.waitUntil(seconds: 30, { screen.contains(text) }) else {
                throw ToolFailure(tool: "tmux", reason: "never showed '\(text)'", log: screen)
            }
        }

        func type(_ text: String) throws {
            try ProcessRunner.run("tmux", ["-L", socket, "send-keys", "-l", text])
            try ProcessRunner.run("tmux", ["-L", socket, "send-keys", "Enter"])
        }

        deinit { _ = try? ProcessRunner.run("tmux", ["-L", socket, "kill-server"]) }
    }

    @Test(.enabled(if: Tools.path("tmux") != nil, "tmux is not installed"))
    func passphraseIsAskedWithEchoOffAndNeverShown() throws {
        let folder = try TemporaryDirectory()
        let workspace = folder.path("ws")
        let passphrase = "typed-\(UUID().uuidString.prefix(12))"
        let binary = Project.appsealBinary.path
        let terminal = Terminal()
        try terminal.run("env -u APPSEAL_CA_PASSPHRASE '\(binary)' --workspace '\(workspace)' ca init; "
                         + "echo \"init-exit=$?\"; '\(binary)' --workspace '\(workspace)' ca issue --app-id a.b "
                         + "--out '\(folder.path("a.p12"))'; echo \"issue-exit=$?\"; sleep 60")
        try terminal.waitFor("Passphrase for the new CA key (empty: not encrypted):")
        try terminal.type(passphrase)
        try terminal.waitFor("Repeat to confirm:")
        try terminal.type(passphrase)
        try terminal.waitFor("init-exit=0")
        try terminal.waitFor("Passphrase of the workspace CA key:")
        try terminal.type(passphrase)
        try terminal.waitFor("issue-exit=0")

        #expect(!terminal.screen.contains(passphrase), "the passphrase was echoed")
        let workspaceValue = try Workspace.open(at: workspace)
        #expect(try CertificateAuthority.describe(workspaceValue).keyIsEncrypted)
        #expect(throws: AuthorityError.self) { try CertificateAuthority.open(workspaceValue) { "not it" } }
        _ = try CertificateAuthority.open(workspaceValue) { passphrase }
        #expect(FileManager.default.fileExists(atPath: folder.path("a.p12")))
    }

    @Test(.enabled(if: Tools.path("tmux") != nil, "tmux is not installed"))
    func mismatchedConfirmationCreatesNothing() throws {
        let folder = try TemporaryDirectory()
        let workspace = folder.path("ws")
        let terminal = Terminal()
        try terminal.run("env -u APPSEAL_CA_PASSPHRASE '\(Project.appsealBinary.path)' --workspace '\(workspace)' ca init; "
                         + "echo \"init-exit=$?\"; sleep 60")
        try terminal.waitFor("Passphrase for the new CA key")
        try terminal.type("first-entry")
        try terminal.waitFor("Repeat to confirm:")
        try terminal.type("second-entry")
        try terminal.waitFor("init-exit=3")
        #expect(terminal.screen.contains("error: the two entries did not match"))
        #expect(!FileManager.default.fileExists(atPath: workspace + "/ca/ca.key"))
    }
}

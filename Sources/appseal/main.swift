import Foundation

// The command tree. Each module's commands live in their own file under Commands/
// and are listed here, one line per module.
let root = Command(
    name: "appseal",
    abstract: "Build secured versions of existing mobile apps (.apk, .aab, .ipa).",
    discussion: """
    Exit codes: 0 ok · 1 internal error · 2 usage · 3 invalid input · 4 build or verification failed.
    Environment: APPSEAL_WORKSPACE (workspace folder), NO_COLOR (no colours).
    """,
    subcommands: allCommands()
)

func allCommands() -> [Command] {
    var commands: [Command] = []
    // MARK: inspect
    commands.append(inspectCommand)
    // MARK: archive
    commands.append(archiveCommand)
    // MARK: ca, server-config
    commands.append(caCommand)
    commands.append(serverConfigCommand)
    // MARK: sign, verify
    commands.append(signCommand)
    commands.append(verifyCommand)
    // MARK: fusion-set, build, builds
    commands.append(fusionSetCommand)
    commands.append(buildCommand)
    commands.append(buildsCommand)
    // MARK: console
    commands.append(consoleCommand)
    commands.append(sampleCommand)
    return commands
}

/// `appseal` alone (global options and --theme at most) on a terminal opens the console;
/// without a terminal it keeps printing help.
func consoleByDefault(_ arguments: [String]) -> [String] {
    guard Output.stdinIsTerminal, Output.stdoutIsTerminal else { return arguments }
    var rest = arguments[...]
    while let first = rest.first {
        if first == "--workspace" || first == "--theme" { rest = rest.dropFirst(2); continue }
        if first.hasPrefix("--workspace=") || first.hasPrefix("--theme=") { rest = rest.dropFirst(); continue }
        break
    }
    return rest.isEmpty ? ["console"] + arguments : arguments
}

// Ignore SIGPIPE so `appseal ... | head` ends with an error we can handle, not a signal.
signal(SIGPIPE, SIG_IGN)
let status = await Runner.main(root: root, arguments: consoleByDefault(Array(CommandLine.arguments.dropFirst())),
                               environment: ProcessInfo.processInfo.environment)
// Output is written unbuffered (FileHandle), and nothing of appseal's runs at exit; `_exit` after
// flushing C stdio skips the libraries' exit-time cleanup (OpenSSL, ICU, Foundation), which
// after a repack of the 149 MB benchmark archive cost 3–6 ms of a run of 85–90.
fflush(nil)
_exit(status)

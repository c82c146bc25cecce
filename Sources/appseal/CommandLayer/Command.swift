import Foundation

/// Exit codes of DESIGN.md; every failure path of the CLI ends in one of these.
enum ExitCode: Int32, Sendable {
    case ok = 0
    case internalError = 1
    case usage = 2
    case invalidInput = 3
    case failed = 4
}

/// An option a command accepts: a flag (`--json`) or one taking a value (`--out <path>`).
struct CommandOption: Sendable {
    let name: String
    let short: Character?
    let valueName: String?
    let help: String
    let isRequired: Bool
    let isRepeatable: Bool

    static func flag(_ name: String, short: Character? = nil, help: String) -> CommandOption {
        CommandOption(name: name, short: short, valueName: nil, help: help, isRequired: false, isRepeatable: false)
    }

    static func value(_ name: String, _ valueName: String, help: String,
                      required: Bool = false, repeatable: Bool = false) -> CommandOption {
        CommandOption(name: name, short: nil, valueName: valueName, help: help,
                      isRequired: required, isRepeatable: repeatable)
    }

    var takesValue: Bool { valueName != nil }

    var usageFragment: String {
        let base = takesValue ? "--\(name) <\(valueName!)>" : "--\(name)"
        let repeated = isRepeatable ? "\(base) ..." : base
        return isRequired ? repeated : "[\(repeated)]"
    }
}

/// A positional argument; `isVariadic` takes all that remain.
struct CommandArgument: Sendable {
    let name: String
    let help: String
    var isOptional = false
    var isVariadic = false

    var usageFragment: String {
        let base = isVariadic ? "<\(name)> ..." : "<\(name)>"
        return isOptional ? "[\(base)]" : base
    }
}

typealias CommandHandler = @Sendable (Invocation) async throws -> ExitCode

/// One node of the command tree. A node with subcommands and no handler is a group.
struct Command: Sendable {
    let name: String
    let abstract: String
    var discussion: String? = nil
    var arguments: [CommandArgument] = []
    var options: [CommandOption] = []
    var subcommands: [Command] = []
    var run: CommandHandler? = nil

    func subcommand(named name: String) -> Command? {
        subcommands.first { $0.name == name }
    }
}

/// A mistake in how appseal was called: exit 2, with the usage of the command printed.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Options every command accepts, wherever they appear on the line.
enum GlobalOptions {
    static let workspace = CommandOption.value(
        "workspace", "dir",
        help: "Workspace folder (default: $APPSEAL_WORKSPACE, else $XDG_DATA_HOME/appseal or ~/.local/share/appseal).")
    static let help = CommandOption.flag("help", short: "h", help: "Show help information.")
}

/// Renders help in the OVERVIEW / USAGE / ARGUMENTS / OPTIONS / SUBCOMMANDS layout.
enum HelpRenderer {
    static func usageLine(path: [String], command: Command) -> String {
        var parts = path
        if !command.subcommands.isEmpty && command.run == nil {
            parts.append("<subcommand>")
        } else {
            parts += command.options.filter(\.isRequired).map(\.usageFragment)
            parts += command.arguments.map(\.usageFragment)
            parts += command.options.filter { !$0.isRequired }.map(\.usageFragment)
        }
        return parts.joined(separator: " ")
    }

    static func help(path: [String], command: Command) -> String {
        var text = "OVERVIEW: \(command.abstract)\n"
        if let discussion = command.discussion { text += "\n\(discussion)\n" }
        text += "\nUSAGE: \(usageLine(path: path, command: command))\n"
        if !command.arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            for argument in command.arguments { text += row("<\(argument.name)>", argument.help) }
        }
        text += "\nOPTIONS:\n"
        for option in command.options {
            var label = option.short.map { "-\($0), " } ?? ""
            label += "--\(option.name)"
            if let valueName = option.valueName { label += " <\(valueName)>" }
            text += row(label, option.help)
        }
        text += row("--workspace <dir>", GlobalOptions.workspace.help)
        if path.count == 1 { text += row("--version", "Show the version.") }
        text += row("-h, --help", GlobalOptions.help.help)
        if !command.subcommands.isEmpty {
            text += "\nSUBCOMMANDS:\n"
            for sub in command.subcommands { text += row(sub.name, sub.abstract) }
            text += "\n  See '\(path.first ?? "appseal") help \((path.dropFirst() + ["<subcommand>"]).joined(separator: " "))' for detailed help.\n"
        }
        return text
    }

    private static func row(_ label: String, _ help: String) -> String {
        let indent = "  "
        let column = 26
        if label.count + indent.count < column - 1 {
            return indent + label + String(repeating: " ", count: column - indent.count - label.count) + help + "\n"
        }
        return indent + label + "\n" + String(repeating: " ", count: column) + help + "\n"
    }
}

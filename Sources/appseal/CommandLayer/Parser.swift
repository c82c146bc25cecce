/// Splits a command line into the command path, options and positional arguments.
struct CommandLineParser {
    let root: Command

    enum Outcome {
        case invoke(Invocation)
        case help(path: [String], command: Command)
        case version
    }

    struct Failure: Error {
        let path: [String]
        let command: Command
        let error: UsageError
    }

    func parse(_ tokens: [String], environment: [String: String]) throws(Failure) -> Outcome {
        var path = [root.name]
        var command = root
        var remaining = tokens[...]
        var workspace: String?
        var flags = Set<String>()
        var values: [String: [String]] = [:]
        var positionals: [String] = []
        var wantsHelp = false
        var optionsEnded = false

        func fail(_ message: String) -> Failure {
            Failure(path: path, command: command, error: UsageError(message: message))
        }

        while let token = remaining.popFirst() {
            if optionsEnded || !token.hasPrefix("-") || token == "-" {
                if positionals.isEmpty, flags.isEmpty, values.isEmpty, let sub = command.subcommand(named: token) {
                    path.append(token)
                    command = sub
                } else if command.name == root.name, path.count == 1, token == "help", positionals.isEmpty {
                    // `appseal help ca issue` walks the tree without running anything.
                    var target = root
                    var targetPath = [root.name]
                    for name in remaining {
                        guard let sub = target.subcommand(named: name) else {
                            throw Failure(path: targetPath, command: target,
                                          error: UsageError(message: "unknown command '\(name)'"))
                        }
                        target = sub
                        targetPath.append(name)
                    }
                    return .help(path: targetPath, command: target)
                } else {
                    positionals.append(token)
                }
                continue
            }
            if token == "--" { optionsEnded = true; continue }
            if token == "--version", path.count == 1 { return .version }

            let (name, inlineValue) = Self.split(token)
            if name == "help" || name == "h" { wantsHelp = true; continue }
            if name == GlobalOptions.workspace.name {
                guard let value = inlineValue ?? remaining.popFirst() else {
                    throw fail("--workspace needs a value <dir>")
                }
                workspace = value
                continue
            }
            guard let option = command.options.first(where: { $0.name == name || ($0.short.map { String($0) } == name) }) else {
                throw fail("unknown option '\(token)'")
            }
            if option.takesValue {
                guard let value = inlineValue ?? remaining.popFirst() else {
                    throw fail("--\(option.name) needs a value <\(option.valueName!)>")
                }
                if values[option.name] != nil, !option.isRepeatable {
                    throw fail("--\(option.name) was given more than once")
                }
                values[option.name, default: []].append(value)
            } else {
                if inlineValue != nil { throw fail("--\(option.name) takes no value") }
                flags.insert(option.name)
            }
        }

        if wantsHelp { return .help(path: path, command: command) }
        guard command.run != nil else {
            if path.count == 1, positionals.isEmpty { return .help(path: path, command: command) }
            if let first = positionals.first { throw fail("unknown command '\(first)'") }
            throw fail("missing subcommand")
        }
        for option in command.options where option.isRequired && values[option.name] == nil {
            throw fail("missing --\(option.name) <\(option.valueName ?? "value")>")
        }
        let arguments = try bind(positionals, to: command.arguments, fail: fail)
        return .invoke(Invocation(path: path, command: command, flags: flags, values: values,
                                  arguments: arguments, workspaceOverride: workspace, environment: environment))
    }

    private func bind(_ positionals: [String], to declared: [CommandArgument],
                      fail: (String) -> Failure) throws(Failure) -> [String: [String]] {
        var bound: [String: [String]] = [:]
        var index = 0
        for argument in declared {
            if argument.isVariadic {
                bound[argument.name] = Array(positionals[index...])
                index = positionals.count
                if bound[argument.name]!.isEmpty, !argument.isOptional { throw fail("missing <\(argument.name)>") }
                continue
            }
            if index < positionals.count {
                bound[argument.name] = [positionals[index]]
                index += 1
            } else if !argument.isOptional {
                throw fail("missing <\(argument.name)>")
            }
        }
        if index < positionals.count {
            throw fail("unexpected argument '\(positionals[index])'")
        }
        return bound
    }

    /// `--out=x` → ("out", "x"); `--json` → ("json", nil); `-h` → ("h", nil).
    private static func split(_ token: String) -> (String, String?) {
        let body = token.hasPrefix("--") ? token.dropFirst(2) : token.dropFirst(1)
        if let equals = body.firstIndex(of: "=") {
            return (String(body[..<equals]), String(body[body.index(after: equals)...]))
        }
        return (String(body), nil)
    }
}

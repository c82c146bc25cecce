import Foundation

/// Parses the command line, runs the chosen handler and turns every outcome into an exit code.
enum Runner {
    static func main(root: Command, arguments: [String], environment: [String: String]) async -> Int32 {
        let parser = CommandLineParser(root: root)
        let outcome: CommandLineParser.Outcome
        do {
            outcome = try parser.parse(arguments, environment: environment)
        } catch {
            Output.err("error: \(error.error.message)\n")
            Output.err("usage: \(HelpRenderer.usageLine(path: error.path, command: error.command))\n")
            Output.err("  See '\(error.path.joined(separator: " ")) --help' for more.\n")
            return ExitCode.usage.rawValue
        }
        switch outcome {
        case .version:
            Output.out("appseal \(AppsealVersion.string)\n")
            return ExitCode.ok.rawValue
        case let .help(path, command):
            Output.out(HelpRenderer.help(path: path, command: command))
            return ExitCode.ok.rawValue
        case let .invoke(invocation):
            do {
                return try await invocation.command.run!(invocation).rawValue
            } catch let usage as UsageError {
                Output.err("error: \(usage.message)\n")
                Output.err("usage: \(HelpRenderer.usageLine(path: invocation.path, command: invocation.command))\n")
                return ExitCode.usage.rawValue
            } catch let reportable as ReportableError {
                Output.err("error: \(reportable.message)\n")
                return reportable.exitCode.rawValue
            } catch {
                Output.err("error: internal error in '\(invocation.commandPath)': \(error)\n")
                return ExitCode.internalError.rawValue
            }
        }
    }
}

enum AppsealVersion {
    static let string = "0.1.0"
}

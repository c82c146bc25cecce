import Foundation

/// What a handler receives: the parsed command line plus the process environment.
struct Invocation: Sendable {
    let path: [String]
    let command: Command
    let flags: Set<String>
    let values: [String: [String]]
    let arguments: [String: [String]]
    let workspaceOverride: String?
    let environment: [String: String]

    var commandPath: String { path.joined(separator: " ") }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func value(_ name: String) -> String? { values[name]?.last }

    func values(_ name: String) -> [String] { values[name] ?? [] }

    func argument(_ name: String) -> String? { arguments[name]?.first }

    func variadic(_ name: String) -> [String] { arguments[name] ?? [] }

    /// A value that must be present (for options marked required this is checked while parsing).
    func requiredValue(_ name: String) throws -> String {
        guard let value = value(name) else { throw UsageError(message: "missing --\(name)") }
        return value
    }

    func requiredArgument(_ name: String) throws -> String {
        guard let value = argument(name) else { throw UsageError(message: "missing <\(name)>") }
        return value
    }

    /// An integer option checked against a range; the error names the option and what is allowed.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(message: "--\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// A value from a fixed set of choices.
    func choice(_ name: String, default defaultValue: String, allowed: [String]) throws -> String {
        guard let text = value(name) else { return defaultValue }
        guard allowed.contains(text) else {
            throw UsageError(message: "--\(name) must be one of \(allowed.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// The workspace folder: --workspace, else $APPSEAL_WORKSPACE, else the XDG data folder.
    var workspacePath: String {
        if let explicit = workspaceOverride { return explicit }
        if let fromEnvironment = environment["APPSEAL_WORKSPACE"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/appseal" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/appseal"
    }

    var colorAllowed: Bool { environment["NO_COLOR"].map { $0.isEmpty } ?? true }
}

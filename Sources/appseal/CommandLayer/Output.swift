import Foundation

/// Writes to the process's standard streams; every user-visible line goes through here.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Pretty JSON with sorted keys, so scripts and diffs see stable output.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        out(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
}

/// An error a module raises that the CLI can report: the message names the file, entry
/// or option, and the exit code is one of DESIGN.md's.
protocol ReportableError: Error {
    var exitCode: ExitCode { get }
    var message: String { get }
}

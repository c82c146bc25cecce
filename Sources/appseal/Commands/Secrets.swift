import BuildEngine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where secrets (passwords, passphrases) come from: a file named by an option, an
/// `env:NAME` reference in that option, an environment variable, or a prompt on the terminal
/// with echo off. Never a bare command-line argument, and never echoed or logged.
enum Secrets {
    /// The secret named by `--<option>`: `F` reads file F (its first line), `env:NAME` reads the
    /// environment variable NAME. Nil when the option was not given.
    static func fromOption(_ option: String, in invocation: Invocation) throws -> String? {
        guard let reference = invocation.value(option) else { return nil }
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard !name.isEmpty else { throw SecretError.emptyEnvironmentName(option: option) }
            guard let value = invocation.environment[name] else {
                throw SecretError.environmentUnset(option: option, name: name)
            }
            guard !value.isEmpty else { throw SecretError.empty(source: "environment variable \(name)") }
            return value
        }
        return try fromFile(reference, option: option)
    }

    /// The first line of a file, without its line ending; an empty secret is refused.
    static func fromFile(_ path: String, option: String) throws -> String {
        let data: Data
        do {
            guard let bytes = try WorkspaceJSON.readBytesIfPresent(URL(fileURLWithPath: path), limit: 64 * 1024) else {
                throw SecretError.unreadable(option: option, path: path, reason: "no such file")
            }
            data = bytes
        } catch let error as WorkspaceError {
            switch error {
            case .corrupted: throw SecretError.tooLarge(path: path)
            case let .unreadable(_, reason): throw SecretError.unreadable(option: option, path: path, reason: reason)
            default: throw SecretError.unreadable(option: option, path: path, reason: error.description)
            }
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SecretError.notText(path: path) }
        let line = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let secret = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard !secret.isEmpty else { throw SecretError.empty(source: path) }
        return secret
    }

    /// Asks on the controlling terminal with echo off. Nil when there is no terminal (CI).
    static func prompt(_ question: String, confirm: Bool = false) throws -> String? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        let terminal = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard terminal >= 0 else { return nil }
        defer { close(terminal) }
        let first = try readHidden(question, terminal: terminal)
        if confirm, !first.isEmpty {
            let second = try readHidden("Repeat to confirm: ", terminal: terminal)
            guard first == second else { throw SecretError.confirmationMismatch }
        }
        return first
    }

    private static func readHidden(_ question: String, terminal: Int32) throws -> String {
        _ = question.withCString { write(terminal, $0, strlen($0)) }
        var saved = termios()
        let canHide = tcgetattr(terminal, &saved) == 0
        if canHide {
            var hidden = saved
            hidden.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(terminal, TCSAFLUSH, &hidden)
        }
        defer {
            if canHide { tcsetattr(terminal, TCSAFLUSH, &saved) }
            _ = "\n".withCString { write(terminal, $0, 1) }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 4096 {
            let count = read(terminal, &byte, 1)
            if count < 0, errno == EINTR { continue }
            if count <= 0 || byte == 0x0A || byte == 0x0D { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A secret could not be obtained. Messages name the option, file or variable, never the secret.
enum SecretError: Error, ReportableError {
    case unreadable(option: String, path: String, reason: String)
    case tooLarge(path: String)
    case notText(path: String)
    case empty(source: String)
    case emptyEnvironmentName(option: String)
    case environmentUnset(option: String, name: String)
    case confirmationMismatch

    var exitCode: ExitCode { .invalidInput }

    var message: String {
        switch self {
        case let .unreadable(option, path, reason):
            return "--\(option): cannot read \(path): \(reason)"
        case let .tooLarge(path):
            return "\(path) is too large to be a password file"
        case let .notText(path):
            return "\(path) is not UTF-8 text"
        case let .empty(source):
            return "the secret in \(source) is empty"
        case let .emptyEnvironmentName(option):
            return "--\(option) env:NAME needs a variable name"
        case let .environmentUnset(option, name):
            return "--\(option) env:\(name): the environment variable \(name) is not set"
        case .confirmationMismatch:
            return "the two entries did not match"
        }
    }
}

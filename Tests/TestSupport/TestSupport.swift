import Foundation

/// Paths shared by every test: the project root, the read-only fixtures and the built binary.
public enum Project {
    /// The package root, found from this file's place in the tree.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder SwiftPM built into: the one holding the running test bundle.
    public static let buildDirectory: URL = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent()
    }()

    /// The real `appseal` executable that end-to-end tests run.
    public static var appsealBinary: URL { buildDirectory.appendingPathComponent("appseal") }
}

/// The third-party files in ../shared/fixtures. Tests skip, saying so, only when the folder is absent.
public enum Fixtures {
    public static let root: URL = Project.root.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    public static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    public static let absentMessage = "fixtures folder ../shared/fixtures is absent"

    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    public static func data(_ relativePath: String) throws -> Data { try Data(contentsOf: url(relativePath)) }

    /// Every file below `folder` whose extension is one of `extensions` (all files when empty), sorted.
    public static func files(under folder: String, extensions: [String] = []) -> [URL] {
        let base = url(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var found: [URL] = []
        for case let file as URL in walker {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            if extensions.isEmpty || extensions.contains(file.pathExtension.lowercased()) { found.append(file) }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// The path of a fixture relative to the fixtures root, for test names and messages.
    public static func relativePath(_ file: URL) -> String {
        String(file.path.dropFirst(root.path.count + 1))
    }
}

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let stdoutData: Data

    public var succeeded: Bool { status == 0 }
    public var combined: String { stdout + stderr }
}

public enum ProcessRunner {
    /// Runs a program to completion. Output goes through files so a chatty child never blocks on a full pipe.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdin: Data? = nil, currentDirectory: URL? = nil) throws -> ProcessResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("appseal-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(executable))
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        try process.run()
        process.waitUntilExit()
        try outHandle.close(); try errHandle.close(); try inHandle.close()
        let outData = try Data(contentsOf: outURL)
        let errData = try Data(contentsOf: errURL)
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self),
                             stdoutData: outData)
    }

    /// Runs the built `appseal` binary.
    @discardableResult
    public static func appseal(_ arguments: [String], environment: [String: String] = [:],
                               stdin: Data? = nil) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "APPSEAL_WORKSPACE")
        for (key, value) in environment { env[key] = value }
        return try run(Project.appsealBinary.path, arguments, environment: env, stdin: stdin)
    }

    /// The absolute path of a program on PATH, or the path itself when it has a slash.
    public static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        if let found = Tools.path(executable) { return found }
        throw ToolMissing(name: executable)
    }
}

public struct ToolMissing: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "'\(name)' is not installed; .ci/run installs it (see README)" }
}

/// The ecosystem's own tools that tests check appseal's output with.
public enum Tools {
    public static func path(_ name: String) -> String? {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in searchPath.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A fresh folder removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(prefix: String = "appseal-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

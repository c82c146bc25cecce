import Foundation

/// The Android ecosystem's DEX tools as the DEX assembler's and the runtime's tests use them:
/// smali/baksmali (libsmali-java) to compare a DEX of ours with smali's own, and enjarify to turn a
/// DEX into JVM classes that OpenJDK runs.
public enum DexTools {
    /// Writes each source as `Class<N>.smali` into `folder`/smali and assembles them with `smali`.
    public static func smaliAssemble(_ sources: [String], in folder: TemporaryDirectory, output: String) throws -> String {
        let sourceDirectory = folder.url.appendingPathComponent("smali")
        try FileManager.default.createDirectory(at: sourceDirectory, withIntermediateDirectories: true)
        for (index, source) in sources.enumerated() {
            try source.write(to: sourceDirectory.appendingPathComponent("Class\(index).smali"), atomically: true, encoding: .utf8)
        }
        let path = folder.path(output)
        let result = try ProcessRunner.run(try ProcessRunner.resolve("smali"), ["a", "-o", path, sourceDirectory.path])
        guard result.succeeded else { throw ToolFailure(tool: "smali", reason: "failed", log: result.combined) }
        return path
    }

    /// `baksmali d` of `dex` into `folder`/`output`; returns that folder.
    public static func baksmali(_ dex: String, in folder: TemporaryDirectory, output: String) throws -> URL {
        let result = try ProcessRunner.run(try ProcessRunner.resolve("baksmali"), ["d", "-o", folder.path(output), dex])
        guard result.succeeded else { throw ToolFailure(tool: "baksmali", reason: "failed on \(dex)", log: result.combined) }
        return folder.url.appendingPathComponent(output)
    }

    /// baksmali's text split into methods, keyed by the `.method` line. Parameter names are debug
    /// information (smali emits it for `.param p1, "name"`; appseal's assembler writes none), so `.param`
    /// blocks are left out of the comparison.
    public static func methods(_ text: String) -> [String: [String]] {
        var methods: [String: [String]] = [:]
        var current: String?
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
            if line.hasPrefix(".method ") { current = line; methods[line] = []; continue }
            if line == ".end method" { current = nil; continue }
            if line.hasPrefix(".param ") || line == ".end param" { continue }
            if let current { methods[current]?.append(line) }
        }
        return methods
    }

    /// Everything outside methods: class line, super, interfaces, source, fields.
    public static func header(_ text: String) -> [String] {
        var lines: [String] = []
        var inMethod = false
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty && !line.hasPrefix("#") {
            if line.hasPrefix(".method ") { inMethod = true }
            if !inMethod { lines.append(line) }
            if line == ".end method" { inMethod = false }
        }
        return lines
    }

    /// Converts `dex` to a jar of JVM classes with Debian's enjarify.
    public static func enjarify(_ dex: String, to jar: String) throws {
        // Debian installs enjarify for the system Python; its launcher would otherwise take the first python3 on PATH.
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHON"] = "/usr/bin/python3"
        let converted = try ProcessRunner.run(try ProcessRunner.resolve("enjarify"), ["-f", "-o", jar, dex], environment: environment)
        guard converted.succeeded, converted.combined.contains(", 0 classes had errors") else {
            throw ToolFailure(tool: "enjarify", reason: "failed on \(dex)", log: converted.combined)
        }
    }
}

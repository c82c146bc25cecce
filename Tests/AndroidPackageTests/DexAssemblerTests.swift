import AndroidPackage
import Foundation
import Testing
import TestSupport

/// The assembler's output checked by the Android ecosystem's own tools: dexdump reads it, baksmali
/// disassembles it exactly like smali's own output for the same source, and enjarify turns it into
/// JVM classes that OpenJDK runs.
@Suite struct DexAssemblerTests {
    static let sources = DexSmaliSources.all + [DexSmaliSources.strings]

    /// Writes the sources as .smali files and our DEX beside them.
    static func assembled(in directory: TemporaryDirectory) throws -> String {
        let dex = try SmaliParser.assemble(sources)
        let path = directory.path("appseal.dex")
        try Data(dex).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func dexdumpReadsEveryMethodWithoutErrors() throws {
        let directory = try TemporaryDirectory()
        let dex = try Self.assembled(in: directory)
        let result = try ProcessRunner.run(try ProcessRunner.resolve("dexdump"), ["-d", dex])
        #expect(result.succeeded, "\(result.combined)")
        #expect(!result.combined.localizedCaseInsensitiveContains("error"), "\(result.combined)")
        #expect(!result.combined.localizedCaseInsensitiveContains("failure"), "\(result.combined)")
        // The checksum dexdump computes matches the header (it reports a mismatch otherwise).
        for name in ["Lappseal/test/Main;", "Lappseal/test/Base;", "Lappseal/test/Greeter;", "Lappseal/test/Strings;"] {
            #expect(result.stdout.contains("Class descriptor  : '\(name)'"))
        }
        #expect(result.stdout.contains("catches       : 1"))
        #expect(result.stdout.contains("Ljava/lang/ArithmeticException;"))
        #expect(result.stdout.contains("<any>"))
        #expect(result.stdout.contains("goto/16"))
    }

    @Test func checksumAndSignatureMatchAnIndependentComputation() throws {
        let directory = try TemporaryDirectory()
        let dex = try Self.assembled(in: directory)
        let script = """
        import sys, zlib, hashlib, struct
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'dex\\n035\\0', data[:8]
        checksum, = struct.unpack_from('<I', data, 8)
        assert checksum == zlib.adler32(data[12:]), 'adler32'
        assert data[12:32] == hashlib.sha1(data[32:]).digest(), 'sha1'
        size, header, endian = struct.unpack_from('<III', data, 32)
        assert size == len(data) and header == 0x70 and endian == 0x12345678
        map_off, = struct.unpack_from('<I', data, 52)
        count, = struct.unpack_from('<I', data, map_off)
        items = [struct.unpack_from('<HHII', data, map_off + 4 + 12 * i) for i in range(count)]
        offsets = [item[3] for item in items]
        assert offsets == sorted(offsets), offsets
        assert map_off + 4 + 12 * count == len(data)
        print(' '.join('%04x' % item[0] for item in items))
        """
        let result = try ProcessRunner.run(try ProcessRunner.resolve("python3"), ["-c", script, dex])
        #expect(result.succeeded, "\(result.combined)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            == "0000 0001 0002 0003 0004 0005 0006 1001 2001 2002 2000 1000")
    }

    @Test func baksmaliDisassemblyMatchesSmaliMethodByMethod() throws {
        let directory = try TemporaryDirectory()
        let ours = try Self.assembled(in: directory)
        let sourceDirectory = directory.url.appendingPathComponent("smali")
        try FileManager.default.createDirectory(at: sourceDirectory, withIntermediateDirectories: true)
        for (index, source) in Self.sources.enumerated() {
            try source.write(to: sourceDirectory.appendingPathComponent("Class\(index).smali"), atomically: true, encoding: .utf8)
        }
        let theirs = directory.path("smali.dex")
        let smali = try ProcessRunner.run(try ProcessRunner.resolve("smali"), ["a", "-o", theirs, sourceDirectory.path])
        try #require(smali.succeeded, "\(smali.combined)")

        let baksmali = try ProcessRunner.resolve("baksmali")
        for (dex, output) in [(ours, "ours"), (theirs, "theirs")] {
            let result = try ProcessRunner.run(baksmali, ["d", "-o", directory.path(output), dex])
            try #require(result.succeeded, "baksmali on \(output): \(result.combined)")
        }
        let classes = ["Main", "Base", "Greeter", "Strings"]
        for name in classes {
            let ourText = try String(contentsOfFile: directory.path("ours/appseal/test/\(name).smali"), encoding: .utf8)
            let theirText = try String(contentsOfFile: directory.path("theirs/appseal/test/\(name).smali"), encoding: .utf8)
            let ourMethods = Self.methods(ourText)
            let theirMethods = Self.methods(theirText)
            #expect(!theirMethods.isEmpty && theirMethods.values.allSatisfy { !$0.isEmpty } || name == "Greeter", "\(name)")
            #expect(ourMethods.keys.sorted() == theirMethods.keys.sorted(), "\(name)")
            for (signature, body) in theirMethods {
                #expect(ourMethods[signature] == body, "\(name).\(signature) differs")
            }
            #expect(Self.header(ourText) == Self.header(theirText), "\(name) header")
        }
    }

    /// baksmali's text split into methods, keyed by the `.method` line. Parameter names are debug
    /// information (smali emits it for `.param p1, "name"`; this assembler writes none), so `.param`
    /// blocks are left out of the comparison.
    static func methods(_ text: String) -> [String: [String]] {
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
    static func header(_ text: String) -> [String] {
        var lines: [String] = []
        var inMethod = false
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty && !line.hasPrefix("#") {
            if line.hasPrefix(".method ") { inMethod = true }
            if !inMethod { lines.append(line) }
            if line == ".end method" { inMethod = false }
        }
        return lines
    }

    @Test func enjarifiedClassesRunOnTheJVM() throws {
        let directory = try TemporaryDirectory()
        let dex = try Self.assembled(in: directory)
        let jar = directory.path("appseal.jar")
        // Debian installs enjarify for the system Python; its launcher would otherwise take the first python3 on PATH.
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHON"] = "/usr/bin/python3"
        let converted = try ProcessRunner.run(try ProcessRunner.resolve("enjarify"), ["-f", "-o", jar, dex], environment: environment)
        try #require(converted.succeeded, "\(converted.combined)")
        let run = try ProcessRunner.run(try ProcessRunner.resolve("java"), ["-Xshare:off", "-cp", jar, "appseal.test.Main"])
        #expect(run.succeeded, "\(run.combined)")
        #expect(run.stdout == DexSmaliSources.expectedOutput)
    }
}

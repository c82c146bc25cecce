import Foundation
import TestSupport

/// Python's zipfile as an independent reader to compare names and CRCs with.
enum PythonZip {
    struct Item: Decodable, Equatable {
        let name: String
        let crc: UInt32
        let size: UInt64
    }

    static func listing(of path: String) throws -> [Item] {
        let script = """
        import json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            print(json.dumps([{"name": i.filename, "crc": i.CRC, "size": i.file_size} for i in z.infolist()]))
        """
        let result = try ProcessRunner.run("python3", ["-c", script, path])
        guard result.succeeded else { throw ToolFailure(tool: "python3 zipfile", output: result.combined) }
        return try JSONDecoder().decode([Item].self, from: result.stdoutData)
    }

    /// Listings of many archives from one Python process (keyed by path), to keep test runs short.
    static func listings(of paths: [String]) throws -> [String: [Item]] {
        let script = """
        import json, sys, zipfile
        out = {}
        for path in sys.argv[1:]:
            with zipfile.ZipFile(path) as z:
                out[path] = [{"name": i.filename, "crc": i.CRC, "size": i.file_size} for i in z.infolist()]
        print(json.dumps(out))
        """
        let result = try ProcessRunner.run("python3", ["-c", script] + paths)
        guard result.succeeded else { throw ToolFailure(tool: "python3 zipfile", output: result.combined) }
        return try JSONDecoder().decode([String: [Item]].self, from: result.stdoutData)
    }

    /// Python's own integrity test (reads every entry, checks CRCs).
    static func testzip(_ path: String) throws -> String? {
        let script = "import sys, zipfile\nprint(zipfile.ZipFile(sys.argv[1]).testzip() or '')"
        let result = try ProcessRunner.run("python3", ["-c", script, path])
        guard result.succeeded else { throw ToolFailure(tool: "python3 zipfile", output: result.combined) }
        let bad = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return bad.isEmpty ? nil : bad
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    let tool: String
    let output: String
    var description: String { "\(tool) failed: \(output)" }
}

import Foundation
import TestSupport
@testable import ApplePackage

/// Runs the independent readers (LIEF, plistlib, hashlib, openssl) and decodes what they print.
enum IndependentReaders {
    struct Slice: Decodable {
        let cpuType: UInt32
        let cpuSubtype: UInt32
        let fileType: UInt32
        let fatOffset: Int
        let commands: [[Int]]
        let dylibs: [String]
        let cryptID: Int?
        let signature: [Int]?
        let buildMinOS: [Int]?
        let versionMin: [Int]?
        let uuid: [UInt8]?
        let segments: [String: [String]]
    }

    /// LIEF's view of every slice of each file, one python run for all of them.
    static func lief(_ paths: [String]) throws -> [String: [Slice]] {
        let script = """
        import json, sys, lief
        lief.logging.disable()
        out = {}
        for path in sys.argv[1:]:
            fat = lief.MachO.parse(path)
            slices = []
            for b in (fat or []):
                h = b.header
                slices.append({
                    "cpuType": int(h.cpu_type) & 0xffffffff, "cpuSubtype": h.cpu_subtype & 0xffffffff,
                    "fileType": int(h.file_type), "fatOffset": b.fat_offset,
                    "commands": [[int(c.command), c.size, c.command_offset] for c in b.commands],
                    "dylibs": [c.name for c in b.commands if isinstance(c, lief.MachO.DylibCommand) and int(c.command) != 0xd],
                    "cryptID": b.encryption_info.crypt_id if b.has_encryption_info else None,
                    "signature": [b.code_signature.data_offset, b.code_signature.data_size] if b.has_code_signature else None,
                    "buildMinOS": list(b.build_version.minos) if b.has_build_version else None,
                    "versionMin": list(b.version_min.version) if b.has_version_min else None,
                    "uuid": list(b.uuid.uuid) if b.has_uuid else None,
                    "segments": {s.name: [x.name for x in s.sections] for s in b.segments},
                })
            out[path] = slices
        print(json.dumps(out))
        """
        let result = try ProcessRunner.run("python3", ["-c", script] + paths)
        guard result.succeeded else { throw ReaderFailed(tool: "LIEF", output: result.combined) }
        return try JSONDecoder().decode([String: [Slice]].self, from: result.stdoutData)
    }

    /// plistlib's reading of a property list, re-emitted as JSON (data as base64, dates as ISO 8601);
    /// nil when plistlib refuses it, `{"__unserializable__": ...}` when it reads something JSON cannot hold.
    static func plistlib(_ bytes: Data) throws -> PropertyListValue? {
        try plistlib([bytes])[0]
    }

    /// plistlib over many property lists in one Python process (process start dominates otherwise).
    static func plistlib(_ inputs: [Data]) throws -> [PropertyListValue?] {
        let script = """
        import json, math, sys, plistlib, base64, datetime
        def norm(v):
            if isinstance(v, float) and math.isinf(v): return "inf" if v > 0 else "-inf"
            if isinstance(v, bytes): return base64.b64encode(v).decode()
            if isinstance(v, datetime.datetime): return v.strftime("%Y-%m-%dT%H:%M:%SZ")
            if isinstance(v, dict): return {k: norm(x) for k, x in v.items()}
            if isinstance(v, list): return [norm(x) for x in v]
            return v
        out = []
        for item in json.load(sys.stdin):
            try:
                value = plistlib.loads(base64.b64decode(item))
            except Exception as e:
                out.append({"__error__": str(e)})
                continue
            try:
                out.append(json.loads(json.dumps(norm(value))))
            except (TypeError, RecursionError) as e:
                out.append({"__unserializable__": type(e).__name__})
        print(json.dumps(out))
        """
        let input = try JSONEncoder().encode(inputs.map { $0.base64EncodedString() })
        let result = try ProcessRunner.run("python3", ["-c", script], stdin: input)
        guard result.succeeded else { throw ReaderFailed(tool: "plistlib", output: result.combined) }
        let decoded = try JSONDecoder().decode([PropertyListValue].self, from: result.stdoutData)
        return decoded.map { $0["__error__"] != nil ? nil : $0 }
    }

    /// A value as it reads after a trip through JSON, the common ground with the Python readers.
    static func viaJSON(_ value: some Encodable) throws -> PropertyListValue {
        try JSONDecoder().decode(PropertyListValue.self, from: try JSONEncoder().encode(value))
    }
}

struct ReaderFailed: Error, CustomStringConvertible {
    let tool: String
    let output: String
    var description: String { "\(tool) failed: \(output)" }
}

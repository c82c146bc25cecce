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

    /// Re-read in Python: Adler-32 and SHA-1 recomputed, map list in offset order ending the file, and
    /// every id pool in the order the format requires (strings by UTF-16 code units).
    @Test func checksumSignatureAndPoolOrderMatchAnIndependentReader() throws {
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
        def u32(offset): return struct.unpack_from('<I', data, offset)[0]
        def section(index): return u32(56 + 8 * index), u32(60 + 8 * index)
        def uleb(offset):
            value = shift = 0
            while True:
                byte = data[offset]; offset += 1
                value |= (byte & 0x7f) << shift; shift += 7
                if byte < 0x80: return value, offset
        def utf16_units(offset):
            # Modified UTF-8 to UTF-16 code units, the order the format sorts strings in.
            length, offset = uleb(offset)
            units = []
            while data[offset] != 0:
                byte = data[offset]
                if byte < 0x80: units.append(byte); offset += 1
                elif byte < 0xe0: units.append((byte & 0x1f) << 6 | data[offset + 1] & 0x3f); offset += 2
                else: units.append((byte & 0x0f) << 12 | (data[offset + 1] & 0x3f) << 6 | data[offset + 2] & 0x3f); offset += 3
            assert len(units) == length
            return units
        (strings_n, strings_off), (types_n, types_off), (protos_n, protos_off), (fields_n, fields_off), (methods_n, methods_off) = [section(i) for i in range(5)]
        strings = [utf16_units(u32(strings_off + 4 * i)) for i in range(strings_n)]
        assert all(a < b for a, b in zip(strings, strings[1:])), 'string_ids not in UTF-16 order'
        assert [0xffff] in strings and [0xd83d, 0xde00] + [ord(c) for c in ' smile'] in strings and [ord(c) for c in 'nul'] + [0] + [ord(c) for c in 'inside'] in strings
        types = [u32(types_off + 4 * i) for i in range(types_n)]
        assert all(a < b for a, b in zip(types, types[1:])), 'type_ids'
        def type_list(offset):
            if offset == 0: return []
            return [struct.unpack_from('<H', data, offset + 4 + 2 * i)[0] for i in range(u32(offset))]
        protos = [(u32(protos_off + 12 * i + 4), type_list(u32(protos_off + 12 * i + 8))) for i in range(protos_n)]
        assert all(a < b for a, b in zip(protos, protos[1:])), 'proto_ids'
        for offset, count in ((fields_off, fields_n), (methods_off, methods_n)):
            keys = [struct.unpack_from('<HHI', data, offset + 8 * i) for i in range(count)]
            keys = [(owner, name, middle) for owner, middle, name in keys]
            assert all(a < b for a, b in zip(keys, keys[1:])), 'field_ids/method_ids'
        classes_n, classes_off = section(5)
        defs = [struct.unpack_from('<IIII', data, classes_off + 32 * i) for i in range(classes_n)]
        position = {class_idx: i for i, (class_idx, _, _, _) in enumerate(defs)}
        for i, (class_idx, _, superclass, interfaces) in enumerate(defs):
            for parent in [superclass] + type_list(interfaces):
                assert position.get(parent, -1) < i, 'class_def %d precedes its superclass or interface' % i
        assert len(defs) == 4
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
        let theirs = try DexTools.smaliAssemble(Self.sources, in: directory, output: "smali.dex")
        let ourFolder = try DexTools.baksmali(ours, in: directory, output: "ours")
        let theirFolder = try DexTools.baksmali(theirs, in: directory, output: "theirs")
        let classes = ["Main", "Base", "Greeter", "Strings"]
        for name in classes {
            let ourText = try String(contentsOf: ourFolder.appendingPathComponent("appseal/test/\(name).smali"), encoding: .utf8)
            let theirText = try String(contentsOf: theirFolder.appendingPathComponent("appseal/test/\(name).smali"), encoding: .utf8)
            let ourMethods = DexTools.methods(ourText)
            let theirMethods = DexTools.methods(theirText)
            #expect(!theirMethods.isEmpty && theirMethods.values.allSatisfy { !$0.isEmpty } || name == "Greeter", "\(name)")
            #expect(ourMethods.keys.sorted() == theirMethods.keys.sorted(), "\(name)")
            for (signature, body) in theirMethods {
                #expect(ourMethods[signature] == body, "\(name).\(signature) differs")
            }
            #expect(DexTools.header(ourText) == DexTools.header(theirText), "\(name) header")
        }
    }

    @Test func enjarifiedClassesRunOnTheJVM() throws {
        let directory = try TemporaryDirectory()
        let dex = try Self.assembled(in: directory)
        let jar = directory.path("appseal.jar")
        try DexTools.enjarify(dex, to: jar)
        let run = try ProcessRunner.run(try ProcessRunner.resolve("java"), ["-Xshare:off", "-cp", jar, "appseal.test.Main"])
        #expect(run.succeeded, "\(run.combined)")
        #expect(run.stdout == DexSmaliSources.expectedOutput)
    }
}

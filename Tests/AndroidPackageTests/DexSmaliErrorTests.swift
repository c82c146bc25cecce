import AndroidPackage
import Foundation
import Testing
import TestSupport

/// Bad and hostile smali: every error names its line and what was expected; nothing crashes.
@Suite struct DexSmaliErrorTests {
    static func method(_ body: String, registers: Int = 2, signature: String = "run()V", flags: String = "public static") -> String {
        """
        .class public Lappseal/test/Bad;
        .super Ljava/lang/Object;
        .method \(flags) \(signature)
            .registers \(registers)
        \(body)
        .end method
        """
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let source: String
        let line: Int?
        let reason: String
        var testDescription: String { reason }
    }

    static let cases: [Case] = [
        Case(source: ".super Ljava/lang/Object;", line: 1, reason: "expected .class before other directives"),
        Case(source: ".class public Lappseal/test/Bad;\n.super Ljava/lang/Object;\n.class public Lx/Y;", line: 3, reason: "a second .class"),
        Case(source: ".class public Lappseal/test/Bad;", line: 1, reason: "has no .super"),
        Case(source: ".class public appseal/test/Bad", line: 1, reason: "expected a class descriptor (Lpackage/Name;), found appseal/test/Bad"),
        Case(source: ".class public Lappseal/test/Bad;\n.super Ljava/lang/Object;\n.field public x:I = 5", line: 3, reason: "initial field values are not supported"),
        Case(source: ".class public Lappseal/test/Bad;\n.super Ljava/lang/Object;\n.field public x:Q", line: 3, reason: "invalid field type Q"),
        Case(source: method("    const/4 v0, 8\n    return-void"), line: 5, reason: "const/4 takes a literal from -8 to 7, not 8"),
        Case(source: method("    const/4 v2, 1\n    return-void"), line: 5, reason: "register v2 is outside the method's 2 registers"),
        Case(source: method("    frobnicate v0\n    return-void"), line: 5, reason: "unknown or unsupported instruction frobnicate"),
        Case(source: method("    goto :nowhere"), line: 5, reason: "label :nowhere is not defined in method run"),
        Case(source: method("    :self\n    if-eqz v0, :self\n    return-void"), line: 6, reason: "if-eqz may not branch to itself"),
        Case(source: method("    const-string v0, \"open\n    return-void"), line: 5, reason: "unterminated string literal"),
        Case(source: method("    const-string v0, \"\\q\"\n    return-void"), line: 5, reason: "unknown escape \\q"),
        Case(source: method("    const-string v0, \"\\ud800\"\n    return-void"), line: 5, reason: "unpaired UTF-16 surrogate"),
        Case(source: method("    invoke-static {v0}, Lx/Y;->f(II)V\n    return-void"), line: 5, reason: "f takes 2 argument registers (long and double take two), 1 given"),
        Case(source: method("    invoke-static {v0, v1, v0, v1, v0, v1}, Lx/Y;->f(IIIIII)V"), line: 5, reason: "invoke-static takes at most 5 registers"),
        Case(source: method("    move v0 v1\n    return-void"), line: 5, reason: "expected ,, found v1"),
        Case(source: method("    move v0, p3\n    return-void"), line: 5, reason: "p3 is not an argument of run"),
        Case(source: method("    return-void", registers: 0, signature: "run(J)V"), line: 4, reason: "run needs at least 2 registers for its arguments"),
        Case(source: method("    .line 3\n    return-void"), line: 5, reason: "directive .line is not supported inside a method"),
        Case(source: method("    return-void", signature: "<init>()V", flags: "public"), line: 3, reason: "<init> must be declared with the constructor flag"),
        Case(source: method("    :a\n    return-void\n    :b\n    .catchall {:b .. :a} :a"), line: 8, reason: "the try range :b .. :a is empty or reversed"),
        Case(source: method("    :a\n    :a\n    return-void"), line: 6, reason: "label :a is defined twice"),
        Case(source: method("    const v0, 0x1ffffffff\n    return-void"), line: 5, reason: "const takes a literal from -2147483648 to 2147483647"),
        Case(source: method("    const/high16 v0, 0x12345\n    return-void"), line: 5, reason: "const/high16 keeps only the top 16 bits"),
        Case(source: method("    return-void", registers: -1), line: 4, reason: ".registers must be from 0 to 65535, not -1"),
        Case(source: method("    return-void").replacingOccurrences(of: ".registers 2", with: ".locals 0x7fffffffffffffff"), line: 4, reason: ".locals must be from 0 to 65535"),
        Case(source: method("    const-wide/16 v1, 5\n    return-void"), line: 5, reason: "const-wide/16 uses the register pair v1/v2, past the method's 2 registers"),
        Case(source: method("    cmp-long v0, v0, v3\n    return-void", registers: 4), line: 5, reason: "cmp-long uses the register pair v3/v4"),
        Case(source: method("    return-void", signature: "<run>()V"), line: nil, reason: "member name <run> may not contain < or >"),
        Case(source: method("    if-eqz v0, :far\n" + String(repeating: "    const/16 v0, 1\n", count: 16_400) + "    :far\n    return-void"), line: 5,
             reason: "the target :far is 32802 code units away; if-eqz reaches -32768 to 32767"),
        Case(source: method("    const/4 v0, 1"), line: 5, reason: "method run ends with const/4; expected a return, goto or throw last"),
        Case(source: method("    move v16, v0\n    return-void", registers: 17), line: 5, reason: "move takes registers v0-v15, not v16"),
        Case(source: ".class public Lappseal/test/Bad;\n.super Ljava/lang/Object;\n.method public static run()V\n    .registers 1\n    return-void", line: 3, reason: "method run has no .end method"),
        Case(source: method("    iget v0, v1, Lx/Y;->f\n    return-void"), line: 5, reason: "expected ->name:Type in Lx/Y;->f"),
        Case(source: method("    invoke-static {}, Lx/Y;->f(L)V\n    return-void"), line: 5, reason: "class type in the parameters of f lacks its ;"),
    ]

    @Test(arguments: cases) func errorNamesTheLineAndWhatWasExpected(_ example: Case) {
        do {
            _ = try SmaliParser.assemble([example.source])
            Issue.record("assembled without error; expected \(example.reason)")
        } catch {
            #expect(error.line == example.line, "\(error)")
            #expect(error.reason.contains(example.reason), "\(error)")
        }
    }

    @Test func classesThatInheritFromEachOtherAreRejected() {
        let first = ".class public La/A;\n.super La/B;"
        let second = ".class public La/B;\n.super La/A;"
        #expect(throws: DexAssemblyError(line: nil, "class La/A; inherits from itself")) {
            try SmaliParser.assemble([first, second])
        }
        #expect(throws: DexAssemblyError(line: nil, "class La/A; is defined twice")) {
            try SmaliParser.assemble([first, first])
        }
    }

    /// Every prefix of a valid program either assembles or fails with an error naming a line
    /// inside the prefix; none crashes.
    @Test func everyTruncationFailsCleanly() throws {
        let source = DexSmaliSources.main
        let bytes = Array(source.utf8)
        var failures = 0
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let prefix = String(decoding: bytes[..<length], as: UTF8.self)
            let lineCount = prefix.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                _ = try SmaliParser.assemble([prefix, DexSmaliSources.base, DexSmaliSources.greeter])
            } catch {
                failures += 1
                if let line = error.line { #expect(line >= 1 && line <= lineCount, "\(error)") }
            }
        }
        #expect(failures > 0)
    }

    /// Random byte flips and junk from a fixed seed: the parser and writer throw or succeed, never trap.
    @Test func mutatedSourcesNeverCrash() {
        var generator = SplitMix(seed: 0x5EED_DE5)
        let original = Array(DexSmaliSources.main.utf8)
        let junk: [[UInt8]] = ["\"", "{", "}", ",", ":", "..", "0x", "-", "p9", "v65535", "\\u", "L", ";", "->", "(", ")", "[", "\n", "#"]
            .map { Array($0.utf8) }
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.insert(contentsOf: junk[Int(generator.next() % UInt64(junk.count))], at: position)
                default: bytes.remove(at: position)
                }
            }
            _ = try? SmaliParser.assemble([String(decoding: bytes, as: UTF8.self), DexSmaliSources.base, DexSmaliSources.greeter])
        }
    }

    @Test func oversizedInputIsRefusedBeforeParsing() {
        let huge = String(repeating: "#", count: SmaliParser.maximumSourceBytes + 1)
        #expect(throws: DexAssemblyError(line: nil, "smali source is larger than \(SmaliParser.maximumSourceBytes) bytes")) {
            try SmaliParser.parseClass(huge)
        }
        let wide = ".class public " + String(repeating: "{ ", count: SmaliParser.maximumTokensPerLine + 1)
        #expect(throws: DexAssemblyError(line: 1, "more than \(SmaliParser.maximumTokensPerLine) tokens on one line")) {
            try SmaliParser.parseClass(wide)
        }
    }

    /// A `goto` whose target is beyond an 8-bit (or 16-bit) offset is written as goto/16 (goto/32),
    /// and dexdump decodes the branch to the right address.
    @Test(arguments: [(200, "goto/16"), (16_400, "goto/32")])
    func farBranchesWidenGoto(fillers: Int, expected: String) throws {
        let filler = String(repeating: "    const/16 v0, 1000\n", count: fillers)
        let source = Self.method("    goto :far\n\(filler)    :far\n    return-void")
        let directory = try TemporaryDirectory()
        let path = directory.path("far.dex")
        try Data(try SmaliParser.assemble([source])).write(to: URL(fileURLWithPath: path))
        let dump = try ProcessRunner.run(try ProcessRunner.resolve("dexdump"), ["-d", path])
        #expect(dump.succeeded, "\(dump.stderr)")
        // dexdump prints the target address; goto/32's as #%08x.
        let target = expected == "goto/16" ? String(format: "%04x", fillers * 2 + 2) : String(format: "#%08x", fillers * 2 + 3)
        #expect(dump.stdout.contains("\(expected) \(target)"), "\(dump.stdout.prefix(2000))")
    }
}

/// Past 65536 strings a 16-bit index no longer reaches them all: const-string becomes
/// const-string/jumbo for those strings, and dexdump still reads every instruction.
@Suite struct DexJumboStringTests {
    @Test func constStringWidensToJumboPastIndex65535() throws {
        let count = 65_600
        var body = ""
        body.reserveCapacity(count * 32)
        for index in 0..<count { body += "    const-string v0, \"s\(index)\"\n" }
        let source = DexSmaliErrorTests.method(body + "    return-void")
        let directory = try TemporaryDirectory()
        let path = directory.path("jumbo.dex")
        try Data(try SmaliParser.assemble([source])).write(to: URL(fileURLWithPath: path))
        let dump = try ProcessRunner.run(try ProcessRunner.resolve("dexdump"), ["-d", path])
        #expect(dump.succeeded, "\(dump.stderr.prefix(2000))")
        let jumbo = dump.stdout.components(separatedBy: "const-string/jumbo v0, \"").count - 1
        let plain = dump.stdout.components(separatedBy: "const-string v0, \"").count - 1
        #expect(jumbo > 0 && plain > 0)
        #expect(jumbo + plain == count)
    }
}

/// A small deterministic generator so the mutation test is reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

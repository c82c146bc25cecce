/// The instruction subset the assembler supports: opcode values and formats of the Dalvik bytecode.

/// How an instruction's operands are packed into 16-bit code units; the names are the format IDs of
/// the Dalvik instruction-formats document (units, registers, kind).
public enum DexInstructionFormat: Sendable, Hashable {
    case f10x, f12x, f11n, f11x, f10t, f20t, f21s, f21h, f21c, f21t, f22x, f22b, f22t, f22s, f22c, f23x
    case f30t, f31i, f31c, f32x, f35c, f3rc, f51l

    /// Length in 16-bit code units.
    var unitCount: Int {
        switch self {
        case .f10x, .f12x, .f11n, .f11x, .f10t: 1
        case .f20t, .f21s, .f21h, .f21c, .f21t, .f22x, .f22b, .f22t, .f22s, .f22c, .f23x: 2
        case .f30t, .f31i, .f31c, .f32x, .f35c, .f3rc: 3
        case .f51l: 5
        }
    }
}

/// What an instruction's index operand points at.
public enum DexReferenceKind: Sendable, Hashable {
    case none, string, type, field, method
}

public struct DexOpcode: Sendable, Hashable {
    public let name: String
    public let value: UInt8
    public let format: DexInstructionFormat
    public let reference: DexReferenceKind

    /// Every supported opcode by its smali mnemonic.
    public static let byName: [String: DexOpcode] = {
        var table: [String: DexOpcode] = [:]
        for opcode in all { table[opcode.name] = opcode }
        return table
    }()

    static func named(_ name: String) -> DexOpcode {
        guard let opcode = byName[name] else { preconditionFailure("opcode table lacks \(name)") }
        return opcode
    }

    static let all: [DexOpcode] = {
        var list: [DexOpcode] = []
        func add(_ name: String, _ value: UInt8, _ format: DexInstructionFormat, _ reference: DexReferenceKind = .none) {
            list.append(DexOpcode(name: name, value: value, format: format, reference: reference))
        }
        // A run of opcodes with consecutive values and the same format (the arithmetic and field groups).
        func addRun(_ names: [String], from first: UInt8, _ format: DexInstructionFormat, _ reference: DexReferenceKind = .none) {
            for (offset, name) in names.enumerated() { add(name, first + UInt8(offset), format, reference) }
        }
        add("nop", 0x00, .f10x)
        add("move", 0x01, .f12x); add("move/from16", 0x02, .f22x); add("move/16", 0x03, .f32x)
        add("move-wide", 0x04, .f12x); add("move-wide/from16", 0x05, .f22x); add("move-wide/16", 0x06, .f32x)
        add("move-object", 0x07, .f12x); add("move-object/from16", 0x08, .f22x); add("move-object/16", 0x09, .f32x)
        addRun(["move-result", "move-result-wide", "move-result-object", "move-exception"], from: 0x0a, .f11x)
        add("return-void", 0x0e, .f10x)
        addRun(["return", "return-wide", "return-object"], from: 0x0f, .f11x)
        add("const/4", 0x12, .f11n); add("const/16", 0x13, .f21s); add("const", 0x14, .f31i)
        add("const/high16", 0x15, .f21h)
        add("const-wide/16", 0x16, .f21s); add("const-wide/32", 0x17, .f31i); add("const-wide", 0x18, .f51l)
        add("const-wide/high16", 0x19, .f21h)
        add("const-string", 0x1a, .f21c, .string); add("const-string/jumbo", 0x1b, .f31c, .string)
        add("const-class", 0x1c, .f21c, .type)
        add("monitor-enter", 0x1d, .f11x); add("monitor-exit", 0x1e, .f11x)
        add("check-cast", 0x1f, .f21c, .type); add("instance-of", 0x20, .f22c, .type)
        add("array-length", 0x21, .f12x)
        add("new-instance", 0x22, .f21c, .type); add("new-array", 0x23, .f22c, .type)
        add("throw", 0x27, .f11x)
        add("goto", 0x28, .f10t); add("goto/16", 0x29, .f20t); add("goto/32", 0x2a, .f30t)
        addRun(["cmpl-float", "cmpg-float", "cmpl-double", "cmpg-double", "cmp-long"], from: 0x2d, .f23x)
        addRun(["if-eq", "if-ne", "if-lt", "if-ge", "if-gt", "if-le"], from: 0x32, .f22t)
        addRun(["if-eqz", "if-nez", "if-ltz", "if-gez", "if-gtz", "if-lez"], from: 0x38, .f21t)
        let widths = ["", "-wide", "-object", "-boolean", "-byte", "-char", "-short"]
        addRun(widths.map { "aget" + $0 }, from: 0x44, .f23x)
        addRun(widths.map { "aput" + $0 }, from: 0x4b, .f23x)
        addRun(widths.map { "iget" + $0 }, from: 0x52, .f22c, .field)
        addRun(widths.map { "iput" + $0 }, from: 0x59, .f22c, .field)
        addRun(widths.map { "sget" + $0 }, from: 0x60, .f21c, .field)
        addRun(widths.map { "sput" + $0 }, from: 0x67, .f21c, .field)
        let invokes = ["virtual", "super", "direct", "static", "interface"]
        addRun(invokes.map { "invoke-" + $0 }, from: 0x6e, .f35c, .method)
        addRun(invokes.map { "invoke-\($0)/range" }, from: 0x74, .f3rc, .method)
        addRun([
            "neg-int", "not-int", "neg-long", "not-long", "neg-float", "neg-double", "int-to-long", "int-to-float",
            "int-to-double", "long-to-int", "long-to-float", "long-to-double", "float-to-int", "float-to-long",
            "float-to-double", "double-to-int", "double-to-long", "double-to-float", "int-to-byte", "int-to-char",
            "int-to-short",
        ], from: 0x7b, .f12x)
        let binary = [
            "add-int", "sub-int", "mul-int", "div-int", "rem-int", "and-int", "or-int", "xor-int", "shl-int", "shr-int",
            "ushr-int", "add-long", "sub-long", "mul-long", "div-long", "rem-long", "and-long", "or-long", "xor-long",
            "shl-long", "shr-long", "ushr-long", "add-float", "sub-float", "mul-float", "div-float", "rem-float",
            "add-double", "sub-double", "mul-double", "div-double", "rem-double",
        ]
        addRun(binary, from: 0x90, .f23x)
        addRun(binary.map { $0 + "/2addr" }, from: 0xb0, .f12x)
        addRun([
            "add-int/lit16", "rsub-int", "mul-int/lit16", "div-int/lit16", "rem-int/lit16", "and-int/lit16",
            "or-int/lit16", "xor-int/lit16",
        ], from: 0xd0, .f22s)
        addRun([
            "add-int/lit8", "rsub-int/lit8", "mul-int/lit8", "div-int/lit8", "rem-int/lit8", "and-int/lit8",
            "or-int/lit8", "xor-int/lit8", "shl-int/lit8", "shr-int/lit8", "ushr-int/lit8",
        ], from: 0xd8, .f22b)
        return list
    }()

    /// Positions of the register operands that hold a long or double, i.e. name a register pair.
    var wideRegisterPositions: [Int] {
        switch name {
        case "move-wide", "move-wide/from16", "move-wide/16", "neg-long", "not-long", "neg-double", "long-to-double",
             "double-to-long", "shl-long", "shr-long", "ushr-long":
            return [0, 1]
        case "move-result-wide", "return-wide", "const-wide/16", "const-wide/32", "const-wide", "const-wide/high16",
             "aget-wide", "aput-wide", "iget-wide", "iput-wide", "sget-wide", "sput-wide", "int-to-long", "int-to-double",
             "float-to-long", "float-to-double", "shl-long/2addr", "shr-long/2addr", "ushr-long/2addr":
            return [0]
        case "long-to-int", "long-to-float", "double-to-int", "double-to-float":
            return [1]
        case "cmp-long", "cmpl-double", "cmpg-double":
            return [1, 2]
        case _ where name.hasSuffix("-long/2addr") || name.hasSuffix("-double/2addr"):
            return [0, 1]
        case _ where format == .f23x && (name.hasSuffix("-long") || name.hasSuffix("-double")):
            return [0, 1, 2]
        default:
            return []
        }
    }

    var isGoto: Bool { value >= 0x28 && value <= 0x2a }
    var isStaticInvoke: Bool { value == 0x71 || value == 0x77 }
    var isInvoke: Bool { reference == .method }
}

/// An instruction's operands, symbolic until the writer resolves indices and label addresses.
public enum DexOperands: Sendable, Hashable {
    case none
    /// Plain register operands in source order (11x, 12x, 22x, 23x, 32x).
    case registers([Int])
    /// A destination register and a literal (11n, 21s, 21h, 31i, 51l).
    case registerLiteral(Int, Int64)
    /// Destination, source and a literal (22s, 22b).
    case registersLiteral(Int, Int, Int64)
    /// Registers followed by an index operand (21c, 22c, 31c).
    case registersReference([Int], DexReference)
    /// invoke-kind {registers}, method.
    case invoke([Int], DexMethodReference)
    /// invoke-kind/range {vFirst .. vLast}, method.
    case invokeRange(first: Int, count: Int, DexMethodReference)
    /// Registers compared (none for goto) and the target label.
    case branch([Int], String)
}

public enum DexReference: Sendable, Hashable {
    case string(String)
    case type(String)
    case field(DexFieldReference)
    case method(DexMethodReference)
}

public struct DexInstruction: Sendable, Hashable {
    public var opcode: DexOpcode
    public var operands: DexOperands
    /// Source line, for error messages.
    public var line: Int

    public init(opcode: DexOpcode, operands: DexOperands, line: Int) {
        self.opcode = opcode
        self.operands = operands
        self.line = line
    }
}

/// An error in the program being assembled, naming the source line when there is one.
public struct DexAssemblyError: Error, Hashable, Sendable, CustomStringConvertible {
    public let line: Int?
    public let reason: String

    public init(line: Int?, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "line \(line): \(reason)" }
        return reason
    }
}

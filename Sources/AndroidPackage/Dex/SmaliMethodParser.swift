/// The body of one `.method`: register declaration, labels, `.catch` ranges and instructions.
struct MethodParser {
    let name: String
    let prototype: DexPrototype
    let flags: DexAccessFlags
    let isStatic: Bool
    let line: Int
    private var registerCount: Int?
    private var instructions: [DexInstruction] = []
    private var labels: [String: Int] = [:]
    private var catches: [DexCatch] = []

    init(name: String, prototype: DexPrototype, flags: DexAccessFlags, isStatic: Bool, line: Int) {
        self.name = name
        self.prototype = prototype
        self.flags = flags
        self.isStatic = isStatic
        self.line = line
    }

    private var incomingWords: Int { prototype.parameterWords + (isStatic ? 0 : 1) }

    mutating func consume(_ head: String, _ reader: inout TokenReader) throws(DexAssemblyError) {
        if head.hasPrefix(":") {
            let label = String(head.dropFirst())
            guard !label.isEmpty else { throw reader.error("expected a label name after :") }
            guard labels.updateValue(instructions.count, forKey: label) == nil else { throw reader.error("label :\(label) is defined twice") }
            try reader.end()
            return
        }
        switch head {
        case ".registers", ".locals":
            guard registerCount == nil else { throw reader.error("a second .registers/.locals in \(name)") }
            guard instructions.isEmpty else { throw reader.error("\(head) must come before the first instruction") }
            let count = try reader.integer(reinterpretBits: nil)
            try reader.end()
            guard (0...0xFFFF).contains(count) else { throw reader.error("\(head) must be from 0 to 65535, not \(count)") }
            let total = head == ".locals" ? count + Int64(incomingWords) : count
            guard total <= 0xFFFF else { throw reader.error("\(head) \(count) plus the arguments exceeds 65535 registers") }
            guard total >= incomingWords else {
                throw reader.error("\(name) needs at least \(incomingWords) registers for its arguments, .registers gives \(count)")
            }
            registerCount = Int(total)
        case ".param":
            // Parameter names are debug information, which this assembler does not emit; the register is still checked.
            _ = try register(&reader)
            if reader.peek == .comma {
                try reader.comma()
                _ = try reader.string("the parameter name")
            }
            try reader.end()
        case ".catch", ".catchall":
            let type: String? = head == ".catch" ? try reader.classDescriptor() : nil
            try reader.expect(.openBrace)
            let start = try reader.label()
            guard try reader.word("..") == ".." else { throw reader.error("expected .. between the try labels") }
            let end = try reader.label()
            try reader.expect(.closeBrace)
            let handler = try reader.label()
            try reader.end()
            guard catches.count < 0xFFFF else { throw reader.error("too many .catch directives in \(name)") }
            catches.append(DexCatch(exceptionType: type, startLabel: start, endLabel: end, handlerLabel: handler, line: reader.lineNumber))
        case _ where head.hasPrefix("."):
            throw reader.error("directive \(head) is not supported inside a method (supported: .registers, .locals, .param, .catch, .catchall, .end method)")
        default:
            guard let opcode = DexOpcode.byName[head] else { throw reader.error("unknown or unsupported instruction \(head)") }
            guard registerCount != nil else { throw reader.error("expected .registers or .locals before the first instruction") }
            guard instructions.count < SmaliParser.maximumInstructionsPerMethod else {
                throw reader.error("more than \(SmaliParser.maximumInstructionsPerMethod) instructions in \(name)")
            }
            let operands = try self.operands(of: opcode, &reader)
            try reader.end()
            instructions.append(DexInstruction(opcode: opcode, operands: operands, line: reader.lineNumber))
        }
    }

    /// vN as written, pN counted from the first argument register (after the locals).
    private func register(_ reader: inout TokenReader) throws(DexAssemblyError) -> Int {
        let text = try reader.word("a register (vN or pN)")
        guard let kind = text.first, kind == "v" || kind == "p", text.count <= 6, let number = Int(text.dropFirst()), number >= 0,
              text.dropFirst().allSatisfy(\.isASCII) else {
            throw reader.error("expected a register (vN or pN), found \(text)")
        }
        guard kind == "p" else { return number }
        guard let registerCount else { throw reader.error("expected .registers or .locals before using \(text)") }
        guard number < incomingWords else { throw reader.error("\(text) is not an argument of \(name), which has \(incomingWords) argument registers") }
        return registerCount - incomingWords + number
    }

    private func registers(_ count: Int, _ reader: inout TokenReader) throws(DexAssemblyError) -> [Int] {
        var list: [Int] = []
        for index in 0..<count {
            if index > 0 { try reader.comma() }
            list.append(try register(&reader))
        }
        return list
    }

    private func operands(of opcode: DexOpcode, _ reader: inout TokenReader) throws(DexAssemblyError) -> DexOperands {
        // Hex literals of 32-bit-or-narrower instructions may be written as their unsigned bit pattern.
        let literalBits: Int? = opcode.name.contains("-wide") ? nil : 32
        switch opcode.format {
        case .f10x:
            return .none
        case .f11x:
            return .registers(try registers(1, &reader))
        case .f12x, .f22x, .f32x:
            return .registers(try registers(2, &reader))
        case .f23x:
            return .registers(try registers(3, &reader))
        case .f11n, .f21s, .f21h, .f31i, .f51l:
            let destination = try register(&reader)
            try reader.comma()
            let bits: Int? = switch opcode.format {
            case .f11n: 4
            case .f21s: opcode.name.contains("-wide") ? nil : 16
            default: literalBits
            }
            return .registerLiteral(destination, try reader.integer(reinterpretBits: bits))
        case .f22s, .f22b:
            let pair = try registers(2, &reader)
            try reader.comma()
            return .registersLiteral(pair[0], pair[1], try reader.integer(reinterpretBits: opcode.format == .f22b ? 8 : 16))
        case .f21c, .f31c, .f22c:
            let list = try registers(opcode.format == .f22c ? 2 : 1, &reader)
            try reader.comma()
            let reference: DexReference = switch opcode.reference {
            case .string: .string(try reader.string("a string literal"))
            case .type: .type(try reader.typeDescriptor())
            case .field: .field(try reader.fieldReference())
            case .method, .none: throw reader.error("\(opcode.name) has no supported reference operand")
            }
            return .registersReference(list, reference)
        case .f35c:
            try reader.expect(.openBrace)
            var list: [Int] = []
            while reader.peek != .closeBrace {
                if !list.isEmpty { try reader.comma() }
                guard list.count < 5 else { throw reader.error("\(opcode.name) takes at most 5 registers; use \(opcode.name)/range") }
                list.append(try register(&reader))
            }
            try reader.expect(.closeBrace)
            try reader.comma()
            return .invoke(list, try reader.methodReference())
        case .f3rc:
            try reader.expect(.openBrace)
            var first = 0
            var count = 0
            if reader.peek != .closeBrace {
                first = try register(&reader)
                guard try reader.word("..") == ".." else { throw reader.error("expected .. in the register range") }
                let last = try register(&reader)
                guard last >= first else { throw reader.error("the register range ends before it starts") }
                count = last - first + 1
            }
            try reader.expect(.closeBrace)
            try reader.comma()
            return .invokeRange(first: first, count: count, try reader.methodReference())
        case .f10t, .f20t, .f30t:
            return .branch([], try reader.label())
        case .f21t, .f22t:
            let list = try registers(opcode.format == .f22t ? 2 : 1, &reader)
            try reader.comma()
            return .branch(list, try reader.label())
        }
    }

    func finish(endLine: Int) throws(DexAssemblyError) -> DexMethod {
        let bodiless = flags.contains(.abstract) || flags.contains(.native)
        if bodiless {
            guard instructions.isEmpty, registerCount == nil else {
                throw DexAssemblyError(line: line, "abstract or native method \(name) may not have a body")
            }
            return DexMethod(name: name, prototype: prototype, accessFlags: flags, code: nil)
        }
        guard let registerCount else { throw DexAssemblyError(line: line, "method \(name) has no .registers or .locals") }
        guard !instructions.isEmpty else { throw DexAssemblyError(line: endLine, "method \(name) has no instructions") }
        // Execution may not run off the end of the code (ART's verifier rejects such methods).
        if let last = instructions.last, !Self.endsFlow(last.opcode) {
            throw DexAssemblyError(line: last.line, "method \(name) ends with \(last.opcode.name); expected a return, goto or throw last")
        }
        let isConstructor = name == "<init>" || name == "<clinit>"
        guard isConstructor == flags.contains(.constructor) else {
            throw DexAssemblyError(line: line, isConstructor ? "\(name) must be declared with the constructor flag" : "only <init> and <clinit> may be constructors")
        }
        return DexMethod(
            name: name, prototype: prototype, accessFlags: flags,
            code: DexCode(registerCount: registerCount, instructions: instructions, labels: labels, catches: catches))
    }

    private static func endsFlow(_ opcode: DexOpcode) -> Bool {
        opcode.isGoto || opcode.name == "throw" || opcode.name.hasPrefix("return")
    }
}

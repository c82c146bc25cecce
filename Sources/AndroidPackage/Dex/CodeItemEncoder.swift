/// Encodes one method body as a code_item: instructions with resolved indices and branch offsets,
/// then the try items and the encoded catch handlers.
struct CodeItemEncoder {
    let method: DexMethod
    let code: DexCode
    let pools: Pools

    /// Caps a single method body (the format allows 2^32 units; no method we assemble comes close).
    static let maximumCodeUnits = 1 << 20

    func encode(into data: inout DexByteWriter) throws(DexAssemblyError) {
        let ins = method.incomingWords
        guard code.registerCount <= 0xFFFF, code.registerCount >= ins else {
            throw DexAssemblyError(
                line: code.instructions.first?.line,
                "method \(method.name) needs at least \(ins) registers for its arguments, has \(code.registerCount)")
        }
        let opcodes = try chooseForms()
        let addresses = Self.addresses(of: opcodes)
        let total = addresses.last ?? 0
        guard total <= Self.maximumCodeUnits else {
            throw DexAssemblyError(line: nil, "method \(method.name) is longer than \(Self.maximumCodeUnits) code units")
        }
        var units: [UInt16] = []
        units.reserveCapacity(total)
        var outs = 0
        for (position, instruction) in code.instructions.enumerated() {
            try checkRegisterPairs(instruction)
            let encoded = try encodeInstruction(instruction, opcode: opcodes[position], address: addresses[position], addresses: addresses)
            precondition(encoded.count == opcodes[position].format.unitCount)
            units += encoded
            if case .invoke(let registers, _) = instruction.operands { outs = max(outs, registers.count) }
            if case .invokeRange(_, let count, _) = instruction.operands { outs = max(outs, count) }
        }
        let tries = try tryItems(addresses: addresses)

        data.u16(UInt16(code.registerCount))
        data.u16(UInt16(ins))
        data.u16(UInt16(outs))
        data.u16(UInt16(tries.ranges.count))
        data.u32(0)  // debug_info_off: no line or local-variable info
        data.u32(units.count)
        for unit in units { data.u16(unit) }
        guard !tries.ranges.isEmpty else { return }
        if units.count % 2 == 1 { data.u16(0) }  // the try items are 4-byte aligned
        for range in tries.ranges {
            data.u32(range.start)
            data.u16(UInt16(range.end - range.start))
            data.u16(UInt16(tries.handlerOffsets[range.handlers]!))
        }
        data.bytes += tries.handlerBytes
    }

    /// Picks each instruction's final opcode: `goto` grows to /16 or /32 when its target is far (or is
    /// itself), `const-string` becomes /jumbo when the string's index needs 32 bits. Sizes change
    /// addresses, so the choice repeats until nothing changes (only ever widening, so it ends).
    private func chooseForms() throws(DexAssemblyError) -> [DexOpcode] {
        var opcodes = code.instructions.map { instruction in
            if case .registersReference(_, .string(let value)) = instruction.operands,
               instruction.opcode.name == "const-string", pools.stringIndex[value]! > 0xFFFF {
                return DexOpcode.named("const-string/jumbo")
            }
            return instruction.opcode
        }
        for (name, position) in code.labels where position < 0 || position > code.instructions.count {
            throw DexAssemblyError(line: nil, "label :\(name) is outside method \(method.name)")
        }
        var changed = true
        while changed {
            changed = false
            let addresses = Self.addresses(of: opcodes)
            for (position, instruction) in code.instructions.enumerated() where opcodes[position].isGoto {
                guard case .branch(_, let label) = instruction.operands else { continue }
                let offset = try target(label, line: instruction.line, addresses: addresses) - addresses[position]
                let fitting: String
                if offset != 0 && Int8(exactly: offset) != nil { fitting = "goto" }
                else if offset != 0 && Int16(exactly: offset) != nil { fitting = "goto/16" }
                else { fitting = "goto/32" }
                let wanted = DexOpcode.named(fitting)
                if wanted.value > opcodes[position].value {
                    opcodes[position] = wanted
                    changed = true
                }
            }
        }
        return opcodes
    }

    /// Address of each instruction in code units, plus the end address last.
    private static func addresses(of opcodes: [DexOpcode]) -> [Int] {
        var addresses = [0]
        addresses.reserveCapacity(opcodes.count + 1)
        for opcode in opcodes { addresses.append(addresses[addresses.count - 1] + opcode.format.unitCount) }
        return addresses
    }

    private func target(_ label: String, line: Int?, addresses: [Int]) throws(DexAssemblyError) -> Int {
        guard let position = code.labels[label] else {
            throw DexAssemblyError(line: line, "label :\(label) is not defined in method \(method.name)")
        }
        return addresses[position]
    }

    private func register(_ value: Int, bits: Int, _ instruction: DexInstruction) throws(DexAssemblyError) -> UInt16 {
        guard value >= 0, value < code.registerCount else {
            throw DexAssemblyError(line: instruction.line, "register v\(value) is outside the method's \(code.registerCount) registers")
        }
        guard value < 1 << bits else {
            throw DexAssemblyError(line: instruction.line, "\(instruction.opcode.name) takes registers v0-v\((1 << bits) - 1), not v\(value)")
        }
        return UInt16(value)
    }

    private func literal(_ value: Int64, bits: Int, _ instruction: DexInstruction) throws(DexAssemblyError) -> UInt64 {
        let low = -(Int64(1) << (bits - 1))
        let high = (Int64(1) << (bits - 1)) - 1
        guard bits == 64 || (low...high).contains(value) else {
            throw DexAssemblyError(line: instruction.line, "\(instruction.opcode.name) takes a literal from \(low) to \(high), not \(value)")
        }
        return UInt64(bitPattern: value) & (bits == 64 ? .max : (UInt64(1) << bits) - 1)
    }

    private func encodeInstruction(
        _ instruction: DexInstruction, opcode: DexOpcode, address: Int, addresses: [Int]
    ) throws(DexAssemblyError) -> [UInt16] {
        let op = UInt16(opcode.value)
        let mismatch = DexAssemblyError(line: instruction.line, "operands do not match \(opcode.name)")
        func reg(_ value: Int, _ bits: Int) throws(DexAssemblyError) -> UInt16 { try register(value, bits: bits, instruction) }
        func branchOffset(_ label: String, bits: Int) throws(DexAssemblyError) -> UInt64 {
            let offset = try target(label, line: instruction.line, addresses: addresses) - address
            guard offset != 0 || bits == 32 else {
                throw DexAssemblyError(line: instruction.line, "\(opcode.name) may not branch to itself")
            }
            let reach = (1 << (bits - 1)) - 1
            guard bits == 32 || (-reach - 1...reach).contains(offset) else {
                throw DexAssemblyError(
                    line: instruction.line,
                    "the target :\(label) is \(offset) code units away; \(opcode.name) reaches -\(reach + 1) to \(reach)")
            }
            return try literal(Int64(offset), bits: bits, instruction)
        }
        switch (opcode.format, instruction.operands) {
        case (.f10x, .none):
            return [op]
        case (.f12x, .registers(let registers)) where registers.count == 2:
            return try [op | reg(registers[0], 4) << 8 | reg(registers[1], 4) << 12]
        case (.f11x, .registers(let registers)) where registers.count == 1:
            return try [op | reg(registers[0], 8) << 8]
        case (.f22x, .registers(let registers)) where registers.count == 2:
            return try [op | reg(registers[0], 8) << 8, reg(registers[1], 16)]
        case (.f32x, .registers(let registers)) where registers.count == 2:
            return try [op, reg(registers[0], 16), reg(registers[1], 16)]
        case (.f23x, .registers(let registers)) where registers.count == 3:
            return try [op | reg(registers[0], 8) << 8, reg(registers[1], 8) | reg(registers[2], 8) << 8]
        case (.f11n, .registerLiteral(let destination, let value)):
            return try [op | reg(destination, 4) << 8 | UInt16(literal(value, bits: 4, instruction)) << 12]
        case (.f21s, .registerLiteral(let destination, let value)):
            return try [op | reg(destination, 8) << 8, UInt16(literal(value, bits: 16, instruction))]
        case (.f21h, .registerLiteral(let destination, let value)):
            // Only the top 16 bits are stored: of the 32-bit value for const/high16, the 64-bit one for const-wide/high16.
            let shift: Int64 = opcode.name == "const/high16" ? 16 : 48
            let low = value & ((Int64(1) << shift) - 1)
            guard low == 0 else {
                throw DexAssemblyError(line: instruction.line, "\(opcode.name) keeps only the top 16 bits; the low \(shift) bits of \(value) must be zero")
            }
            return try [op | reg(destination, 8) << 8, UInt16(literal(value >> shift, bits: 16, instruction))]
        case (.f31i, .registerLiteral(let destination, let value)):
            let bits = try literal(value, bits: 32, instruction)
            return try [op | reg(destination, 8) << 8, UInt16(bits & 0xFFFF), UInt16(bits >> 16)]
        case (.f51l, .registerLiteral(let destination, let value)):
            let bits = UInt64(bitPattern: value)
            return try [op | reg(destination, 8) << 8] + (0..<4).map { UInt16(truncatingIfNeeded: bits >> (16 * $0)) }
        case (.f22s, .registersLiteral(let destination, let source, let value)):
            return try [op | reg(destination, 4) << 8 | reg(source, 4) << 12, UInt16(literal(value, bits: 16, instruction))]
        case (.f22b, .registersLiteral(let destination, let source, let value)):
            return try [op | reg(destination, 8) << 8, reg(source, 8) | UInt16(literal(value, bits: 8, instruction)) << 8]
        case (.f21c, .registersReference(let registers, let reference)) where registers.count == 1:
            return try [op | reg(registers[0], 8) << 8, index16(reference, instruction)]
        case (.f31c, .registersReference(let registers, let reference)) where registers.count == 1:
            let index = UInt32(pools.index(of: reference))
            return try [op | reg(registers[0], 8) << 8, UInt16(index & 0xFFFF), UInt16(index >> 16)]
        case (.f22c, .registersReference(let registers, let reference)) where registers.count == 2:
            return try [op | reg(registers[0], 4) << 8 | reg(registers[1], 4) << 12, index16(reference, instruction)]
        case (.f35c, .invoke(let registers, let reference)):
            try checkArgumentCount(registers.count, reference, instruction)
            guard registers.count <= 5 else {
                throw DexAssemblyError(line: instruction.line, "\(opcode.name) takes at most 5 registers; use \(opcode.name)/range")
            }
            var nibbles = try registers.map { (value: Int) throws(DexAssemblyError) in try reg(value, 4) }
            let fifth = nibbles.count == 5 ? nibbles.removeLast() : 0
            nibbles += [UInt16](repeating: 0, count: 4 - nibbles.count)
            let packed = nibbles[0] | nibbles[1] << 4 | nibbles[2] << 8 | nibbles[3] << 12
            return try [op | fifth << 8 | UInt16(registers.count) << 12, index16(.method(reference), instruction), packed]
        case (.f3rc, .invokeRange(let first, let count, let reference)):
            try checkArgumentCount(count, reference, instruction)
            guard count <= 255 else { throw DexAssemblyError(line: instruction.line, "\(opcode.name) takes at most 255 registers") }
            // An empty range names no register, so its first register is not checked.
            let firstRegister = count > 0 ? try reg(first, 16) : 0
            if count > 0 { _ = try reg(first + count - 1, 16) }
            return try [op | UInt16(count) << 8, index16(.method(reference), instruction), firstRegister]
        case (.f10t, .branch([], let label)):
            return try [op | UInt16(branchOffset(label, bits: 8)) << 8]
        case (.f20t, .branch([], let label)):
            return try [op, UInt16(branchOffset(label, bits: 16))]
        case (.f30t, .branch([], let label)):
            let offset = try branchOffset(label, bits: 32)
            return [op, UInt16(offset & 0xFFFF), UInt16(offset >> 16)]
        case (.f21t, .branch(let registers, let label)) where registers.count == 1:
            return try [op | reg(registers[0], 8) << 8, UInt16(branchOffset(label, bits: 16))]
        case (.f22t, .branch(let registers, let label)) where registers.count == 2:
            return try [op | reg(registers[0], 4) << 8 | reg(registers[1], 4) << 12, UInt16(branchOffset(label, bits: 16))]
        default:
            throw mismatch
        }
    }

    /// A long or double operand vN also uses vN+1, which must exist too.
    private func checkRegisterPairs(_ instruction: DexInstruction) throws(DexAssemblyError) {
        let registers: [Int] = switch instruction.operands {
        case .registers(let list), .registersReference(let list, _): list
        case .registerLiteral(let destination, _): [destination]
        default: []
        }
        for position in instruction.opcode.wideRegisterPositions where position < registers.count {
            let first = registers[position]
            guard first + 1 < code.registerCount else {
                throw DexAssemblyError(
                    line: instruction.line,
                    "\(instruction.opcode.name) uses the register pair v\(first)/v\(first + 1), past the method's \(code.registerCount) registers")
            }
        }
    }

    private func index16(_ reference: DexReference, _ instruction: DexInstruction) throws(DexAssemblyError) -> UInt16 {
        let index = pools.index(of: reference)
        guard let value = UInt16(exactly: index) else {
            throw DexAssemblyError(line: instruction.line, "\(instruction.opcode.name) cannot reach index \(index) (16-bit operand)")
        }
        return value
    }

    /// The register list of an invoke must hold exactly the method's arguments (`this` included unless static).
    private func checkArgumentCount(_ count: Int, _ reference: DexMethodReference, _ instruction: DexInstruction) throws(DexAssemblyError) {
        let expected = reference.prototype.parameterWords + (instruction.opcode.isStaticInvoke ? 0 : 1)
        guard count == expected else {
            throw DexAssemblyError(
                line: instruction.line,
                "\(reference.name) takes \(expected) argument register\(expected == 1 ? "" : "s") (long and double take two), \(count) given")
        }
    }
}

/// The handlers active over one address range: typed catches in declaration order, then the catch-all.
struct DexHandlerList: Hashable {
    struct Typed: Hashable {
        let type: String
        let address: Int
    }
    var typed: [Typed] = []
    var catchAll: Int?
}

/// try_item ranges (sorted, non-overlapping) and the encoded_catch_handler_list they point into.
struct DexTryTable {
    struct Range {
        let start: Int
        let end: Int
        let handlers: DexHandlerList
    }
    var ranges: [Range] = []
    var handlerOffsets: [DexHandlerList: Int] = [:]
    var handlerBytes: [UInt8] = []
}

extension CodeItemEncoder {
    /// smali lets `.catch` ranges overlap; the format wants disjoint try items. Splitting at every range
    /// boundary and giving each piece the handlers of all catches covering it (first declared wins for
    /// a repeated type) keeps the meaning; adjacent pieces with the same handlers are joined again.
    func tryItems(addresses: [Int]) throws(DexAssemblyError) -> DexTryTable {
        struct Resolved {
            let start: Int, end: Int, handler: Int
            let type: String?
        }
        var resolved: [Resolved] = []
        for handler in code.catches {
            let start = try target(handler.startLabel, line: handler.line, addresses: addresses)
            let end = try target(handler.endLabel, line: handler.line, addresses: addresses)
            let address = try target(handler.handlerLabel, line: handler.line, addresses: addresses)
            guard start < end else {
                throw DexAssemblyError(line: handler.line, "the try range :\(handler.startLabel) .. :\(handler.endLabel) is empty or reversed")
            }
            guard address < (addresses.last ?? 0) else {
                throw DexAssemblyError(line: handler.line, "the handler :\(handler.handlerLabel) is past the last instruction")
            }
            resolved.append(Resolved(start: start, end: end, handler: address, type: handler.exceptionType))
        }
        let boundaries = Set(resolved.flatMap { [$0.start, $0.end] }).sorted()
        var table = DexTryTable()
        for (start, end) in zip(boundaries, boundaries.dropFirst()) {
            var handlers = DexHandlerList()
            for catchRange in resolved where catchRange.start <= start && end <= catchRange.end {
                if let type = catchRange.type {
                    if !handlers.typed.contains(where: { $0.type == type }) {
                        handlers.typed.append(.init(type: type, address: catchRange.handler))
                    }
                } else if handlers.catchAll == nil {
                    handlers.catchAll = catchRange.handler
                }
            }
            guard !handlers.typed.isEmpty || handlers.catchAll != nil else { continue }
            if let last = table.ranges.last, last.end == start, last.handlers == handlers {
                table.ranges[table.ranges.count - 1] = .init(start: last.start, end: end, handlers: handlers)
            } else {
                table.ranges.append(.init(start: start, end: end, handlers: handlers))
            }
        }
        guard table.ranges.count <= 0xFFFF else {
            throw DexAssemblyError(line: nil, "method \(method.name) has more than 65535 try ranges")
        }
        for range in table.ranges where range.end - range.start > 0xFFFF {
            throw DexAssemblyError(line: nil, "a try range of method \(method.name) covers more than 65535 code units")
        }

        var lists: [DexHandlerList] = []
        for range in table.ranges where !lists.contains(range.handlers) { lists.append(range.handlers) }
        var bytes = DexByteWriter()
        bytes.uleb128(lists.count)
        for list in lists {
            table.handlerOffsets[list] = bytes.count
            let typedCount = Int32(list.typed.count)
            bytes.sleb128(list.catchAll == nil ? typedCount : -typedCount)
            for typed in list.typed {
                bytes.uleb128(pools.typeIndex[typed.type]!)
                bytes.uleb128(typed.address)
            }
            if let catchAll = list.catchAll { bytes.uleb128(catchAll) }
        }
        guard bytes.count <= 0xFFFF else {
            throw DexAssemblyError(line: nil, "the catch handlers of method \(method.name) exceed 65535 bytes")
        }
        table.handlerBytes = bytes.bytes
        return table
    }
}

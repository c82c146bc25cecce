import CZlib
import CryptoCore
import Foundation

/// Lays out a DEX 035 file: the sorted id pools, class definitions in superclass-first order, class
/// data, code items with their try/catch tables, the map list, the Adler-32 checksum and the SHA-1
/// signature.
public enum DexWriter {
    /// The DEX format's 16-bit index operands and unsigned counts bound these pools.
    static let maximumPoolSize = 0xFFFF
    static let noIndex: UInt32 = 0xFFFF_FFFF
    static let headerSize = 0x70

    public static func write(_ classes: [DexClass]) throws(DexAssemblyError) -> [UInt8] {
        let pools = try Pools(classes)
        let ordered = try superclassFirst(classes)
        return try Layout(classes: ordered, pools: pools).bytes()
    }

    /// Classes defined here appear after their superclass and interfaces, as the format requires.
    static func superclassFirst(_ classes: [DexClass]) throws(DexAssemblyError) -> [DexClass] {
        var byDescriptor: [String: DexClass] = [:]
        for definition in classes {
            guard byDescriptor.updateValue(definition, forKey: definition.descriptor) == nil else {
                throw DexAssemblyError(line: nil, "class \(definition.descriptor) is defined twice")
            }
        }
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var ordered: [DexClass] = []
        func visit(_ descriptor: String) throws(DexAssemblyError) {
            guard let definition = byDescriptor[descriptor] else { return }
            switch marks[descriptor] {
            case .done: return
            case .visiting: throw DexAssemblyError(line: nil, "class \(descriptor) inherits from itself")
            case nil: break
            }
            marks[descriptor] = .visiting
            for parent in [definition.superclass].compactMap({ $0 }) + definition.interfaces {
                try visit(parent)
            }
            marks[descriptor] = .done
            ordered.append(definition)
        }
        for definition in classes { try visit(definition.descriptor) }
        return ordered
    }
}

/// Compares strings by UTF-16 code units, the order the DEX format sorts string_ids in (it differs
/// from Swift's `<` for characters outside the Basic Multilingual Plane).
func utf16Precedes(_ left: String, _ right: String) -> Bool {
    left.utf16.lexicographicallyPrecedes(right.utf16)
}

/// The string, type, prototype, field and method pools, sorted, with the index of each entry.
struct Pools {
    let strings: [String]
    let stringIndex: [String: Int]
    let types: [String]
    let typeIndex: [String: Int]
    let prototypes: [DexPrototype]
    let prototypeIndex: [DexPrototype: Int]
    let fields: [DexFieldReference]
    let fieldIndex: [DexFieldReference: Int]
    let methods: [DexMethodReference]
    let methodIndex: [DexMethodReference: Int]

    init(_ classes: [DexClass]) throws(DexAssemblyError) {
        var strings = Set<String>()
        var types = Set<String>()
        var prototypes = Set<DexPrototype>()
        var fields = Set<DexFieldReference>()
        var methods = Set<DexMethodReference>()

        func type(_ descriptor: String, allowVoid: Bool = false, line: Int?) throws(DexAssemblyError) {
            guard DexTypeDescriptor.isValid(descriptor, allowVoid: allowVoid) else {
                throw DexAssemblyError(line: line, "invalid type descriptor \(descriptor)")
            }
            types.insert(descriptor)
            strings.insert(descriptor)
        }
        func classType(_ descriptor: String, line: Int?) throws(DexAssemblyError) {
            guard DexTypeDescriptor.isClass(descriptor) else {
                throw DexAssemblyError(line: line, "expected a class descriptor (Lpackage/Name;), found \(descriptor)")
            }
            try type(descriptor, line: line)
        }
        func prototype(_ proto: DexPrototype, line: Int?) throws(DexAssemblyError) {
            try type(proto.returnType, allowVoid: true, line: line)
            for parameter in proto.parameters { try type(parameter, line: line) }
            guard proto.parameterWords <= 255 else {
                throw DexAssemblyError(line: line, "a method's parameters may take at most 255 registers")
            }
            strings.insert(proto.shorty)
            prototypes.insert(proto)
        }
        func member(_ name: String, line: Int?) throws(DexAssemblyError) {
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { " ;:()[/.\u{0}".unicodeScalars.contains($0) }) else {
                throw DexAssemblyError(line: line, "invalid member name \"\(name)\"")
            }
            // Angle brackets are reserved for the two constructor names.
            guard !name.contains(where: { $0 == "<" || $0 == ">" }) || name == "<init>" || name == "<clinit>" else {
                throw DexAssemblyError(line: line, "member name \(name) may not contain < or > (only <init> and <clinit> do)")
            }
            strings.insert(name)
        }
        func field(_ reference: DexFieldReference, line: Int?) throws(DexAssemblyError) {
            try classType(reference.definingClass, line: line)
            try member(reference.name, line: line)
            try type(reference.type, line: line)
            fields.insert(reference)
        }
        func method(_ reference: DexMethodReference, line: Int?) throws(DexAssemblyError) {
            try type(reference.definingClass, line: line)
            try member(reference.name, line: line)
            try prototype(reference.prototype, line: line)
            methods.insert(reference)
        }

        for definition in classes {
            try classType(definition.descriptor, line: nil)
            if let superclass = definition.superclass { try classType(superclass, line: nil) }
            for interface in definition.interfaces { try classType(interface, line: nil) }
            if let sourceFile = definition.sourceFile { strings.insert(sourceFile) }
            var seenFields = Set<DexFieldReference>()
            for declared in definition.fields {
                let reference = DexFieldReference(definingClass: definition.descriptor, name: declared.name, type: declared.type)
                guard seenFields.insert(reference).inserted else {
                    throw DexAssemblyError(line: nil, "field \(declared.name):\(declared.type) is declared twice in \(definition.descriptor)")
                }
                try field(reference, line: nil)
            }
            var seenMethods = Set<DexMethodReference>()
            for declared in definition.methods {
                let reference = DexMethodReference(definingClass: definition.descriptor, name: declared.name, prototype: declared.prototype)
                guard seenMethods.insert(reference).inserted else {
                    throw DexAssemblyError(line: nil, "method \(declared.name) is declared twice in \(definition.descriptor)")
                }
                try method(reference, line: nil)
                for instruction in declared.code?.instructions ?? [] {
                    switch instruction.operands {
                    case .registersReference(_, .string(let value)): strings.insert(value)
                    case .registersReference(_, .type(let descriptor)): try type(descriptor, line: instruction.line)
                    case .registersReference(_, .field(let reference)): try field(reference, line: instruction.line)
                    case .registersReference(_, .method(let reference)),
                        .invoke(_, let reference), .invokeRange(_, _, let reference):
                        try method(reference, line: instruction.line)
                    case .none, .registers, .registerLiteral, .registersLiteral, .branch: break
                    }
                }
                for handler in declared.code?.catches ?? [] {
                    if let exceptionType = handler.exceptionType { try classType(exceptionType, line: handler.line) }
                }
            }
        }

        let sortedStrings = strings.sorted(by: utf16Precedes)
        let stringIndex = Dictionary(uniqueKeysWithValues: sortedStrings.enumerated().map { ($1, $0) })
        let stringOf = { (value: String) in stringIndex[value]! }
        let sortedTypes = types.sorted { stringOf($0) < stringOf($1) }
        let typeIndex = Dictionary(uniqueKeysWithValues: sortedTypes.enumerated().map { ($1, $0) })
        let typeOf = { (descriptor: String) in typeIndex[descriptor]! }
        let sortedPrototypes = prototypes.sorted { left, right in
            let (leftReturn, rightReturn) = (typeOf(left.returnType), typeOf(right.returnType))
            if leftReturn != rightReturn { return leftReturn < rightReturn }
            return left.parameters.map(typeOf).lexicographicallyPrecedes(right.parameters.map(typeOf))
        }
        let prototypeIndex = Dictionary(uniqueKeysWithValues: sortedPrototypes.enumerated().map { ($1, $0) })
        let sortedFields = fields.sorted { left, right in
            (typeOf(left.definingClass), stringOf(left.name), typeOf(left.type))
                < (typeOf(right.definingClass), stringOf(right.name), typeOf(right.type))
        }
        let sortedMethods = methods.sorted { left, right in
            (typeOf(left.definingClass), stringOf(left.name), prototypeIndex[left.prototype]!)
                < (typeOf(right.definingClass), stringOf(right.name), prototypeIndex[right.prototype]!)
        }
        for (count, pool) in [(sortedTypes.count, "types"), (sortedPrototypes.count, "prototypes"),
                              (sortedFields.count, "field references"), (sortedMethods.count, "method references")]
        where count > DexWriter.maximumPoolSize {
            throw DexAssemblyError(line: nil, "too many \(pool) for one DEX file (\(count), at most \(DexWriter.maximumPoolSize))")
        }
        self.strings = sortedStrings
        self.stringIndex = stringIndex
        self.types = sortedTypes
        self.typeIndex = typeIndex
        self.prototypes = sortedPrototypes
        self.prototypeIndex = prototypeIndex
        self.fields = sortedFields
        self.fieldIndex = Dictionary(uniqueKeysWithValues: sortedFields.enumerated().map { ($1, $0) })
        self.methods = sortedMethods
        self.methodIndex = Dictionary(uniqueKeysWithValues: sortedMethods.enumerated().map { ($1, $0) })
    }

    func index(of reference: DexReference) -> Int {
        switch reference {
        case .string(let value): stringIndex[value]!
        case .type(let descriptor): typeIndex[descriptor]!
        case .field(let field): fieldIndex[field]!
        case .method(let method): methodIndex[method]!
        }
    }
}

/// Little-endian output with the DEX format's variable-length integers.
struct DexByteWriter {
    var bytes: [UInt8] = []

    var count: Int { bytes.count }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { bytes.append(UInt8(value & 0xFF)); bytes.append(UInt8(value >> 8)) }
    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
    mutating func u32(_ value: Int) { u32(UInt32(value)) }

    mutating func uleb128(_ value: UInt32) {
        var remaining = value
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while remaining != 0
    }
    mutating func uleb128(_ value: Int) { uleb128(UInt32(value)) }

    mutating func sleb128(_ value: Int32) {
        var remaining = value
        while true {
            let byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            let done = (remaining == 0 && byte & 0x40 == 0) || (remaining == -1 && byte & 0x40 != 0)
            bytes.append(done ? byte : byte | 0x80)
            if done { return }
        }
    }

    mutating func align(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func patch32(at offset: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(index * 8)) }
    }

    /// A string_data_item: UTF-16 length, Modified UTF-8 (NUL as C0 80, surrogates encoded one by
    /// one), then a terminating zero.
    mutating func stringData(_ value: String) {
        uleb128(value.utf16.count)
        for unit in value.utf16 {
            switch unit {
            case 0x0001...0x007F:
                bytes.append(UInt8(unit))
            case 0x0000, 0x0080...0x07FF:
                bytes.append(UInt8(0xC0 | (unit >> 6)))
                bytes.append(UInt8(0x80 | (unit & 0x3F)))
            default:
                bytes.append(UInt8(0xE0 | (unit >> 12)))
                bytes.append(UInt8(0x80 | ((unit >> 6) & 0x3F)))
                bytes.append(UInt8(0x80 | (unit & 0x3F)))
            }
        }
        bytes.append(0)
    }
}

/// The map_list item type codes this writer emits.
enum DexMapItemType: UInt16 {
    case header = 0x0000, stringId = 0x0001, typeId = 0x0002, protoId = 0x0003, fieldId = 0x0004
    case methodId = 0x0005, classDef = 0x0006, mapList = 0x1000, typeList = 0x1001
    case classData = 0x2000, code = 0x2001, stringData = 0x2002
}

struct Layout {
    let classes: [DexClass]
    let pools: Pools

    func bytes() throws(DexAssemblyError) -> [UInt8] {
        let idsEnd = DexWriter.headerSize + pools.strings.count * 4 + pools.types.count * 4 + pools.prototypes.count * 12
            + pools.fields.count * 8 + pools.methods.count * 8 + classes.count * 32
        var data = DexByteWriter()
        data.bytes = [UInt8](repeating: 0, count: idsEnd)
        var map: [(DexMapItemType, count: Int, offset: Int)] = []
        func section(_ type: DexMapItemType, count: Int, start: Int) {
            if count > 0 { map.append((type, count, start)) }
        }

        // type_list items: prototype parameters and class interfaces, each distinct list once.
        var typeListOffset: [[String]: Int] = [:]
        let typeListsStart = data.count
        for list in pools.prototypes.map(\.parameters) + classes.map(\.interfaces)
        where !list.isEmpty && typeListOffset[list] == nil {
            data.align(to: 4)
            typeListOffset[list] = data.count
            data.u32(list.count)
            for descriptor in list { data.u16(UInt16(pools.typeIndex[descriptor]!)) }
        }
        section(.typeList, count: typeListOffset.count, start: typeListOffset.values.min() ?? typeListsStart)

        // code_item per method with a body.
        var codeOffset: [String: [Int: Int]] = [:]
        var codeCount = 0
        var codeStart: Int?
        for definition in classes {
            for (position, method) in definition.methods.enumerated() {
                guard let code = method.code else { continue }
                data.align(to: 4)
                codeStart = codeStart ?? data.count
                codeOffset[definition.descriptor, default: [:]][position] = data.count
                try CodeItemEncoder(method: method, code: code, pools: pools).encode(into: &data)
                codeCount += 1
            }
        }
        section(.code, count: codeCount, start: codeStart ?? 0)

        var stringDataOffsets: [Int] = []
        let stringDataStart = data.count
        for value in pools.strings {
            stringDataOffsets.append(data.count)
            data.stringData(value)
        }
        section(.stringData, count: pools.strings.count, start: stringDataStart)

        var classDataOffset: [Int] = []
        let classDataStart = data.count
        var classDataCount = 0
        for definition in classes {
            guard !definition.fields.isEmpty || !definition.methods.isEmpty else {
                classDataOffset.append(0)
                continue
            }
            classDataOffset.append(data.count)
            classDataCount += 1
            writeClassData(definition, codeOffsets: codeOffset[definition.descriptor] ?? [:], into: &data)
        }
        section(.classData, count: classDataCount, start: classDataStart)

        data.align(to: 4)
        let mapOffset = data.count
        section(.mapList, count: 1, start: mapOffset)

        // The id sections, in the order the header lists them.
        var header = DexByteWriter()
        header.bytes.reserveCapacity(idsEnd)
        header.bytes += Array("dex\n035\0".utf8)
        header.bytes += [UInt8](repeating: 0, count: 24)  // checksum and signature, filled in last
        let fileSizeOffset = header.count
        header.u32(0)
        header.u32(DexWriter.headerSize)
        header.u32(0x1234_5678 as UInt32)
        header.u32(0)  // link_size
        header.u32(0)  // link_off
        header.u32(mapOffset)
        var offset = DexWriter.headerSize
        var idSections: [(DexMapItemType, Int, Int)] = [(.header, 1, 0)]
        for (type, count, size) in [(DexMapItemType.stringId, pools.strings.count, 4), (.typeId, pools.types.count, 4),
                                    (.protoId, pools.prototypes.count, 12), (.fieldId, pools.fields.count, 8),
                                    (.methodId, pools.methods.count, 8), (.classDef, classes.count, 32)] {
            header.u32(count)
            header.u32(count == 0 ? 0 : offset)
            if count > 0 { idSections.append((type, count, offset)) }
            offset += count * size
        }
        map = idSections.map { ($0.0, $0.1, $0.2) } + map
        let dataStart = idsEnd
        // data_size counts the map list too, which ends the file.
        let fileSize = mapOffset + 4 + map.count * 12
        header.u32(fileSize - dataStart)
        header.u32(dataStart)
        precondition(header.count == DexWriter.headerSize)

        for stringOffset in stringDataOffsets { header.u32(stringOffset) }
        for descriptor in pools.types { header.u32(pools.stringIndex[descriptor]!) }
        for proto in pools.prototypes {
            header.u32(pools.stringIndex[proto.shorty]!)
            header.u32(pools.typeIndex[proto.returnType]!)
            header.u32(proto.parameters.isEmpty ? 0 : typeListOffset[proto.parameters]!)
        }
        for field in pools.fields {
            header.u16(UInt16(pools.typeIndex[field.definingClass]!))
            header.u16(UInt16(pools.typeIndex[field.type]!))
            header.u32(pools.stringIndex[field.name]!)
        }
        for method in pools.methods {
            header.u16(UInt16(pools.typeIndex[method.definingClass]!))
            header.u16(UInt16(pools.prototypeIndex[method.prototype]!))
            header.u32(pools.stringIndex[method.name]!)
        }
        for (position, definition) in classes.enumerated() {
            header.u32(pools.typeIndex[definition.descriptor]!)
            header.u32(definition.accessFlags.rawValue)
            header.u32(definition.superclass.map { UInt32(pools.typeIndex[$0]!) } ?? DexWriter.noIndex)
            header.u32(definition.interfaces.isEmpty ? 0 : typeListOffset[definition.interfaces]!)
            header.u32(definition.sourceFile.map { UInt32(pools.stringIndex[$0]!) } ?? DexWriter.noIndex)
            header.u32(0)  // annotations_off
            header.u32(classDataOffset[position])
            header.u32(0)  // static_values_off
        }
        precondition(header.count == idsEnd)

        data.u32(map.count)
        for item in map.sorted(by: { $0.offset < $1.offset }) {
            data.u16(item.0.rawValue)
            data.u16(0)
            data.u32(item.count)
            data.u32(item.offset)
        }
        precondition(data.count == fileSize)
        data.bytes.replaceSubrange(0..<idsEnd, with: header.bytes)
        data.patch32(at: fileSizeOffset, UInt32(fileSize))

        let signature = Digest.sha1(Data(data.bytes[32...])).bytes
        data.bytes.replaceSubrange(12..<32, with: signature)
        let checksum = data.bytes[12...].withContiguousStorageIfAvailable { buffer in
            CZlib.adler32(CZlib.adler32(0, nil, 0), buffer.baseAddress, uInt(buffer.count))
        } ?? 0
        data.patch32(at: 8, UInt32(truncatingIfNeeded: checksum))
        return data.bytes
    }

    /// class_data_item: the four member lists, each sorted by index and delta-encoded.
    private func writeClassData(_ definition: DexClass, codeOffsets: [Int: Int], into data: inout DexByteWriter) {
        func fieldIndex(_ field: DexField) -> Int {
            pools.fieldIndex[DexFieldReference(definingClass: definition.descriptor, name: field.name, type: field.type)]!
        }
        let staticFields = definition.fields.filter { $0.accessFlags.contains(.static) }.sorted { fieldIndex($0) < fieldIndex($1) }
        let instanceFields = definition.fields.filter { !$0.accessFlags.contains(.static) }.sorted { fieldIndex($0) < fieldIndex($1) }
        let methods = definition.methods.enumerated().map { position, method in
            (position, method, pools.methodIndex[DexMethodReference(definingClass: definition.descriptor, name: method.name, prototype: method.prototype)]!)
        }
        let direct = methods.filter { $0.1.isDirect }.sorted { $0.2 < $1.2 }
        let virtual = methods.filter { !$0.1.isDirect }.sorted { $0.2 < $1.2 }
        data.uleb128(staticFields.count)
        data.uleb128(instanceFields.count)
        data.uleb128(direct.count)
        data.uleb128(virtual.count)
        for list in [staticFields, instanceFields] {
            var previous = 0
            for field in list {
                let index = fieldIndex(field)
                data.uleb128(index - previous)
                data.uleb128(field.accessFlags.rawValue)
                previous = index
            }
        }
        for list in [direct, virtual] {
            var previous = 0
            for (position, method, index) in list {
                data.uleb128(index - previous)
                data.uleb128(method.accessFlags.rawValue)
                data.uleb128(codeOffsets[position] ?? 0)
                previous = index
            }
        }
    }
}

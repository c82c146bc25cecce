/// Why resources.arsc could not be read; offsets are byte offsets into the table.
public enum ResourceTableError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(offset: Int, needed: Int)
    case malformed(offset: Int, reason: String)
    case stringPool(BinaryXMLError)

    init(_ error: BinaryXMLError) {
        switch error {
        case let .truncated(offset, needed): self = .truncated(offset: offset, needed: needed)
        case let .malformedChunk(offset, reason): self = .malformed(offset: offset, reason: reason)
        default: self = .stringPool(error)
        }
    }

    public var description: String {
        switch self {
        case let .truncated(offset, needed): return "resource table truncated: \(needed) bytes needed at offset \(offset)"
        case let .malformed(offset, reason): return "malformed resource table at offset \(offset): \(reason)"
        case let .stringPool(error): return "resource table string pool: \(error)"
        }
    }
}

/// The value a resource entry holds in one configuration.
public enum ResourceEntryValue: Sendable, Equatable {
    case string(String)
    case reference(UInt32)
    /// A style, array or other bag (a complex entry): not resolved further here.
    case bag
    case other(type: UInt8, data: UInt32)
}

/// resources.arsc (RES_TABLE_TYPE): enough of it to resolve what a manifest refers to, such as
/// `@string/app_name` for the label and `@xml/network_security_config` to its file path.
///
/// Reading indexes the chunks; entries are decoded only when looked up. Dense, sparse
/// (FLAG_SPARSE), 16-bit-offset (FLAG_OFFSET16) and compact (FLAG_COMPACT) entries are read.
public struct ResourceTable: Sendable {
    static let tableType: UInt16 = 0x0002
    static let packageType: UInt16 = 0x0200
    static let typeType: UInt16 = 0x0201
    static let maximumReferenceHops = 8

    struct TypeChunk: Sendable {
        let offset: Int
        let headerSize: Int
        let size: Int
        let flags: UInt8
        let entryCount: Int
        let entriesStart: Int
        /// Every field of ResTable_config after its size is zero: the configuration used when
        /// nothing about the device matches better.
        let isDefaultConfiguration: Bool
    }

    struct Package: Sendable {
        let id: UInt32
        let name: String
        let typeNames: StringPool.Layout
        let keyNames: StringPool.Layout
        /// Type chunks by type ID (1-based, as in resource IDs).
        var types: [UInt8: [TypeChunk]]
    }

    private let reader: ResourceDataReader
    /// The value strings, decoded on lookup: a large app's pool holds tens of thousands.
    private let values: StringPool.Layout
    private let packages: [Package]

    /// Package IDs and names, in table order (0x7f for an app, 0x00 for a shared library).
    public var packageNames: [(id: UInt32, name: String)] { packages.map { ($0.id, $0.name) } }

    public init(bytes: [UInt8]) throws(ResourceTableError) {
        reader = ResourceDataReader(bytes)
        do {
            (values, packages) = try Self.index(reader)
        } catch {
            throw ResourceTableError(error)
        }
    }

    private static func chunk(_ reader: ResourceDataReader, at offset: Int, end: Int)
        throws(BinaryXMLError) -> (type: UInt16, headerSize: Int, size: Int) {
        guard end - offset >= 8 else { throw .truncated(offset: offset, needed: 8) }
        let type = try reader.u16(offset)
        let headerSize = Int(try reader.u16(offset + 2))
        let size = Int(try reader.u32(offset + 4))
        guard headerSize >= 8, size >= headerSize else {
            throw .malformedChunk(offset: offset, reason: "header size \(headerSize), chunk size \(size)")
        }
        guard size <= end - offset else { throw .truncated(offset: offset, needed: size) }
        return (type, headerSize, size)
    }

    private static func index(_ reader: ResourceDataReader) throws(BinaryXMLError) -> (StringPool.Layout, [Package]) {
        let table = try chunk(reader, at: 0, end: reader.count)
        guard table.type == tableType, table.headerSize >= 12 else {
            throw .malformedChunk(offset: 0, reason: "not a resource table (chunk type 0x\(String(table.type, radix: 16)))")
        }
        var values: StringPool.Layout?
        var packages: [Package] = []
        var offset = table.headerSize
        while offset < table.size {
            let child = try chunk(reader, at: offset, end: table.size)
            switch child.type {
            case StringPool.chunkType where values == nil:
                values = try StringPool.Layout(reader: reader, start: offset, size: child.size)
            case packageType:
                packages.append(try package(reader, at: offset, headerSize: child.headerSize, size: child.size))
            default:
                break
            }
            offset += child.size
        }
        guard let values else { throw .malformedChunk(offset: table.headerSize, reason: "no value string pool") }
        return (values, packages)
    }

    private static func package(_ reader: ResourceDataReader, at start: Int, headerSize: Int, size: Int)
        throws(BinaryXMLError) -> Package {
        guard headerSize >= 284 else { throw .malformedChunk(offset: start, reason: "package header of \(headerSize) bytes") }
        let id = try reader.u32(start + 8)
        let nameUnits = try reader.units16(start + 12, count: 128)
        let name = String(decoding: nameUnits.prefix { $0 != 0 }, as: UTF16.self)
        let typeStringsOffset = Int(try reader.u32(start + 268))
        let keyStringsOffset = Int(try reader.u32(start + 276))
        func pool(at relative: Int) throws(BinaryXMLError) -> StringPool.Layout {
            guard relative >= headerSize, relative < size else {
                throw .malformedChunk(offset: start, reason: "string pool offset \(relative) outside the package")
            }
            let header = try chunk(reader, at: start + relative, end: start + size)
            guard header.type == StringPool.chunkType else {
                throw .malformedChunk(offset: start + relative, reason: "expected a string pool")
            }
            return try StringPool.Layout(reader: reader, start: start + relative, size: header.size)
        }
        var package = Package(id: id, name: name, typeNames: try pool(at: typeStringsOffset),
                              keyNames: try pool(at: keyStringsOffset), types: [:])
        var offset = start + headerSize
        while offset < start + size {
            let child = try chunk(reader, at: offset, end: start + size)
            if child.type == typeType {
                guard child.headerSize >= 20 + 4 else { throw .malformedChunk(offset: offset, reason: "type header too small") }
                let typeID = try reader.u8(offset + 8)
                let flags = try reader.u8(offset + 9)
                let entryCount = Int(try reader.u32(offset + 12))
                let entriesStart = Int(try reader.u32(offset + 16))
                let configSize = Int(try reader.u32(offset + 20))
                guard typeID > 0, configSize >= 4, 20 + configSize <= child.headerSize,
                      entriesStart >= child.headerSize, entriesStart <= child.size,
                      entryCount <= (child.size - child.headerSize) / 2 else {
                    throw .malformedChunk(offset: offset, reason: "type chunk with \(entryCount) entries, entries at \(entriesStart)")
                }
                let configuration = try reader.slice(offset + 24, configSize - 4)
                package.types[typeID, default: []].append(TypeChunk(
                    offset: offset, headerSize: child.headerSize, size: child.size, flags: flags,
                    entryCount: entryCount, entriesStart: entriesStart,
                    isDefaultConfiguration: configuration.allSatisfy { $0 == 0 }))
            }
            offset += child.size
        }
        return package
    }

    // MARK: Lookup

    private func package(for id: UInt32) -> Package? {
        let packageID = id >> 24
        // A shared library's table has package ID 0 and is referred to by whatever ID it is loaded at.
        return packages.first { $0.id == packageID } ?? (packages.count == 1 && packages[0].id == 0 ? packages[0] : nil)
    }

    /// `type/name` of a resource (`string/app_name`), or nil when the table lacks it.
    public func name(of id: UInt32) -> String? {
        guard let package = package(for: id) else { return nil }
        let typeID = UInt8(truncatingIfNeeded: id >> 16)
        guard typeID > 0, let typeName = package.typeNames.string(at: Int(typeID) - 1, in: reader) else { return nil }
        for chunk in package.types[typeID] ?? [] {
            if let entry = try? entry(in: chunk, index: Int(id & 0xFFFF)),
               let key = package.keyNames.string(at: Int(entry.key), in: reader) {
                return "\(typeName)/\(key)"
            }
        }
        return nil
    }

    /// The value in the default configuration, else in the first configuration that has one.
    public func value(of id: UInt32) -> ResourceEntryValue? {
        guard let package = package(for: id) else { return nil }
        let typeID = UInt8(truncatingIfNeeded: id >> 16)
        let chunks = (package.types[typeID] ?? []).sorted { $0.isDefaultConfiguration && !$1.isDefaultConfiguration }
        for chunk in chunks {
            if let entry = try? entry(in: chunk, index: Int(id & 0xFFFF)) { return entry.value }
        }
        return nil
    }

    /// The string a reference finally names, following references between resources.
    public func string(for id: UInt32) -> String? {
        var current = id
        for _ in 0..<Self.maximumReferenceHops {
            switch value(of: current) {
            case let .string(text)?: return text
            case let .reference(next)?: current = next
            default: return nil
            }
        }
        return nil
    }

    private struct Entry {
        let key: UInt32
        let value: ResourceEntryValue
    }

    /// Decodes entry `index` of a type chunk; nil when the chunk has no such entry.
    private func entry(in chunk: TypeChunk, index: Int) throws(BinaryXMLError) -> Entry? {
        let offsets = chunk.offset + chunk.headerSize
        let isSparse = chunk.flags & 0x01 != 0
        let isOffset16 = chunk.flags & 0x02 != 0
        var entryOffset: Int?
        if isSparse {
            // Sorted (index, offset / 4) pairs of 16 bits each.
            var low = 0
            var high = chunk.entryCount
            while low < high {
                let middle = (low + high) / 2
                let at = offsets + middle * 4
                let entryIndex = Int(try reader.u16(at))
                if entryIndex == index { entryOffset = Int(try reader.u16(at + 2)) * 4; break }
                if entryIndex < index { low = middle + 1 } else { high = middle }
            }
        } else if index < chunk.entryCount {
            if isOffset16 {
                let raw = try reader.u16(offsets + index * 2)
                entryOffset = raw == 0xFFFF ? nil : Int(raw) * 4
            } else {
                let raw = try reader.u32(offsets + index * 4)
                entryOffset = raw == 0xFFFF_FFFF ? nil : Int(raw)
            }
        }
        guard let entryOffset else { return nil }
        let at = chunk.offset + chunk.entriesStart + entryOffset
        let chunkEnd = chunk.offset + chunk.size
        guard entryOffset >= 0, at + 8 <= chunkEnd else { throw .truncated(offset: at, needed: 8) }
        let sizeOrKey = try reader.u16(at)
        let flags = try reader.u16(at + 2)
        if flags & 0x0008 != 0 {
            // Compact entry: 16-bit key, the value's type in the flags' high byte, data inline.
            return Entry(key: UInt32(sizeOrKey), value: resolved(.other(type: UInt8(flags >> 8), data: try reader.u32(at + 4))))
        }
        let key = try reader.u32(at + 4)
        if flags & 0x0001 != 0 { return Entry(key: key, value: .bag) }
        let valueAt = at + Int(sizeOrKey)
        guard sizeOrKey >= 8, valueAt + 8 <= chunkEnd else { throw .truncated(offset: valueAt, needed: 8) }
        return Entry(key: key, value: resolved(.other(type: try reader.u8(valueAt + 3), data: try reader.u32(valueAt + 4))))
    }

    private func resolved(_ value: ResourceEntryValue) -> ResourceEntryValue {
        guard case let .other(type, data) = value else { return value }
        switch TypedValue.DataType(rawValue: type) {
        case .string: return values.string(at: Int(data), in: reader).map(ResourceEntryValue.string) ?? value
        case .reference, .dynamicReference: return .reference(data)
        default: return value
        }
    }
}

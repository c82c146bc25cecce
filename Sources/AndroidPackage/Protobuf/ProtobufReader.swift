/// Why protobuf data could not be read; offsets are byte offsets into the message.
public enum ProtobufError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    /// A varint longer than 10 bytes, or one whose value does not fit in 64 bits.
    case malformedVarint(offset: Int)
    /// Field number 0, or a wire type this reader does not accept (groups, 6, 7).
    case malformedKey(offset: Int, key: UInt64)
    case lengthOutOfRange(offset: Int, length: UInt64)
    case nestingTooDeep(offset: Int)
    /// A field had the wrong wire type for the schema (e.g. a number where a message belongs).
    case unexpectedWireType(offset: Int, field: Int)
    /// The XmlNode holds no element.
    case noRootElement

    public var description: String {
        switch self {
        case let .truncated(offset): return "protobuf truncated at offset \(offset)"
        case let .malformedVarint(offset): return "malformed varint at offset \(offset)"
        case let .malformedKey(offset, key): return "malformed field key 0x\(String(key, radix: 16)) at offset \(offset)"
        case let .lengthOutOfRange(offset, length): return "length \(length) at offset \(offset) runs past the enclosing message"
        case let .nestingTooDeep(offset): return "messages nested deeper than \(ProtobufReader.maximumDepth) at offset \(offset)"
        case let .unexpectedWireType(offset, field): return "field \(field) at offset \(offset) has the wrong wire type"
        case .noRootElement: return "the XML node holds no element"
        }
    }
}

/// A minimal protobuf wire-format reader over one message's byte range: varints capped at ten
/// bytes, every length checked against the enclosing message, nesting capped.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited(Range<Int>)
        case fixed32(UInt32)
    }

    struct Field {
        let number: Int
        let offset: Int
        let value: Value
    }

    /// Deeper nesting than this is treated as hostile (protobuf's own default limit is 100).
    static let maximumDepth = 100

    let bytes: [UInt8]
    private(set) var cursor: Int
    let end: Int
    let depth: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        cursor = 0
        end = bytes.count
        depth = 0
    }

    private init(bytes: [UInt8], range: Range<Int>, depth: Int) {
        self.bytes = bytes
        cursor = range.lowerBound
        end = range.upperBound
        self.depth = depth
    }

    /// A reader for an embedded message.
    func nested(_ range: Range<Int>) throws(ProtobufError) -> ProtobufReader {
        guard depth + 1 < Self.maximumDepth else { throw .nestingTooDeep(offset: range.lowerBound) }
        return ProtobufReader(bytes: bytes, range: range, depth: depth + 1)
    }

    private mutating func varint() throws(ProtobufError) -> UInt64 {
        let start = cursor
        var result: UInt64 = 0
        for index in 0..<10 {
            guard cursor < end else { throw .truncated(offset: cursor) }
            let byte = bytes[cursor]
            cursor += 1
            if index == 9 && byte > 1 { throw .malformedVarint(offset: start) }
            result |= UInt64(byte & 0x7F) << UInt64(index * 7)
            if byte & 0x80 == 0 { return result }
        }
        throw .malformedVarint(offset: start)
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws(ProtobufError) -> Field? {
        guard cursor < end else { return nil }
        let offset = cursor
        let key = try varint()
        let number = key >> 3
        guard number > 0, number <= 0x1FFF_FFFF else { throw .malformedKey(offset: offset, key: key) }
        let value: Value
        switch key & 7 {
        case 0:
            value = .varint(try varint())
        case 1:
            guard end - cursor >= 8 else { throw .truncated(offset: cursor) }
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[cursor + index]) << UInt64(index * 8) }
            cursor += 8
            value = .fixed64(word)
        case 2:
            let lengthOffset = cursor
            let length = try varint()
            guard length <= UInt64(end - cursor) else { throw .lengthOutOfRange(offset: lengthOffset, length: length) }
            value = .lengthDelimited(cursor..<(cursor + Int(length)))
            cursor += Int(length)
        case 5:
            guard end - cursor >= 4 else { throw .truncated(offset: cursor) }
            var word: UInt32 = 0
            for index in 0..<4 { word |= UInt32(bytes[cursor + index]) << UInt32(index * 8) }
            cursor += 4
            value = .fixed32(word)
        default:
            throw .malformedKey(offset: offset, key: key)
        }
        return Field(number: Int(number), offset: offset, value: value)
    }

    // MARK: Typed access for a field already read

    func message(_ field: Field) throws(ProtobufError) -> ProtobufReader {
        guard case let .lengthDelimited(range) = field.value else {
            throw .unexpectedWireType(offset: field.offset, field: field.number)
        }
        return try nested(range)
    }

    /// A string field; invalid UTF-8 is replaced, as protobuf's lenient readers do.
    func string(_ field: Field) throws(ProtobufError) -> String {
        guard case let .lengthDelimited(range) = field.value else {
            throw .unexpectedWireType(offset: field.offset, field: field.number)
        }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    func integer(_ field: Field) throws(ProtobufError) -> UInt64 {
        switch field.value {
        case let .varint(value): return value
        case let .fixed32(value): return UInt64(value)
        case let .fixed64(value): return value
        case .lengthDelimited: throw .unexpectedWireType(offset: field.offset, field: field.number)
        }
    }
}

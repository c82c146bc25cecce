/// Why a binary XML (AXML) document could not be read. Every case says where, as a byte offset
/// into the document, so a report can point at the exact spot of a malformed or hostile file.
public enum BinaryXMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `needed` bytes were to be read at `offset` but the data (or the enclosing chunk) ends first.
    case truncated(offset: Int, needed: Int)
    /// The first chunk is not RES_XML_TYPE (0x0003): this is not a compiled XML file.
    case notBinaryXML(offset: Int, chunkType: UInt16)
    /// A chunk header whose sizes contradict each other or the space around them.
    case malformedChunk(offset: Int, reason: String)
    /// The string pool's header, offsets or string encodings are inconsistent.
    case malformedStringPool(offset: Int, reason: String)
    /// String `index` runs to the end of the pool without its NUL terminator.
    case stringNotTerminated(offset: Int, index: Int)
    /// A node refers to string `index`, which the pool does not have.
    case stringIndexOutOfRange(offset: Int, index: UInt32)
    /// Elements that do not nest: an end tag with nothing open, or elements left open at the end.
    case unbalancedElements(offset: Int, reason: String)
    /// The node tree holds no element at all.
    case noRootElement(offset: Int)
    /// A cap that protects against hostile input was exceeded (nesting depth, item counts).
    case limitExceeded(offset: Int, reason: String)

    public var offset: Int {
        switch self {
        case let .truncated(offset, _), let .notBinaryXML(offset, _), let .malformedChunk(offset, _),
             let .malformedStringPool(offset, _), let .stringNotTerminated(offset, _),
             let .stringIndexOutOfRange(offset, _), let .unbalancedElements(offset, _),
             let .limitExceeded(offset, _), let .noRootElement(offset):
            return offset
        }
    }

    public var description: String {
        switch self {
        case let .truncated(offset, needed):
            return "binary XML truncated: \(needed) bytes needed at offset \(offset)"
        case let .notBinaryXML(offset, chunkType):
            return "not binary XML: chunk type 0x\(String(chunkType, radix: 16)) at offset \(offset), expected 0x3"
        case let .malformedChunk(offset, reason):
            return "malformed chunk at offset \(offset): \(reason)"
        case let .malformedStringPool(offset, reason):
            return "malformed string pool at offset \(offset): \(reason)"
        case let .stringNotTerminated(offset, index):
            return "string #\(index) at offset \(offset) is not NUL-terminated"
        case let .stringIndexOutOfRange(offset, index):
            return "string index \(index) at offset \(offset) is outside the string pool"
        case let .unbalancedElements(offset, reason):
            return "unbalanced elements at offset \(offset): \(reason)"
        case let .noRootElement(offset):
            return "no root element (nodes end at offset \(offset))"
        case let .limitExceeded(offset, reason):
            return "limit exceeded at offset \(offset): \(reason)"
        }
    }
}

/// Why an edit could not be applied; the document is left unchanged.
public enum BinaryXMLEditError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchElement(path: [String])
    case stringTooLong(length: Int)
    /// New resource-mapped names would have to go into the styled region of the pool, which
    /// would shift every style onto the wrong string.
    case styledStringsInResourceRegion
    case tooManyAttributes
    /// `.other(type: 0x03, …)`: a string value needs its text; use `.string`.
    case stringValueWithoutText
    /// The edited document would not read back (found on hostile inputs by FuzzAXML).
    case resultUnreadable(reason: String)

    public var description: String {
        switch self {
        case let .noSuchElement(path): return "no element at /\(path.joined(separator: "/"))"
        case let .stringTooLong(length): return "string of \(length) code units is too long for the string pool"
        case .styledStringsInResourceRegion:
            return "cannot add a resource-mapped attribute name: styled strings occupy the resource-map region"
        case .tooManyAttributes: return "the element already has 65535 attributes"
        case .stringValueWithoutText: return "a string value must be given as .string(text)"
        case let .resultUnreadable(reason): return "the edit was refused: the edited document would not read back (\(reason))"
        }
    }
}

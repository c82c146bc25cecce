/// Marks "no string" in a string reference (ResStringPool_ref 0xFFFFFFFF).
let noString: UInt32 = 0xFFFF_FFFF

/// What a node chunk carries besides its payload, kept so an unedited node is written back as read.
struct NodeLayout: Sendable, Equatable {
    var lineNumber: UInt32
    /// String index of the node's comment, or `noString`.
    var comment: UInt32
    /// Header bytes past the standard 16.
    var headerExtra: [UInt8] = []
    /// Bytes after the payload, up to the chunk's declared size.
    var trailing: [UInt8] = []

    static func fresh(line: UInt32) -> NodeLayout { NodeLayout(lineNumber: line, comment: noString) }
}

/// A typed attribute or text value (Res_value) as stored, with the string it names when it is one.
public struct TypedValue: Sendable, Equatable {
    public enum DataType: UInt8, Sendable {
        case null = 0x00, reference = 0x01, attribute = 0x02, string = 0x03, float = 0x04
        case dimension = 0x05, fraction = 0x06, dynamicReference = 0x07, dynamicAttribute = 0x08
        case intDecimal = 0x10, intHex = 0x11, intBoolean = 0x12
        case colorARGB8 = 0x1c, colorRGB8 = 0x1d, colorARGB4 = 0x1e, colorRGB4 = 0x1f
    }

    /// Raw Res_value.dataType; values Android does not define are kept as they are.
    public internal(set) var dataType: UInt8
    public internal(set) var data: UInt32
    /// The string `data` indexes when the type is string.
    public internal(set) var string: String?
    var size: UInt16 = 8
    var reserved: UInt8 = 0

    public var type: DataType? { DataType(rawValue: dataType) }
}

/// The meaning of a typed value, for reading and for edits.
public enum BinaryXMLValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case intDecimal(Int32)
    case intHex(UInt32)
    case boolean(Bool)
    /// `@0x7f0b0001`: a resource ID.
    case reference(UInt32)
    /// `?0x01010000`: a theme attribute.
    case attributeReference(UInt32)
    case float(Float)
    case dimension(UInt32)
    case fraction(UInt32)
    case color(UInt32)
    case null
    /// Any other Res_value type, as raw type and data.
    case other(type: UInt8, data: UInt32)

    init(_ value: TypedValue) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .intDecimal: self = .intDecimal(Int32(bitPattern: value.data))
        case .intHex: self = .intHex(value.data)
        case .intBoolean: self = .boolean(value.data != 0)
        case .reference, .dynamicReference: self = .reference(value.data)
        case .attribute, .dynamicAttribute: self = .attributeReference(value.data)
        case .float: self = .float(Float(bitPattern: value.data))
        case .dimension: self = .dimension(value.data)
        case .fraction: self = .fraction(value.data)
        case .colorARGB8, .colorRGB8, .colorARGB4, .colorRGB4: self = .color(value.data)
        case .null: self = .null
        case nil: self = .other(type: value.dataType, data: value.data)
        }
    }

    /// The integer a manifest attribute holds when it is written as a number.
    public var integer: Int? {
        switch self {
        case let .intDecimal(number): return Int(number)
        case let .intHex(number): return Int(number)
        case let .string(text): return Int(text)
        default: return nil
        }
    }

    public var boolean: Bool? {
        switch self {
        case let .boolean(flag): return flag
        case let .string(text): return text == "true" ? true : text == "false" ? false : nil
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case let .string(text): return text
        case let .intDecimal(number): return String(number)
        case let .intHex(number): return "0x" + String(number, radix: 16)
        case let .boolean(flag): return flag ? "true" : "false"
        case let .reference(id): return "@0x" + hex8(id)
        case let .attributeReference(id): return "?0x" + hex8(id)
        case let .float(number): return String(number)
        case let .dimension(data): return "dimension(0x\(hex8(data)))"
        case let .fraction(data): return "fraction(0x\(hex8(data)))"
        case let .color(argb): return "#" + hex8(argb)
        case .null: return "@null"
        case let .other(type, data): return "(type 0x\(String(type, radix: 16)))0x\(hex8(data))"
        }
    }
}

func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// One attribute of an element (ResXMLTree_attribute).
public struct BinaryXMLAttribute: Sendable, Equatable {
    public internal(set) var namespaceURI: String?
    public internal(set) var name: String
    /// The Android resource ID the name maps to through the resource map; Android matches
    /// framework attributes by this ID, not by name.
    public internal(set) var resourceID: UInt32?
    /// The original text of the value (aapt keeps it for strings), if any.
    public internal(set) var rawValue: String?
    public internal(set) var typedValue: TypedValue

    var namespaceIndex: UInt32
    var nameIndex: UInt32
    var rawValueIndex: UInt32
    /// Bytes past the standard 20 when the element declares a larger attribute size.
    var extra: [UInt8] = []

    public var value: BinaryXMLValue { BinaryXMLValue(typedValue) }
}

/// An element with its attributes and children, in document order.
public struct BinaryXMLElement: Sendable, Equatable {
    public internal(set) var namespaceURI: String?
    public internal(set) var name: String
    public internal(set) var attributes: [BinaryXMLAttribute]
    public internal(set) var children: [BinaryXMLNode]

    var namespaceIndex: UInt32
    var nameIndex: UInt32
    var start: NodeLayout
    var end: NodeLayout
    /// The end tag's own namespace and name references (Android does not check they match).
    var endNamespaceIndex: UInt32
    var endNameIndex: UInt32
    var attributeStart: UInt16 = 20
    var attributeSize: UInt16 = 20
    /// Bytes between the element fields and the first attribute.
    var attributeGap: [UInt8] = []
    /// 1-based positions of the id, class and style attributes (0 when absent).
    var idIndex: UInt16 = 0
    var classIndex: UInt16 = 0
    var styleIndex: UInt16 = 0

    public var elements: [BinaryXMLElement] {
        children.compactMap { if case let .element(element) = $0 { element } else { nil } }
    }

    public func attribute(resourceID: UInt32) -> BinaryXMLAttribute? {
        attributes.first { $0.resourceID == resourceID }
    }

    /// An attribute by name, for the ones without a resource ID (like `package`).
    public func attribute(named name: String, namespaceURI: String? = nil) -> BinaryXMLAttribute? {
        attributes.first { $0.name == name && $0.namespaceURI == namespaceURI }
    }
}

/// A namespace declaration's start or end (ResXMLTree_namespaceExt).
public struct BinaryXMLNamespace: Sendable, Equatable {
    public internal(set) var prefix: String?
    public internal(set) var uri: String?
    var prefixIndex: UInt32
    var uriIndex: UInt32
    var layout: NodeLayout
}

/// Character data between elements (RES_XML_CDATA_TYPE).
public struct BinaryXMLText: Sendable, Equatable {
    public internal(set) var text: String
    public internal(set) var typedValue: TypedValue
    var textIndex: UInt32
    var layout: NodeLayout
}

/// A chunk Android skips (an unknown type between nodes), kept byte for byte.
public struct BinaryXMLRawChunk: Sendable, Equatable {
    public let type: UInt16
    public let bytes: [UInt8]
}

public enum BinaryXMLNode: Sendable, Equatable {
    case element(BinaryXMLElement)
    case text(BinaryXMLText)
    case namespaceStart(BinaryXMLNamespace)
    case namespaceEnd(BinaryXMLNamespace)
    case unknown(BinaryXMLRawChunk)
}

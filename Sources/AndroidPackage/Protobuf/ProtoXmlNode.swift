/// The compiled XML of an Android App Bundle (aapt2's `XmlNode` from Resources.proto), as found
/// in `base/manifest/AndroidManifest.xml`, read into the same element tree binary XML gives, so
/// `AndroidManifestInfo` reads both alike.
///
/// Fields read (Resources.proto): XmlNode { element = 1, text = 2 }; XmlElement { namespace_uri = 2,
/// name = 3, attribute = 4, child = 5 }; XmlAttribute { namespace_uri = 1, name = 2, value = 3,
/// resource_id = 5, compiled_item = 6 }; Item { ref = 1, str = 2, raw_str = 3, prim = 7 };
/// Reference { id = 2, name = 3 }; Primitive { null = 1, empty = 2, float = 3, int_decimal = 6,
/// int_hexadecimal = 7, boolean = 8, colors = 9...12, dimension = 13, fraction = 14 }.
/// Other fields are skipped, as protobuf requires.
public enum ProtoXmlDocument {
    /// The root element of a serialized XmlNode.
    public static func root(bytes: [UInt8]) throws(ProtobufError) -> BinaryXMLElement {
        var reader = ProtobufReader(bytes: bytes)
        var root: BinaryXMLElement?
        while let field = try reader.next() {
            if field.number == 1 { root = try element(reader.message(field)) }
        }
        guard let root else { throw .noRootElement }
        return root
    }

    /// References keep the name aapt2 recorded (`string/app_name`) so they can be shown unresolved.
    public static func referenceNames(bytes: [UInt8]) throws(ProtobufError) -> [UInt32: String] {
        var names: [UInt32: String] = [:]
        func walk(_ element: BinaryXMLElement) {
            for attribute in element.attributes {
                if case let .reference(id) = attribute.value, let name = attribute.rawValue, name.hasPrefix("@") {
                    names[id] = String(name.dropFirst())
                }
            }
            element.elements.forEach(walk)
        }
        walk(try root(bytes: bytes))
        return names
    }

    private static func element(_ message: ProtobufReader) throws(ProtobufError) -> BinaryXMLElement {
        var reader = message
        var namespaceURI: String?
        var name = ""
        var attributes: [BinaryXMLAttribute] = []
        var children: [BinaryXMLNode] = []
        while let field = try reader.next() {
            switch field.number {
            case 2: namespaceURI = try reader.string(field).nonEmpty
            case 3: name = try reader.string(field)
            case 4: attributes.append(try attribute(reader.message(field)))
            case 5: if let child = try node(reader.message(field)) { children.append(child) }
            default: break
            }
        }
        return BinaryXMLElement(namespaceURI: namespaceURI, name: name, attributes: attributes, children: children,
                                namespaceIndex: noString, nameIndex: noString, start: .fresh(line: 0), end: .fresh(line: 0),
                                endNamespaceIndex: noString, endNameIndex: noString)
    }

    private static func node(_ message: ProtobufReader) throws(ProtobufError) -> BinaryXMLNode? {
        var reader = message
        var result: BinaryXMLNode?
        while let field = try reader.next() {
            switch field.number {
            case 1: result = .element(try element(reader.message(field)))
            case 2:
                let text = try reader.string(field)
                result = .text(BinaryXMLText(text: text, typedValue: TypedValue(dataType: 0x03, data: noString, string: text),
                                             textIndex: noString, layout: .fresh(line: 0)))
            default: break
            }
        }
        return result
    }

    private static func attribute(_ message: ProtobufReader) throws(ProtobufError) -> BinaryXMLAttribute {
        var reader = message
        var namespaceURI: String?
        var name = ""
        var text = ""
        var resourceID: UInt32?
        var typed: TypedValue?
        while let field = try reader.next() {
            switch field.number {
            case 1: namespaceURI = try reader.string(field).nonEmpty
            case 2: name = try reader.string(field)
            case 3: text = try reader.string(field)
            case 5:
                let id = UInt32(truncatingIfNeeded: try reader.integer(field))
                resourceID = id == 0 ? nil : id
            case 6: typed = try item(reader.message(field))
            default: break
            }
        }
        // Without a compiled item the value is the attribute's text.
        var value = typed ?? TypedValue(dataType: TypedValue.DataType.string.rawValue, data: noString, string: text)
        if value.type == .string && value.string == nil { value.string = text }
        return BinaryXMLAttribute(namespaceURI: namespaceURI, name: name, resourceID: resourceID, rawValue: text,
                                  typedValue: value, namespaceIndex: noString, nameIndex: noString, rawValueIndex: noString)
    }

    private static func item(_ message: ProtobufReader) throws(ProtobufError) -> TypedValue? {
        var reader = message
        var value: TypedValue?
        while let field = try reader.next() {
            switch field.number {
            case 1:
                var reference = try reader.message(field)
                var id: UInt32 = 0
                while let part = try reference.next() {
                    if part.number == 2 { id = UInt32(truncatingIfNeeded: try reference.integer(part)) }
                }
                value = TypedValue(dataType: TypedValue.DataType.reference.rawValue, data: id, string: nil)
            case 2, 3:
                var string = try reader.message(field)
                var text = ""
                while let part = try string.next() { if part.number == 1 { text = try string.string(part) } }
                value = TypedValue(dataType: TypedValue.DataType.string.rawValue, data: noString, string: text)
            case 7:
                value = try primitive(reader.message(field))
            default: break
            }
        }
        return value
    }

    private static func primitive(_ message: ProtobufReader) throws(ProtobufError) -> TypedValue? {
        var reader = message
        var value: TypedValue?
        while let field = try reader.next() {
            let type: TypedValue.DataType
            switch field.number {
            case 1, 2: type = .null
            case 3: type = .float
            case 6: type = .intDecimal
            case 7: type = .intHex
            case 8: type = .intBoolean
            case 9: type = .colorARGB8
            case 10: type = .colorRGB8
            case 11: type = .colorARGB4
            case 12: type = .colorRGB4
            case 13: type = .dimension
            case 14: type = .fraction
            default: continue
            }
            var data: UInt32 = 0
            if case .lengthDelimited = field.value {
                data = 0
            } else {
                data = UInt32(truncatingIfNeeded: try reader.integer(field))
            }
            if type == .intBoolean && data != 0 { data = 0xFFFF_FFFF }
            value = TypedValue(dataType: type.rawValue, data: data, string: nil)
        }
        return value
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

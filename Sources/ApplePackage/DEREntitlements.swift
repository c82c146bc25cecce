/// Apple's DER form of entitlements (code-signature slot 7): `[APPLICATION 16] { INTEGER 1, dict }`
/// where a dict is `[CONTEXT 16] { SEQUENCE { UTF8String key, value } ... }` and values are
/// BOOLEAN, INTEGER, UTF8String, SEQUENCE (array) or a nested dict.
enum DEREntitlements {
    static func decode(_ bytes: [UInt8], baseOffset: Int) throws(ApplePackageError) -> PropertyListValue {
        let structure = "DER entitlements"
        let root: ASN1Node
        do {
            root = try ASN1Node.parse(bytes, structure: structure)
        } catch {
            throw MachOSlice.relocated(error, by: baseOffset)
        }
        guard root.tagClass == ASN1Node.application, root.tagNumber == 16, root.children.count == 2,
              root.children[0].integer == 1 else {
            throw .malformed(structure: structure, offset: baseOffset, expected: "[APPLICATION 16] { INTEGER 1, dictionary }")
        }
        return try value(root.children[1], baseOffset: baseOffset)
    }

    private static func value(_ node: ASN1Node, baseOffset: Int) throws(ApplePackageError) -> PropertyListValue {
        let fail = ApplePackageError.malformed(structure: "DER entitlements", offset: baseOffset + node.offset,
                                               expected: "a BOOLEAN, INTEGER, UTF8String, SEQUENCE or [16] dictionary")
        if node.isContext(16), node.isConstructed {
            var entries: [String: PropertyListValue] = [:]
            for pair in node.children {
                guard pair.isSequence, pair.children.count == 2, let key = pair.children[0].text else { throw fail }
                entries[key] = try value(pair.children[1], baseOffset: baseOffset)
            }
            return .dictionary(entries)
        }
        if node.isSequence {
            var items: [PropertyListValue] = []
            for child in node.children { items.append(try value(child, baseOffset: baseOffset)) }
            return .array(items)
        }
        if node.isUniversal(1), node.content.count == 1 { return .boolean(node.content.first! != 0) }
        if let number = node.integer { return .integer(number) }
        if let text = node.text { return .string(text) }
        throw fail
    }
}

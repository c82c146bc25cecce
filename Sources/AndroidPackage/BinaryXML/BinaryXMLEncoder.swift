extension BinaryXMLDocument {
    /// The document as binary XML: the input bytes for an unedited document (see the type's
    /// note on the size field), a file aapt and Android read for an edited one.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.appendLE(Self.xmlType)
        out.appendLE(UInt16(8 + headerExtra.count))
        out.appendLE(UInt32(0))
        out += headerExtra
        for item in prelude {
            switch item {
            case .stringPool:
                out += stringPool.encoded()
            case .resourceMap:
                let ids = resourceMap ?? []
                let headerSize = 8 + resourceMapHeaderExtra.count
                out.appendLE(Self.resourceMapType)
                out.appendLE(UInt16(headerSize))
                out.appendLE(UInt32(headerSize + ids.count * 4 + resourceMapTrailing.count))
                out += resourceMapHeaderExtra
                for id in ids { out.appendLE(id) }
                out += resourceMapTrailing
            case let .raw(chunk):
                out += chunk.bytes
            }
        }
        for node in nodes { Self.encode(node, into: &out) }
        out += ignoredTail
        out.patchLE(keptSizeField ?? UInt32(out.count), at: 4)
        out += afterDeclaredEnd
        return out
    }

    /// Starts a node chunk; returns where it began so its size can be patched in.
    private static func beginNode(_ type: UInt16, _ layout: NodeLayout, into out: inout [UInt8]) -> Int {
        let start = out.count
        out.appendLE(type)
        out.appendLE(UInt16(16 + layout.headerExtra.count))
        out.appendLE(UInt32(0))
        out.appendLE(layout.lineNumber)
        out.appendLE(layout.comment)
        out += layout.headerExtra
        return start
    }

    private static func endNode(_ start: Int, _ layout: NodeLayout, into out: inout [UInt8]) {
        out += layout.trailing
        out.patchLE(UInt32(out.count - start), at: start + 4)
    }

    private static func encode(_ value: TypedValue, into out: inout [UInt8]) {
        out.appendLE(value.size)
        out.append(value.reserved)
        out.append(value.dataType)
        out.appendLE(value.data)
    }

    private static func encode(_ node: BinaryXMLNode, into out: inout [UInt8]) {
        switch node {
        case let .element(element):
            let start = beginNode(startElementType, element.start, into: &out)
            out.appendLE(element.namespaceIndex)
            out.appendLE(element.nameIndex)
            out.appendLE(element.attributeStart)
            out.appendLE(element.attributeSize)
            out.appendLE(UInt16(element.attributes.count))
            out.appendLE(element.idIndex)
            out.appendLE(element.classIndex)
            out.appendLE(element.styleIndex)
            out += element.attributeGap
            for attribute in element.attributes {
                out.appendLE(attribute.namespaceIndex)
                out.appendLE(attribute.nameIndex)
                out.appendLE(attribute.rawValueIndex)
                encode(attribute.typedValue, into: &out)
                out += attribute.extra
            }
            endNode(start, element.start, into: &out)
            for child in element.children { encode(child, into: &out) }
            let end = beginNode(endElementType, element.end, into: &out)
            out.appendLE(element.endNamespaceIndex)
            out.appendLE(element.endNameIndex)
            endNode(end, element.end, into: &out)
        case let .namespaceStart(namespace), let .namespaceEnd(namespace):
            let type = if case .namespaceStart = node { startNamespaceType } else { endNamespaceType }
            let start = beginNode(type, namespace.layout, into: &out)
            out.appendLE(namespace.prefixIndex)
            out.appendLE(namespace.uriIndex)
            endNode(start, namespace.layout, into: &out)
        case let .text(text):
            let start = beginNode(textType, text.layout, into: &out)
            out.appendLE(text.textIndex)
            encode(text.typedValue, into: &out)
            endNode(start, text.layout, into: &out)
        case let .unknown(chunk):
            out += chunk.bytes
        }
    }
}

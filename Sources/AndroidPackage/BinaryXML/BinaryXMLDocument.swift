/// Something unusual that Android tolerates in a binary XML file and that appseal therefore
/// accepts, but reports: several are known tricks to hide content from analysis tools.
public enum BinaryXMLAnomaly: Sendable, Equatable, CustomStringConvertible {
    /// The header's total size is larger than the data; the real size is written back.
    case declaredSizeLargerThanData(declared: UInt32, actual: Int)
    /// Bytes after the declared end of the document, which Android never reads (kept verbatim).
    case dataAfterDeclaredEnd(offset: Int, count: Int)
    /// The header's total size ends inside the node tree; the whole file was read instead, and
    /// the size field is written back as it was until the document is edited.
    case declaredSizeSmallerThanContent(declared: UInt32, actual: Int)
    /// A chunk after the root element closed that does not parse; Android stops reading at the
    /// root's end tag, so it never sees it (kept verbatim).
    case malformedAfterRoot(offset: Int, reason: String)
    /// A chunk of a type Android skips.
    case unknownChunk(offset: Int, type: UInt16)
    /// No resource-ID map: Android then matches no framework attribute, whatever the names say.
    case missingResourceMap

    public var description: String {
        switch self {
        case let .declaredSizeLargerThanData(declared, actual):
            return "header declares \(declared) bytes but the file has \(actual)"
        case let .declaredSizeSmallerThanContent(declared, actual):
            return "header declares \(declared) bytes but the nodes run to \(actual)"
        case let .dataAfterDeclaredEnd(offset, count):
            return "\(count) bytes after the declared end at offset \(offset), ignored by Android"
        case let .malformedAfterRoot(offset, reason):
            return "malformed data after the root element at offset \(offset) (\(reason)), ignored by Android"
        case let .unknownChunk(offset, type):
            return "unknown chunk type 0x\(String(type, radix: 16)) at offset \(offset), skipped by Android"
        case .missingResourceMap:
            return "no resource-ID map: Android ignores every android: attribute in this file"
        }
    }
}

/// A compiled Android XML file (AndroidManifest.xml, res/xml/*.xml): the RES_XML_TYPE chunk with
/// its string pool, resource-ID map and node tree.
///
/// `encoded()` writes the document from this model; for an unedited document the result is the
/// input, byte for byte, except that a bogus total size larger than the file is corrected.
public struct BinaryXMLDocument: Sendable, Equatable {
    enum PreludeItem: Sendable, Equatable {
        case stringPool
        case resourceMap
        case raw(BinaryXMLRawChunk)
    }

    static let xmlType: UInt16 = 0x0003
    static let resourceMapType: UInt16 = 0x0180
    static let startNamespaceType: UInt16 = 0x0100
    static let endNamespaceType: UInt16 = 0x0101
    static let startElementType: UInt16 = 0x0102
    static let endElementType: UInt16 = 0x0103
    static let textType: UInt16 = 0x0104
    /// RES_XML_FIRST_CHUNK_TYPE ... RES_XML_LAST_CHUNK_TYPE: where the node tree begins.
    static let nodeTypes: ClosedRange<UInt16> = 0x0100...0x017F
    /// Deeper nesting than this is treated as hostile.
    public static let maximumDepth = 512

    public internal(set) var stringPool: StringPool
    /// Resource IDs of the first strings of the pool (attribute names), or nil without a map chunk.
    public internal(set) var resourceMap: [UInt32]?
    /// Top-level nodes: namespace starts and ends around the root element, usually.
    public internal(set) var nodes: [BinaryXMLNode]
    public internal(set) var anomalies: [BinaryXMLAnomaly]

    var prelude: [PreludeItem]
    var headerExtra: [UInt8]
    var resourceMapTrailing: [UInt8] = []
    var resourceMapHeaderExtra: [UInt8] = []
    var ignoredTail: [UInt8] = []
    var afterDeclaredEnd: [UInt8] = []
    /// A too-small total size from the input, written back verbatim while the document is unedited.
    var keptSizeField: UInt32?

    /// The first element: the `<manifest>` of a manifest.
    public var root: BinaryXMLElement? {
        for node in nodes { if case let .element(element) = node { return element } }
        return nil
    }

    public init(bytes: [UInt8]) throws(BinaryXMLError) {
        var parser = BinaryXMLParser(bytes: bytes)
        do {
            self = try parser.parse(honouringDeclaredSize: true)
        } catch {
            // Some files declare a size that ends before their last nodes; read them whole, as
            // the tools that ignore the field do, but only when that parses cleanly.
            guard bytes.count >= 8 else { throw error }
            let declared = UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24
            var wholeParser = BinaryXMLParser(bytes: bytes)
            guard Int(declared) < bytes.count, var whole = try? wholeParser.parse(honouringDeclaredSize: false)
            else { throw error }
            whole.anomalies.insert(BinaryXMLAnomaly.declaredSizeSmallerThanContent(declared: declared, actual: bytes.count), at: 0)
            whole.keptSizeField = declared
            self = whole
        }
    }

    init(stringPool: StringPool, resourceMap: [UInt32]?, nodes: [BinaryXMLNode], anomalies: [BinaryXMLAnomaly],
         prelude: [PreludeItem], headerExtra: [UInt8]) {
        self.stringPool = stringPool
        self.resourceMap = resourceMap
        self.nodes = nodes
        self.anomalies = anomalies
        self.prelude = prelude
        self.headerExtra = headerExtra
    }

    /// Every element in document order, depth first.
    public var allElements: [BinaryXMLElement] {
        var found: [BinaryXMLElement] = []
        func walk(_ nodes: [BinaryXMLNode]) {
            for node in nodes {
                if case let .element(element) = node {
                    found.append(element)
                    walk(element.children)
                }
            }
        }
        walk(nodes)
        return found
    }
}

/// Reads the chunks of one document, checking every size before reading inside it
/// (the checks of AOSP's validate_chunk, plus caps on nesting).
struct BinaryXMLParser {
    let reader: ResourceDataReader
    var pool = StringPool(encoding: .utf16)
    var resourceMap: [UInt32] = []
    var anomalies: [BinaryXMLAnomaly] = []

    init(bytes: [UInt8]) {
        reader = ResourceDataReader(bytes)
    }

    struct ChunkHeader {
        let offset: Int
        let type: UInt16
        let headerSize: Int
        let size: Int
        var end: Int { offset + size }
    }

    func chunkHeader(at offset: Int, end: Int, minimumHeader: Int = 8) throws(BinaryXMLError) -> ChunkHeader {
        guard end - offset >= 8 else { throw .truncated(offset: offset, needed: 8) }
        let type = try reader.u16(offset)
        let headerSize = Int(try reader.u16(offset + 2))
        let size = Int(try reader.u32(offset + 4))
        guard headerSize >= minimumHeader else {
            throw .malformedChunk(offset: offset, reason: "header size \(headerSize) is below \(minimumHeader)")
        }
        guard size >= headerSize else {
            throw .malformedChunk(offset: offset, reason: "chunk size \(size) is smaller than its header size \(headerSize)")
        }
        guard size <= end - offset else { throw .truncated(offset: offset, needed: size) }
        return ChunkHeader(offset: offset, type: type, headerSize: headerSize, size: size)
    }

    mutating func parse(honouringDeclaredSize: Bool) throws(BinaryXMLError) -> BinaryXMLDocument {
        let bytes = reader.bytes
        guard bytes.count >= 8 else { throw .truncated(offset: 0, needed: 8) }
        let type = try reader.u16(0)
        guard type == BinaryXMLDocument.xmlType else { throw .notBinaryXML(offset: 0, chunkType: type) }
        let headerSize = Int(try reader.u16(2))
        let declaredSize = try reader.u32(4)
        guard headerSize >= 8, headerSize <= bytes.count else {
            throw .malformedChunk(offset: 0, reason: "document header size \(headerSize)")
        }
        var end = bytes.count
        var afterDeclaredEnd: [UInt8] = []
    /// A too-small total size from the input, written back verbatim while the document is unedited.
    var keptSizeField: UInt32?
        if Int(declaredSize) > bytes.count {
            anomalies.append(.declaredSizeLargerThanData(declared: declaredSize, actual: bytes.count))
        } else if Int(declaredSize) < headerSize {
            throw .malformedChunk(offset: 0, reason: "document size \(declaredSize) is smaller than its header")
        } else if Int(declaredSize) < bytes.count && honouringDeclaredSize {
            end = Int(declaredSize)
            afterDeclaredEnd = Array(bytes[end...])
            anomalies.append(.dataAfterDeclaredEnd(offset: end, count: afterDeclaredEnd.count))
        }

        try checkStructure(from: headerSize, end: end)
        var offset = headerSize
        var prelude: [BinaryXMLDocument.PreludeItem] = []
        var sawPool = false
        var mapHeaderExtra: [UInt8] = []
        var mapTrailing: [UInt8] = []
        var sawMap = false
        while offset < end {
            let chunk = try chunkHeader(at: offset, end: end)
            if BinaryXMLDocument.nodeTypes.contains(chunk.type) { break }
            switch chunk.type {
            case StringPool.chunkType:
                guard !sawPool else { throw .malformedChunk(offset: offset, reason: "a second string pool") }
                pool = try StringPool(reader: reader, start: offset, size: chunk.size)
                sawPool = true
                prelude.append(.stringPool)
            case BinaryXMLDocument.resourceMapType:
                guard !sawMap else { throw .malformedChunk(offset: offset, reason: "a second resource map") }
                let count = (chunk.size - chunk.headerSize) / 4
                resourceMap.reserveCapacity(count)
                for index in 0..<count { resourceMap.append(try reader.u32(offset + chunk.headerSize + index * 4)) }
                mapHeaderExtra = try reader.slice(offset + 8, chunk.headerSize - 8)
                let payloadEnd = offset + chunk.headerSize + count * 4
                mapTrailing = try reader.slice(payloadEnd, chunk.end - payloadEnd)
                sawMap = true
                prelude.append(.resourceMap)
            default:
                anomalies.append(.unknownChunk(offset: offset, type: chunk.type))
                prelude.append(.raw(BinaryXMLRawChunk(type: chunk.type, bytes: try reader.slice(offset, chunk.size))))
            }
            offset = chunk.end
        }
        guard sawPool else { throw .malformedChunk(offset: offset, reason: "no string pool before the first node") }
        if !sawMap { anomalies.append(.missingResourceMap) }

        let (nodes, ignoredTail) = try parseNodes(from: offset, end: end)
        var document = BinaryXMLDocument(stringPool: pool, resourceMap: sawMap ? resourceMap : nil, nodes: nodes,
                                         anomalies: anomalies, prelude: prelude,
                                         headerExtra: try reader.slice(8, headerSize - 8))
        document.resourceMapHeaderExtra = mapHeaderExtra
        document.resourceMapTrailing = mapTrailing
        document.ignoredTail = ignoredTail
        document.afterDeclaredEnd = afterDeclaredEnd
        return document
    }

    /// Walks the chunk headers alone before anything inside a chunk is decoded: every chunk must
    /// fit in the document, and start and end tags must balance. A truncated or cut file fails
    /// here at the cost of reading a few words per chunk. Chunks after the root element closed are
    /// left to the full parse, which keeps them when they are malformed (Android stops reading there).
    private func checkStructure(from start: Int, end: Int) throws(BinaryXMLError) {
        var offset = start
        var depth = 0
        while offset < end {
            let chunk = try chunkHeader(at: offset, end: end)
            switch chunk.type {
            case BinaryXMLDocument.startElementType:
                depth += 1
                guard depth <= BinaryXMLDocument.maximumDepth else {
                    throw .limitExceeded(offset: offset, reason: "elements nested deeper than \(BinaryXMLDocument.maximumDepth)")
                }
            case BinaryXMLDocument.endElementType:
                guard depth > 0 else { throw .unbalancedElements(offset: offset, reason: "end tag with no element open") }
                depth -= 1
                if depth == 0 { return }
            default:
                break
            }
            offset = chunk.end
        }
        if depth > 0 { throw .unbalancedElements(offset: end, reason: "\(depth) elements are never closed") }
        throw .noRootElement(offset: end)
    }

    /// An element still open, with the children read so far.
    private struct OpenElement {
        var element: BinaryXMLElement
        var children: [BinaryXMLNode] = []
    }

    private mutating func parseNodes(from start: Int, end: Int) throws(BinaryXMLError) -> ([BinaryXMLNode], [UInt8]) {
        var topLevel: [BinaryXMLNode] = []
        var open: [OpenElement] = []
        var rootClosed = false
        var offset = start
        func add(_ node: BinaryXMLNode) {
            if open.isEmpty { topLevel.append(node) } else { open[open.count - 1].children.append(node) }
        }
        while offset < end {
            let chunk: ChunkHeader
            let node: BinaryXMLNode?
            do throws(BinaryXMLError) {
                chunk = try chunkHeader(at: offset, end: end)
                if BinaryXMLDocument.nodeTypes.contains(chunk.type), chunk.headerSize < 16 {
                    throw BinaryXMLError.malformedChunk(offset: offset, reason: "node header size \(chunk.headerSize) is below 16")
                }
                switch chunk.type {
                case BinaryXMLDocument.startElementType:
                    guard open.count < BinaryXMLDocument.maximumDepth else {
                        throw BinaryXMLError.limitExceeded(offset: offset, reason: "elements nested deeper than \(BinaryXMLDocument.maximumDepth)")
                    }
                    open.append(OpenElement(element: try startElement(chunk)))
                    node = nil
                case BinaryXMLDocument.endElementType:
                    guard var finished = open.popLast() else {
                        throw BinaryXMLError.unbalancedElements(offset: offset, reason: "end tag with no element open")
                    }
                    let layout = try nodeLayout(chunk, payload: 8)
                    finished.element.end = layout
                    finished.element.endNamespaceIndex = try reader.u32(offset + chunk.headerSize)
                    finished.element.endNameIndex = try reader.u32(offset + chunk.headerSize + 4)
                    _ = try string(finished.element.endNamespaceIndex, at: offset + chunk.headerSize)
                    _ = try string(finished.element.endNameIndex, at: offset + chunk.headerSize + 4)
                    finished.element.children = finished.children
                    node = .element(finished.element)
                    if open.isEmpty { rootClosed = true }
                case BinaryXMLDocument.startNamespaceType, BinaryXMLDocument.endNamespaceType:
                    let namespace = try namespaceNode(chunk)
                    node = chunk.type == BinaryXMLDocument.startNamespaceType ? .namespaceStart(namespace) : .namespaceEnd(namespace)
                case BinaryXMLDocument.textType:
                    node = .text(try textNode(chunk))
                default:
                    anomalies.append(.unknownChunk(offset: offset, type: chunk.type))
                    node = .unknown(BinaryXMLRawChunk(type: chunk.type, bytes: try reader.slice(offset, chunk.size)))
                }
            } catch {
                guard rootClosed, open.isEmpty else { throw error }
                anomalies.append(.malformedAfterRoot(offset: offset, reason: error.description))
                return (topLevel, Array(reader.bytes[offset..<end]))
            }
            if let node { add(node) }
            offset = chunk.end
        }
        if let unclosed = open.last {
            throw .unbalancedElements(offset: end, reason: "<\(unclosed.element.name)> is never closed")
        }
        return (topLevel, [])
    }

    private func string(_ index: UInt32, at offset: Int) throws(BinaryXMLError) -> String? {
        if index == noString { return nil }
        guard let value = pool.string(at: Int(index)) else { throw .stringIndexOutOfRange(offset: offset, index: index) }
        return value
    }

    /// The node header fields and the bytes after a payload of `payload` bytes.
    private func nodeLayout(_ chunk: ChunkHeader, payload: Int) throws(BinaryXMLError) -> NodeLayout {
        guard chunk.size - chunk.headerSize >= payload else {
            throw .malformedChunk(offset: chunk.offset, reason: "node of \(chunk.size) bytes is too small for its \(payload)-byte body")
        }
        let comment = try reader.u32(chunk.offset + 12)
        _ = try string(comment, at: chunk.offset + 12)
        let payloadEnd = chunk.offset + chunk.headerSize + payload
        return NodeLayout(lineNumber: try reader.u32(chunk.offset + 8), comment: comment,
                          headerExtra: try reader.slice(chunk.offset + 16, chunk.headerSize - 16),
                          trailing: try reader.slice(payloadEnd, chunk.end - payloadEnd))
    }

    private func typedValue(at offset: Int) throws(BinaryXMLError) -> TypedValue {
        let dataType = try reader.u8(offset + 3)
        let data = try reader.u32(offset + 4)
        var value = TypedValue(dataType: dataType, data: data, string: nil,
                               size: try reader.u16(offset), reserved: try reader.u8(offset + 2))
        if value.type == .string {
            guard let text = try string(data, at: offset + 4) else {
                throw .stringIndexOutOfRange(offset: offset + 4, index: data)
            }
            value.string = text
        }
        return value
    }

    private func namespaceNode(_ chunk: ChunkHeader) throws(BinaryXMLError) -> BinaryXMLNamespace {
        let layout = try nodeLayout(chunk, payload: 8)
        let body = chunk.offset + chunk.headerSize
        let prefix = try reader.u32(body)
        let uri = try reader.u32(body + 4)
        return BinaryXMLNamespace(prefix: try string(prefix, at: body), uri: try string(uri, at: body + 4),
                                  prefixIndex: prefix, uriIndex: uri, layout: layout)
    }

    private func textNode(_ chunk: ChunkHeader) throws(BinaryXMLError) -> BinaryXMLText {
        let layout = try nodeLayout(chunk, payload: 12)
        let body = chunk.offset + chunk.headerSize
        let index = try reader.u32(body)
        return BinaryXMLText(text: try string(index, at: body) ?? "", typedValue: try typedValue(at: body + 4),
                             textIndex: index, layout: layout)
    }

    private func startElement(_ chunk: ChunkHeader) throws(BinaryXMLError) -> BinaryXMLElement {
        let body = chunk.offset + chunk.headerSize
        let bodySize = chunk.size - chunk.headerSize
        guard bodySize >= 20 else {
            throw .malformedChunk(offset: chunk.offset, reason: "element body of \(bodySize) bytes is below 20")
        }
        let namespaceIndex = try reader.u32(body)
        let nameIndex = try reader.u32(body + 4)
        let attributeStart = try reader.u16(body + 8)
        let attributeSize = try reader.u16(body + 10)
        let attributeCount = Int(try reader.u16(body + 12))
        guard attributeStart >= 20, attributeSize >= 20 || attributeCount == 0 else {
            throw .malformedChunk(offset: body + 8, reason: "attribute start \(attributeStart), size \(attributeSize)")
        }
        let attributesEnd = Int(attributeStart) + Int(attributeSize) * attributeCount
        guard attributesEnd <= bodySize else {
            throw .malformedChunk(offset: body + 12, reason: "\(attributeCount) attributes of \(attributeSize) bytes do not fit in \(bodySize) bytes")
        }
        guard let name = try string(nameIndex, at: body + 4) else {
            throw .stringIndexOutOfRange(offset: body + 4, index: nameIndex)
        }
        var attributes: [BinaryXMLAttribute] = []
        attributes.reserveCapacity(attributeCount)
        for position in 0..<attributeCount {
            let at = body + Int(attributeStart) + position * Int(attributeSize)
            let attributeNamespace = try reader.u32(at)
            let attributeName = try reader.u32(at + 4)
            let raw = try reader.u32(at + 8)
            guard let attributeNameText = try string(attributeName, at: at + 4) else {
                throw .stringIndexOutOfRange(offset: at + 4, index: attributeName)
            }
            let mapped = Int(attributeName) < resourceMap.count ? resourceMap[Int(attributeName)] : 0
            attributes.append(BinaryXMLAttribute(
                namespaceURI: try string(attributeNamespace, at: at), name: attributeNameText,
                resourceID: mapped == 0 ? nil : mapped, rawValue: try string(raw, at: at + 8),
                typedValue: try typedValue(at: at + 12), namespaceIndex: attributeNamespace, nameIndex: attributeName,
                rawValueIndex: raw, extra: try reader.slice(at + 20, Int(attributeSize) - 20)))
        }
        var element = BinaryXMLElement(
            namespaceURI: try string(namespaceIndex, at: body), name: name, attributes: attributes, children: [],
            namespaceIndex: namespaceIndex, nameIndex: nameIndex,
            start: try nodeLayout(chunk, payload: attributesEnd), end: .fresh(line: 0),
            endNamespaceIndex: namespaceIndex, endNameIndex: nameIndex)
        element.attributeStart = attributeStart
        element.attributeSize = attributeSize
        element.attributeGap = try reader.slice(body + 20, Int(attributeStart) - 20)
        element.idIndex = try reader.u16(body + 14)
        element.classIndex = try reader.u16(body + 16)
        element.styleIndex = try reader.u16(body + 18)
        return element
    }
}

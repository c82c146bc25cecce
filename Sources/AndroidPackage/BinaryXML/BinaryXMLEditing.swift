/// An attribute to write: `android:name="…"` is `.android(AndroidAttribute.name, .string("…"))`.
public struct NewAttribute: Sendable, Equatable {
    public var namespaceURI: String?
    public var name: String
    public var resourceID: UInt32?
    public var value: BinaryXMLValue

    public init(namespaceURI: String?, name: String, resourceID: UInt32?, value: BinaryXMLValue) {
        self.namespaceURI = namespaceURI
        self.name = name
        self.resourceID = resourceID
        self.value = value
    }

    /// A framework attribute in the android namespace, named from `AndroidAttribute.names`.
    public static func android(_ resourceID: UInt32, _ value: BinaryXMLValue, name: String? = nil) -> NewAttribute {
        NewAttribute(namespaceURI: AndroidAttribute.namespaceURI,
                     name: name ?? AndroidAttribute.names[resourceID] ?? String(resourceID, radix: 16),
                     resourceID: resourceID, value: value)
    }
}

/// An element to add, with its attributes and children.
public struct NewElement: Sendable, Equatable {
    public var namespaceURI: String?
    public var name: String
    public var attributes: [NewAttribute]
    public var children: [NewElement]

    public init(namespaceURI: String? = nil, name: String, attributes: [NewAttribute] = [], children: [NewElement] = []) {
        self.namespaceURI = namespaceURI
        self.name = name
        self.attributes = attributes
        self.children = children
    }
}

extension BinaryXMLDocument {
    // MARK: Finding elements

    /// Node indices leading to the first element matching each name in turn, from the top level
    /// (`["manifest", "application"]`).
    public func indexPath(of path: [String]) -> [Int]? {
        var indices: [Int] = []
        var level = nodes
        for name in path {
            guard let index = level.firstIndex(where: { if case let .element(e) = $0 { e.name == name } else { false } }),
                  case let .element(element) = level[index] else { return nil }
            indices.append(index)
            level = element.children
        }
        return indices.isEmpty ? nil : indices
    }

    public func element(at path: [String]) -> BinaryXMLElement? {
        guard let indices = indexPath(of: path) else { return nil }
        return element(atIndexPath: indices)
    }

    public func element(atIndexPath indices: [Int]) -> BinaryXMLElement? {
        var level = nodes
        var found: BinaryXMLElement?
        for index in indices {
            guard index >= 0, index < level.count, case let .element(element) = level[index] else { return nil }
            found = element
            level = element.children
        }
        return found
    }

    // MARK: Edits

    /// Sets an attribute on the element at `path`, replacing one with the same resource ID (or,
    /// without an ID, the same namespace and name). A new attribute goes where aapt2 would put it:
    /// attributes with IDs sorted by ID first, then the others by namespace and name.
    public mutating func setAttribute(on path: [String], _ attribute: NewAttribute) throws(BinaryXMLEditError) {
        guard let indices = indexPath(of: path) else { throw .noSuchElement(path: path) }
        try setAttribute(onIndexPath: indices, attribute, pathForErrors: path)
    }

    /// `setAttribute(on:_:)` with the parts spelled out.
    public mutating func setAttribute(on path: [String], resourceID: UInt32?, name: String,
                                      namespace: String? = AndroidAttribute.namespaceURI,
                                      value: BinaryXMLValue) throws(BinaryXMLEditError) {
        try setAttribute(on: path, NewAttribute(namespaceURI: namespace, name: name, resourceID: resourceID, value: value))
    }

    public mutating func setAttribute(onIndexPath indices: [Int], _ attribute: NewAttribute,
                                      pathForErrors: [String] = []) throws(BinaryXMLEditError) {
        guard element(atIndexPath: indices) != nil else { throw .noSuchElement(path: pathForErrors) }
        var work = self
        let built = try work.build(attribute)
        try work.modifyElement(at: indices) { element throws(BinaryXMLEditError) in
            if let existing = element.attributes.firstIndex(where: { Self.sameAttribute($0, built) }) {
                var replaced = built
                replaced.extra = element.attributes[existing].extra
                element.attributes[existing] = replaced
            } else {
                guard element.attributes.count < Int(UInt16.max) else { throw .tooManyAttributes }
                var added = built
                added.extra = [UInt8](repeating: 0, count: Int(element.attributeSize) - 20)
                let position = element.attributes.firstIndex { Self.sortsBefore(added, $0) } ?? element.attributes.count
                element.attributes.insert(added, at: position)
                Self.shiftSpecialIndices(&element, insertedAt: position)
                if added.namespaceURI == nil, let special = ["id", "class", "style"].firstIndex(of: added.name) {
                    let oneBased = UInt16(position + 1)
                    switch special {
                    case 0: element.idIndex = oneBased
                    case 1: element.classIndex = oneBased
                    default: element.styleIndex = oneBased
                    }
                }
            }
        }
        work.keptSizeField = nil
        try work.requireReadable()
        self = work
    }

    /// Removes the attribute with `resourceID` from the element at `path`; false when it had none.
    @discardableResult
    public mutating func removeAttribute(from path: [String], resourceID: UInt32) throws(BinaryXMLEditError) -> Bool {
        guard let indices = indexPath(of: path) else { throw .noSuchElement(path: path) }
        var removed = false
        try modifyElement(at: indices) { element throws(BinaryXMLEditError) in
            guard let position = element.attributes.firstIndex(where: { $0.resourceID == resourceID }) else { return }
            element.attributes.remove(at: position)
            let removedOneBased = UInt16(position + 1)
            for keyPath in [\BinaryXMLElement.idIndex, \BinaryXMLElement.classIndex, \BinaryXMLElement.styleIndex] {
                if element[keyPath: keyPath] == removedOneBased {
                    element[keyPath: keyPath] = 0
                } else if element[keyPath: keyPath] > removedOneBased {
                    element[keyPath: keyPath] -= 1
                }
            }
            removed = true
        }
        if removed { keptSizeField = nil }
        return removed
    }

    /// Appends `child` as the last child of the element at `path` (e.g. a `<provider>` inside
    /// `<application>`), with the parent's line number.
    public mutating func appendChild(to path: [String], _ child: NewElement) throws(BinaryXMLEditError) {
        guard let indices = indexPath(of: path), let parent = element(atIndexPath: indices) else {
            throw .noSuchElement(path: path)
        }
        var work = self
        // Resource-mapped names go first: inserting them renumbers strings, appending does not.
        try work.reserveMappedNames(in: child)
        let built = try work.build(child, line: parent.start.lineNumber)
        try work.modifyElement(at: indices) { element throws(BinaryXMLEditError) in
            element.children.append(.element(built))
        }
        work.keptSizeField = nil
        try work.requireReadable()
        self = work
    }

    /// An edit is kept only if the document it produces reads back: a hostile original (strings that
    /// overlap, values the renumbering cannot place) must never turn into an unreadable manifest.
    private func requireReadable() throws(BinaryXMLEditError) {
        do {
            _ = try BinaryXMLDocument(bytes: encoded())
        } catch {
            throw .resultUnreadable(reason: error.description)
        }
    }

    // MARK: Building nodes

    private static func sameAttribute(_ a: BinaryXMLAttribute, _ b: BinaryXMLAttribute) -> Bool {
        if let id = b.resourceID { return a.resourceID == id }
        return a.resourceID == nil && a.name == b.name && a.namespaceURI == b.namespaceURI
    }

    /// aapt2's attribute order: by resource ID, then those without one by namespace and name.
    private static func sortsBefore(_ a: BinaryXMLAttribute, _ b: BinaryXMLAttribute) -> Bool {
        switch (a.resourceID, b.resourceID) {
        case let (left?, right?): return left < right
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return ((a.namespaceURI ?? ""), a.name) < ((b.namespaceURI ?? ""), b.name)
        }
    }

    private static func shiftSpecialIndices(_ element: inout BinaryXMLElement, insertedAt position: Int) {
        for keyPath in [\BinaryXMLElement.idIndex, \BinaryXMLElement.classIndex, \BinaryXMLElement.styleIndex] {
            if element[keyPath: keyPath] > UInt16(position) { element[keyPath: keyPath] += 1 }
        }
    }

    private mutating func reserveMappedNames(in element: NewElement) throws(BinaryXMLEditError) {
        for attribute in element.attributes {
            if let id = attribute.resourceID { _ = try mappedNameIndex(attribute.name, resourceID: id) }
        }
        for child in element.children { try reserveMappedNames(in: child) }
    }

    private mutating func build(_ element: NewElement, line: UInt32) throws(BinaryXMLEditError) -> BinaryXMLElement {
        let namespaceIndex = try internOptional(element.namespaceURI)
        let nameIndex = try unmappedIndex(element.name)
        var built = BinaryXMLElement(namespaceURI: element.namespaceURI, name: element.name, attributes: [], children: [],
                                     namespaceIndex: namespaceIndex, nameIndex: nameIndex,
                                     start: .fresh(line: line), end: .fresh(line: line),
                                     endNamespaceIndex: namespaceIndex, endNameIndex: nameIndex)
        var attributes: [BinaryXMLAttribute] = []
        for attribute in element.attributes { attributes.append(try build(attribute)) }
        built.attributes = attributes.sorted { Self.sortsBefore($0, $1) }
        for (position, attribute) in built.attributes.enumerated() where attribute.namespaceURI == nil {
            switch attribute.name {
            case "id": built.idIndex = UInt16(position + 1)
            case "class": built.classIndex = UInt16(position + 1)
            case "style": built.styleIndex = UInt16(position + 1)
            default: break
            }
        }
        for child in element.children { built.children.append(.element(try build(child, line: line))) }
        return built
    }

    private mutating func build(_ attribute: NewAttribute) throws(BinaryXMLEditError) -> BinaryXMLAttribute {
        let nameIndex: UInt32
        if let id = attribute.resourceID {
            nameIndex = try mappedNameIndex(attribute.name, resourceID: id)
        } else {
            nameIndex = try unmappedIndex(attribute.name)
        }
        let namespaceIndex = try internOptional(attribute.namespaceURI)
        var typed = TypedValue(dataType: 0, data: 0, string: nil)
        var rawIndex = noString
        var rawValue: String?
        switch attribute.value {
        case let .string(text):
            let index = try stringPool.intern(text)
            typed = TypedValue(dataType: TypedValue.DataType.string.rawValue, data: index, string: text)
            rawIndex = index
            rawValue = text
        case let .intDecimal(number): typed.dataType = TypedValue.DataType.intDecimal.rawValue; typed.data = UInt32(bitPattern: number)
        case let .intHex(number): typed.dataType = TypedValue.DataType.intHex.rawValue; typed.data = number
        case let .boolean(flag): typed.dataType = TypedValue.DataType.intBoolean.rawValue; typed.data = flag ? 0xFFFF_FFFF : 0
        case let .reference(id): typed.dataType = TypedValue.DataType.reference.rawValue; typed.data = id
        case let .attributeReference(id): typed.dataType = TypedValue.DataType.attribute.rawValue; typed.data = id
        case let .float(number): typed.dataType = TypedValue.DataType.float.rawValue; typed.data = number.bitPattern
        case let .dimension(data): typed.dataType = TypedValue.DataType.dimension.rawValue; typed.data = data
        case let .fraction(data): typed.dataType = TypedValue.DataType.fraction.rawValue; typed.data = data
        case let .color(argb): typed.dataType = TypedValue.DataType.colorARGB8.rawValue; typed.data = argb
        case .null: typed.dataType = TypedValue.DataType.null.rawValue
        case let .other(type, data):
            guard type != TypedValue.DataType.string.rawValue else { throw .stringValueWithoutText }
            typed.dataType = type; typed.data = data
        }
        return BinaryXMLAttribute(namespaceURI: attribute.namespaceURI, name: attribute.name, resourceID: attribute.resourceID,
                                  rawValue: rawValue, typedValue: typed, namespaceIndex: namespaceIndex,
                                  nameIndex: nameIndex, rawValueIndex: rawIndex)
    }

    /// The index of an attribute name inside the resource-mapped region with this ID, inserting
    /// name and ID at the region's end (and renumbering every later string) when missing.
    mutating func mappedNameIndex(_ name: String, resourceID: UInt32) throws(BinaryXMLEditError) -> UInt32 {
        var map = resourceMap ?? []
        let mappedCount = min(map.count, stringPool.count)
        if let found = (0..<mappedCount).first(where: { map[$0] == resourceID && stringPool.strings[$0] == name }) {
            return UInt32(found)
        }
        try stringPool.insert(name, at: mappedCount)
        renumberStrings(from: UInt32(mappedCount))
        map.insert(resourceID, at: mappedCount)
        if resourceMap == nil, let poolPosition = prelude.firstIndex(of: .stringPool) {
            prelude.insert(.resourceMap, at: poolPosition + 1)
        }
        resourceMap = map
        return UInt32(mappedCount)
    }

    private mutating func internOptional(_ value: String?) throws(BinaryXMLEditError) -> UInt32 {
        guard let value else { return noString }
        return try stringPool.intern(value)
    }

    /// A string outside the resource-mapped region, so that it carries no resource ID.
    mutating func unmappedIndex(_ value: String) throws(BinaryXMLEditError) -> UInt32 {
        let mappedCount = resourceMap?.count ?? 0
        if let found = stringPool.strings.indices.first(where: { $0 >= mappedCount && stringPool.strings[$0] == value }) {
            return UInt32(found)
        }
        try stringPool.insert(value, at: stringPool.count)
        return UInt32(stringPool.count - 1)
    }

    private mutating func modifyElement(at indices: [Int],
                                        _ body: (inout BinaryXMLElement) throws(BinaryXMLEditError) -> Void) throws(BinaryXMLEditError) {
        func walk(_ level: inout [BinaryXMLNode], _ depth: Int) throws(BinaryXMLEditError) {
            guard case var .element(element) = level[indices[depth]] else { return }
            if depth == indices.count - 1 {
                try body(&element)
            } else {
                try walk(&element.children, depth + 1)
            }
            level[indices[depth]] = .element(element)
        }
        try walk(&nodes, 0)
    }

    /// Adds one to every string reference at or above `first`, after a string was inserted there.
    private mutating func renumberStrings(from first: UInt32) {
        func bump(_ index: inout UInt32) { if index != noString && index >= first { index += 1 } }
        func bump(_ value: inout TypedValue) { if value.type == .string { bump(&value.data) } }
        func walk(_ level: inout [BinaryXMLNode]) {
            for position in level.indices {
                switch level[position] {
                case var .element(element):
                    bump(&element.namespaceIndex); bump(&element.nameIndex)
                    bump(&element.endNamespaceIndex); bump(&element.endNameIndex)
                    bump(&element.start.comment); bump(&element.end.comment)
                    for attribute in element.attributes.indices {
                        bump(&element.attributes[attribute].namespaceIndex)
                        bump(&element.attributes[attribute].nameIndex)
                        bump(&element.attributes[attribute].rawValueIndex)
                        bump(&element.attributes[attribute].typedValue)
                    }
                    walk(&element.children)
                    level[position] = .element(element)
                case var .namespaceStart(namespace):
                    bump(&namespace.prefixIndex); bump(&namespace.uriIndex); bump(&namespace.layout.comment)
                    level[position] = .namespaceStart(namespace)
                case var .namespaceEnd(namespace):
                    bump(&namespace.prefixIndex); bump(&namespace.uriIndex); bump(&namespace.layout.comment)
                    level[position] = .namespaceEnd(namespace)
                case var .text(text):
                    bump(&text.textIndex); bump(&text.typedValue); bump(&text.layout.comment)
                    level[position] = .text(text)
                case .unknown:
                    break
                }
            }
        }
        walk(&nodes)
    }
}

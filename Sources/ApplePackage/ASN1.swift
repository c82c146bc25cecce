/// A BER/DER element tree, enough for CMS envelopes, X.509 names and DER entitlements.
///
/// Apple's CMS blobs and provisioning profiles use BER indefinite lengths and chunked OCTET
/// STRINGs, so this accepts those too. Nesting depth and element count are capped, lengths are
/// checked against the parent before anything inside is read, and trailing bytes are rejected.
struct ASN1Node: Sendable {
    /// The identifier octet's class and constructed bits plus the tag number.
    let tagClass: UInt8
    let isConstructed: Bool
    let tagNumber: Int
    /// Offset of the identifier octet, relative to the parsed buffer.
    let offset: Int
    /// The whole element (header and content) for definite lengths, used to hash certificates as read.
    let encoded: ArraySlice<UInt8>
    let content: ArraySlice<UInt8>
    let children: [ASN1Node]

    static let universal: UInt8 = 0x00, application: UInt8 = 0x40, contextSpecific: UInt8 = 0x80

    var isSequence: Bool { tagClass == Self.universal && isConstructed && tagNumber == 16 }
    var isSet: Bool { tagClass == Self.universal && isConstructed && tagNumber == 17 }

    func isContext(_ number: Int) -> Bool { tagClass == Self.contextSpecific && tagNumber == number }

    func isUniversal(_ number: Int) -> Bool { tagClass == Self.universal && tagNumber == number }

    static let maximumDepth = 48
    static let maximumElements = 200_000

    /// Parses exactly one element filling `bytes`.
    static func parse(_ bytes: [UInt8], structure: String) throws(ApplePackageError) -> ASN1Node {
        var budget = maximumElements
        var parser = Parser(bytes: bytes, structure: structure)
        let (node, end) = try parser.element(at: 0, limit: bytes.count, depth: 0, budget: &budget)
        guard end == bytes.count else {
            throw .malformed(structure: structure, offset: end, expected: "end of data after the outer element (\(bytes.count - end) trailing bytes)")
        }
        return node
    }

    /// The OBJECT IDENTIFIER in dotted form.
    var objectIdentifier: String? {
        guard isUniversal(6), !isConstructed, !content.isEmpty else { return nil }
        var parts: [UInt64] = []
        var value: UInt64 = 0
        for byte in content {
            guard value < (1 << 56) else { return nil }
            value = value << 7 | UInt64(byte & 0x7f)
            if byte & 0x80 == 0 { parts.append(value); value = 0 }
        }
        guard let first = parts.first else { return nil }
        let head = first < 80 ? [first / 40, first % 40] : [2, first - 80]
        return (head + parts.dropFirst()).map(String.init).joined(separator: ".")
    }

    /// Primitive content, or the concatenated chunks of a constructed (BER) string.
    var stringBytes: [UInt8] {
        isConstructed ? children.flatMap(\.stringBytes) : Array(content)
    }

    /// Text of a string type (UTF8String, PrintableString, IA5String, BMPString, ...).
    var text: String? {
        guard tagClass == Self.universal else { return nil }
        let raw = stringBytes
        switch tagNumber {
        case 12, 19, 20, 22, 26, 18: return String(decoding: raw, as: UTF8.self)
        case 30:
            guard raw.count % 2 == 0 else { return nil }
            let units = stride(from: 0, to: raw.count, by: 2).map { UInt16(raw[$0]) << 8 | UInt16(raw[$0 + 1]) }
            return String(decoding: units, as: UTF16.self)
        case 28:
            guard raw.count % 4 == 0 else { return nil }
            var scalars = String.UnicodeScalarView()
            for index in stride(from: 0, to: raw.count, by: 4) {
                let value = raw[index..<(index + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                scalars.append(scalar)
            }
            return String(scalars)
        default: return nil
        }
    }

    /// A small INTEGER (entitlement values, versions); nil when it does not fit in 64 bits.
    var integer: Int64? {
        guard isUniversal(2), !isConstructed, !content.isEmpty, content.count <= 8 else { return nil }
        var value: Int64 = (content.first! & 0x80) != 0 ? -1 : 0
        for byte in content { value = value << 8 | Int64(byte) }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let structure: String

        mutating func element(at start: Int, limit: Int, depth: Int, budget: inout Int) throws(ApplePackageError) -> (ASN1Node, Int) {
            guard depth <= ASN1Node.maximumDepth else {
                throw .malformed(structure: structure, offset: start, expected: "nesting of at most \(ASN1Node.maximumDepth) levels")
            }
            budget -= 1
            guard budget >= 0 else {
                throw .malformed(structure: structure, offset: start, expected: "at most \(ASN1Node.maximumElements) elements")
            }
            var cursor = start
            guard cursor < limit else { throw .truncated(structure: structure, offset: cursor, needed: 1) }
            let identifier = bytes[cursor]
            cursor += 1
            var tagNumber = Int(identifier & 0x1f)
            if tagNumber == 0x1f {
                tagNumber = 0
                var octets = 0
                while true {
                    guard cursor < limit else { throw .truncated(structure: structure, offset: cursor, needed: 1) }
                    let byte = bytes[cursor]; cursor += 1; octets += 1
                    guard octets <= 4 else { throw .malformed(structure: structure, offset: start, expected: "a tag number below 2^28") }
                    tagNumber = tagNumber << 7 | Int(byte & 0x7f)
                    if byte & 0x80 == 0 { break }
                }
            }
            let constructed = identifier & 0x20 != 0
            guard cursor < limit else { throw .truncated(structure: structure, offset: cursor, needed: 1) }
            let first = bytes[cursor]; cursor += 1
            var children: [ASN1Node] = []
            if first == 0x80 {
                guard constructed else {
                    throw .malformed(structure: structure, offset: cursor - 1, expected: "a definite length on a primitive element")
                }
                let contentStart = cursor
                while true {
                    guard cursor + 2 <= limit else { throw .truncated(structure: structure, offset: cursor, needed: 2) }
                    if bytes[cursor] == 0, bytes[cursor + 1] == 0 { break }
                    let (child, next) = try element(at: cursor, limit: limit, depth: depth + 1, budget: &budget)
                    children.append(child)
                    cursor = next
                }
                let node = ASN1Node(tagClass: identifier & 0xc0, isConstructed: true, tagNumber: tagNumber, offset: start,
                                    encoded: bytes[start..<(cursor + 2)], content: bytes[contentStart..<cursor], children: children)
                return (node, cursor + 2)
            }
            var length = 0
            if first & 0x80 == 0 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7f)
                guard count <= 4 else { throw .malformed(structure: structure, offset: cursor - 1, expected: "a length of at most 4 octets") }
                guard cursor + count <= limit else { throw .truncated(structure: structure, offset: cursor, needed: count) }
                for _ in 0..<count { length = length << 8 | Int(bytes[cursor]); cursor += 1 }
            }
            guard length <= limit - cursor else {
                throw .truncated(structure: structure, offset: cursor, needed: length)
            }
            let contentEnd = cursor + length
            if constructed {
                var childCursor = cursor
                while childCursor < contentEnd {
                    let (child, next) = try element(at: childCursor, limit: contentEnd, depth: depth + 1, budget: &budget)
                    children.append(child)
                    childCursor = next
                }
            }
            let node = ASN1Node(tagClass: identifier & 0xc0, isConstructed: constructed, tagNumber: tagNumber, offset: start,
                                encoded: bytes[start..<contentEnd], content: bytes[cursor..<contentEnd], children: children)
            return (node, contentEnd)
        }
    }
}

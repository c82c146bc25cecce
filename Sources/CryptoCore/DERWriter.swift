/// Just enough DER writing for the structures appseal builds itself (PKCS#12, the v1 JAR signature's PKCS#7):
/// definite lengths, the universal types those structures use, context tags.
public enum DERWriter {
    public static let sequenceTag: UInt8 = 0x30
    public static let setTag: UInt8 = 0x31
    public static let integerTag: UInt8 = 0x02
    public static let bitStringTag: UInt8 = 0x03
    public static let octetStringTag: UInt8 = 0x04
    public static let nullTag: UInt8 = 0x05
    public static let objectIdentifierTag: UInt8 = 0x06
    public static let bmpStringTag: UInt8 = 0x1E

    public static func contextConstructed(_ number: UInt8) -> UInt8 { 0xA0 | number }
    public static func contextPrimitive(_ number: UInt8) -> UInt8 { 0x80 | number }

    public static func encodeLength(_ length: Int) -> [UInt8] {
        precondition(length >= 0)
        if length < 0x80 { return [UInt8(length)] }
        var octets: [UInt8] = []
        var remaining = length
        while remaining > 0 { octets.insert(UInt8(remaining & 0xFF), at: 0); remaining >>= 8 }
        return [0x80 | UInt8(octets.count)] + octets
    }

    public static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + encodeLength(content.count) + content }

    public static func sequence(_ parts: [[UInt8]]) -> [UInt8] { tlv(sequenceTag, parts.flatMap { $0 }) }

    public static func set(_ parts: [[UInt8]]) -> [UInt8] { tlv(setTag, parts.flatMap { $0 }) }

    public static let null: [UInt8] = [nullTag, 0]

    /// A non-negative INTEGER, minimal two's complement (a leading zero when the top bit is set).
    public static func integer(_ value: Int) -> [UInt8] {
        precondition(value >= 0, "non-negative integers only")
        var content: [UInt8] = []
        var remaining = value
        repeat { content.insert(UInt8(remaining & 0xFF), at: 0); remaining >>= 8 } while remaining > 0
        if content[0] & 0x80 != 0 { content.insert(0, at: 0) }
        return tlv(integerTag, content)
    }

    public static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv(octetStringTag, bytes) }

    /// A BMPString: UTF-16 big-endian, as PKCS#9 friendlyName requires.
    public static func bmpString(_ text: String) -> [UInt8] {
        tlv(bmpStringTag, text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    /// An OBJECT IDENTIFIER from its dotted form (a literal in our code); arcs are written base-128.
    public static func objectIdentifier(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        precondition(arcs.count >= 2 && arcs[0] <= 2 && (arcs[0] == 2 || arcs[1] < 40), "malformed OID literal \(dotted)")
        var content: [UInt8] = base128(arcs[0] * 40 + arcs[1])
        for arc in arcs.dropFirst(2) { content += base128(arc) }
        return tlv(objectIdentifierTag, content)
    }

    /// `SEQUENCE { OID, NULL }`.
    public static func algorithmIdentifier(_ oid: String) -> [UInt8] { sequence([objectIdentifier(oid), null]) }

    private static func base128(_ value: UInt64) -> [UInt8] {
        var chunk: [UInt8] = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 { chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0); rest >>= 7 }
        return chunk
    }
}

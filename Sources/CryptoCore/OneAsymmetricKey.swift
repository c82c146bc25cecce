import Foundation

/// RFC 5958 OneAsymmetricKey version 2 (PKCS#8 with an embedded `[1] publicKey`, as some Ed25519 exporters
/// write) rewritten as a version 1 PrivateKeyInfo, the only form OpenSSL 3.0 decodes. The private key and
/// attributes are kept byte for byte; only the version and the public key copy go.
enum OneAsymmetricKey {
    static func version1(of der: Data) -> Data? {
        let bytes = [UInt8](der)
        guard let outer = DERElement.read(bytes, at: 0, limit: bytes.count), outer.tag == 0x30, outer.end == bytes.count else {
            return nil
        }
        var children: [DERElement] = []
        var offset = outer.contentStart
        while offset < outer.end {
            // PrivateKeyInfo has at most five fields; anything longer is not one.
            guard children.count < 5, let child = DERElement.read(bytes, at: offset, limit: outer.end) else { return nil }
            children.append(child)
            offset = child.end
        }
        guard children.count >= 3, children[0].tag == 0x02, Array(bytes[children[0].contentStart..<children[0].end]) == [1],
              children[1].tag == 0x30, children[2].tag == 0x04 else { return nil }
        var body: [UInt8] = [0x02, 0x01, 0x00]
        for child in children[1...2] { body += bytes[child.start..<child.end] }
        for extra in children.dropFirst(3) {
            switch extra.tag {
            case 0xA0: body += bytes[extra.start..<extra.end]  // [0] attributes
            case 0x81, 0xA1: continue                           // [1] publicKey, derivable from the private key
            default: return nil
            }
        }
        return Data([0x30]) + derLength(body.count) + Data(body)
    }
}

/// One DER TLV located in a byte array; every length is checked against its parent's end.
struct DERElement {
    let tag: UInt8
    let start: Int
    let contentStart: Int
    let end: Int

    static func read(_ bytes: [UInt8], at offset: Int, limit: Int) -> DERElement? {
        guard offset >= 0, limit <= bytes.count, offset + 2 <= limit else { return nil }
        let tag = bytes[offset]
        guard tag & 0x1f != 0x1f else { return nil }  // multi-byte tag numbers do not occur here
        var index = offset + 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7f)
            guard count >= 1, count <= 4, index + count <= limit else { return nil }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard length <= limit - index else { return nil }
        return DERElement(tag: tag, start: offset, contentStart: index, end: index + length)
    }
}

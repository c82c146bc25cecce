import CryptoCore
import Foundation

/// DER is written with CryptoCore's writer (the v1 signature's PKCS#7 comes out byte-for-byte as apksigner's);
/// this file reads certificates and PKCS#7 blocks from untrusted files.
typealias DER = DERWriter

/// One parsed DER element; `encoded` is the whole TLV as it appeared, so signatures are
/// checked over what was read, never a re-encoding.
struct DERElement: Sendable {
    let tag: UInt8
    let content: ArraySlice<UInt8>
    let encoded: ArraySlice<UInt8>
    /// Offset of the tag byte in the outer buffer.
    let offset: Int

    static let maximumDepth = 32

    var isConstructed: Bool { tag & 0x20 != 0 }

    /// Reads one element at `offset` of `bytes`; the length must fit in what remains.
    static func read(_ bytes: ArraySlice<UInt8>, at offset: Int, structure: String) throws -> DERElement {
        var index = offset
        guard index < bytes.endIndex else {
            throw ApkSigningError.truncated(structure: structure, offset: index, needed: 2)
        }
        let tag = bytes[index]
        guard tag & 0x1F != 0x1F else {
            throw ApkSigningError.malformed(structure: structure, offset: index, reason: "multi-byte tags are not used here")
        }
        index += 1
        guard index < bytes.endIndex else {
            throw ApkSigningError.truncated(structure: structure, offset: index, needed: 1)
        }
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 4 else {
                throw ApkSigningError.malformed(structure: structure, offset: index - 1,
                                                reason: count == 0 ? "indefinite length is not DER" : "length of \(count) octets")
            }
            guard bytes.endIndex - index >= count else {
                throw ApkSigningError.truncated(structure: structure, offset: index, needed: count)
            }
            for _ in 0..<count { length = length << 8 | Int(bytes[index]); index += 1 }
        }
        guard bytes.endIndex - index >= length else {
            throw ApkSigningError.truncated(structure: structure, offset: index,
                                            needed: length - (bytes.endIndex - index))
        }
        return DERElement(tag: tag, content: bytes[index..<(index + length)], encoded: bytes[offset..<(index + length)],
                          offset: offset)
    }

    /// Parses exactly one element spanning all of `bytes` (trailing data is rejected).
    static func parse(_ bytes: [UInt8], structure: String) throws -> DERElement {
        let element = try read(bytes[...], at: 0, structure: structure)
        guard element.encoded.count == bytes.count else {
            throw ApkSigningError.malformed(structure: structure, offset: element.encoded.count,
                                            reason: "\(bytes.count - element.encoded.count) bytes of trailing data")
        }
        return element
    }

    /// The elements inside a constructed element.
    func children(structure: String, depth: Int = 0) throws -> [DERElement] {
        guard depth < Self.maximumDepth else {
            throw ApkSigningError.malformed(structure: structure, offset: offset, reason: "nesting deeper than \(Self.maximumDepth)")
        }
        guard isConstructed else {
            throw ApkSigningError.malformed(structure: structure, offset: offset, reason: "expected a constructed element, found tag \(tag)")
        }
        var result: [DERElement] = []
        var index = content.startIndex
        while index < content.endIndex {
            let child = try DERElement.read(content, at: index, structure: structure)
            result.append(child)
            index = child.encoded.endIndex
        }
        return result
    }

    func expect(_ expectedTag: UInt8, _ structure: String) throws -> DERElement {
        guard tag == expectedTag else {
            throw ApkSigningError.malformed(structure: structure, offset: offset,
                                            reason: "expected tag 0x\(String(expectedTag, radix: 16)), found 0x\(String(tag, radix: 16))")
        }
        return self
    }

    var objectIdentifier: String? { tag == DER.objectIdentifierTag ? DERElement.dottedObjectIdentifier(content) : nil }
}

/// The parts of an X.509 certificate signing needs, read from its DER without re-encoding.
public struct CertificateFields: Sendable, Equatable {
    public let der: [UInt8]
    /// The serial number INTEGER and issuer Name as encoded, for a PKCS#7 IssuerAndSerialNumber.
    let serialNumberEncoded: [UInt8]
    let issuerEncoded: [UInt8]
    let subjectEncoded: [UInt8]
    /// SubjectPublicKeyInfo DER, what v2/v3 store as the signer's public key.
    public let subjectPublicKeyInfo: [UInt8]
    public let publicKey: PublicKeyKind

    public init(der: [UInt8]) throws {
        let structure = "X.509 certificate"
        let certificate = try DERElement.parse(der, structure: structure).expect(DER.sequenceTag, structure)
        let parts = try certificate.children(structure: structure)
        guard let tbs = parts.first, tbs.tag == DER.sequenceTag else {
            throw ApkSigningError.malformed(structure: structure, offset: 0, reason: "no TBSCertificate")
        }
        var fields = try tbs.children(structure: structure)
        if fields.first?.tag == DER.contextConstructed(0) { fields.removeFirst() }
        guard fields.count >= 6 else {
            throw ApkSigningError.malformed(structure: structure, offset: tbs.offset, reason: "TBSCertificate has \(fields.count) fields")
        }
        self.der = der
        serialNumberEncoded = Array(try fields[0].expect(DER.integerTag, structure).encoded)
        issuerEncoded = Array(try fields[2].expect(DER.sequenceTag, structure).encoded)
        subjectEncoded = Array(try fields[4].expect(DER.sequenceTag, structure).encoded)
        let spki = try fields[5].expect(DER.sequenceTag, structure)
        subjectPublicKeyInfo = Array(spki.encoded)
        publicKey = try PublicKeyKind(subjectPublicKeyInfo: subjectPublicKeyInfo)
    }

    /// The SubjectPublicKeyInfo with an RSA modulus that some old certificates encode as a
    /// negative INTEGER re-encoded as the positive number Android reads it as.
    var canonicalSubjectPublicKeyInfo: [UInt8] { CertificateFields.canonicalRSAKey(subjectPublicKeyInfo) ?? subjectPublicKeyInfo }

    static func canonicalRSAKey(_ spki: [UInt8]) -> [UInt8]? {
        let structure = "SubjectPublicKeyInfo"
        guard let info = try? DERElement.parse(spki, structure: structure), let parts = try? info.children(structure: structure),
              parts.count == 2, parts[1].tag == DER.bitStringTag,
              (try? parts[0].children(structure: structure))?.first?.objectIdentifier == PublicKeyKind.rsaOID else { return nil }
        let keyBytes = Array(parts[1].content.dropFirst())
        guard let key = try? DERElement.parse(keyBytes, structure: structure).children(structure: structure), key.count == 2,
              key[0].tag == DER.integerTag, key[1].tag == DER.integerTag, let first = key[0].content.first, first & 0x80 != 0 else {
            return nil
        }
        let modulus = DER.tlv(DER.integerTag, [0] + Array(key[0].content))
        let rsaKey = DER.sequence([modulus, Array(key[1].encoded)])
        return DER.sequence([Array(parts[0].encoded), DER.tlv(DER.bitStringTag, [0] + rsaKey)])
    }

    /// Whether two X.501 Names are the same name: attribute by attribute, comparing the OIDs and
    /// the string values case-insensitively with spaces collapsed, whatever string type each uses
    /// (signers often write PrintableString where the certificate has UTF8String).
    static func sameName(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
        if lhs.elementsEqual(rhs) { return true }
        guard let left = normalizedName(Array(lhs)), let right = normalizedName(Array(rhs)) else { return false }
        return left == right
    }

    static func normalizedName(_ der: [UInt8]) -> [[String]]? {
        let structure = "Name"
        guard let name = try? DERElement.parse(der, structure: structure), let sets = try? name.children(structure: structure) else { return nil }
        var result: [[String]] = []
        for set in sets {
            guard let attributes = try? set.children(structure: structure) else { return nil }
            var values: [String] = []
            for attribute in attributes {
                guard let pair = try? attribute.children(structure: structure), pair.count == 2,
                      let oid = pair[0].objectIdentifier else { return nil }
                values.append(oid + "=" + normalizedString(pair[1]))
            }
            result.append(values.sorted())
        }
        return result
    }

    static func normalizedString(_ element: DERElement) -> String {
        let text: String
        switch element.tag {
        case 0x1E:
            var units: [UInt16] = []
            var index = element.content.startIndex
            while index + 1 < element.content.endIndex {
                units.append(UInt16(element.content[index]) << 8 | UInt16(element.content[index + 1]))
                index += 2
            }
            text = String(decoding: units, as: UTF16.self)
        case 0x14:
            text = String(element.content.map { Character(Unicode.Scalar($0)) })
        default:
            text = String(decoding: element.content, as: UTF8.self)
        }
        return text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Serial numbers compare as numbers: a redundant leading zero octet does not matter.
    static func sameSerial(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
        guard let left = try? DERElement.read(lhs, at: lhs.startIndex, structure: "serial"),
              let right = try? DERElement.read(rhs, at: rhs.startIndex, structure: "serial") else { return false }
        return left.content.drop { $0 == 0 }.elementsEqual(right.content.drop { $0 == 0 })
    }
}

/// The key family and size of a SubjectPublicKeyInfo, which decide the signature algorithms.
public enum PublicKeyKind: Sendable, Equatable, CustomStringConvertible {
    case rsa(bits: Int)
    case ec(curveBits: Int)
    case dsa
    case other(oid: String)

    static let rsaOID = "1.2.840.113549.1.1.1"
    static let ecOID = "1.2.840.10045.2.1"
    static let dsaOID = "1.2.840.10040.4.1"
    static let curveBits: [String: Int] = [
        "1.2.840.10045.3.1.7": 256, "1.3.132.0.34": 384, "1.3.132.0.35": 521,
    ]

    public init(subjectPublicKeyInfo der: [UInt8]) throws {
        let structure = "SubjectPublicKeyInfo"
        let info = try DERElement.parse(der, structure: structure).expect(DER.sequenceTag, structure)
        let parts = try info.children(structure: structure)
        guard parts.count == 2 else {
            throw ApkSigningError.malformed(structure: structure, offset: 0, reason: "expected algorithm and key")
        }
        let algorithm = try parts[0].expect(DER.sequenceTag, structure).children(structure: structure)
        guard let oid = algorithm.first?.objectIdentifier else {
            throw ApkSigningError.malformed(structure: structure, offset: parts[0].offset, reason: "no algorithm OID")
        }
        switch oid {
        case Self.rsaOID:
            let bitString = try parts[1].expect(DER.bitStringTag, structure)
            let keyBytes = Array(bitString.content.dropFirst())
            let key = try DERElement.parse(keyBytes, structure: "RSA public key").children(structure: "RSA public key")
            guard let modulus = key.first, modulus.tag == DER.integerTag else {
                throw ApkSigningError.malformed(structure: "RSA public key", offset: 0, reason: "no modulus")
            }
            let significant = modulus.content.drop { $0 == 0 }
            let leadingBits = significant.first.map { 8 - $0.leadingZeroBitCount } ?? 0
            self = .rsa(bits: max(0, (significant.count - 1) * 8 + leadingBits))
        case Self.ecOID:
            guard algorithm.count == 2, let curve = algorithm[1].objectIdentifier, let bits = Self.curveBits[curve] else {
                throw ApkSigningError.unsupportedKey(reason: "EC key on a curve other than P-256, P-384 or P-521")
            }
            self = .ec(curveBits: bits)
        case Self.dsaOID:
            self = .dsa
        default:
            self = .other(oid: oid)
        }
    }

    public var description: String {
        switch self {
        case let .rsa(bits): return "RSA-\(bits)"
        case let .ec(bits): return "EC-\(bits)"
        case .dsa: return "DSA"
        case let .other(oid): return "key \(oid)"
        }
    }
}

extension DERElement {
    /// The dotted form of an OBJECT IDENTIFIER's content octets.
    static func dottedObjectIdentifier(_ content: ArraySlice<UInt8>) -> String? {
        guard let first = content.first else { return nil }
        var arcs: [UInt64] = first < 80 ? [UInt64(first / 40), UInt64(first % 40)] : [2, UInt64(first) - 80]
        var value: UInt64 = 0
        var pending = false
        for byte in content.dropFirst() {
            guard value >> 57 == 0 else { return nil }
            value = value << 7 | UInt64(byte & 0x7F)
            pending = byte & 0x80 != 0
            if !pending { arcs.append(value); value = 0 }
        }
        guard !pending else { return nil }
        return arcs.map(String.init).joined(separator: ".")
    }
}

import COpenSSL
import CAppsealShim
import Foundation

/// An X.509 Name: its attributes in encoding order (most general first) and its DER.
public struct DistinguishedName: Sendable, Hashable, CustomStringConvertible {
    public struct Attribute: Sendable, Hashable {
        /// OpenSSL's short name (`CN`, `O`, `emailAddress`) or the dotted OID when it has none.
        public let type: String
        public let value: String
    }

    /// Attributes as encoded: the first is the most general (usually C or O), the last the most specific (CN).
    public let attributes: [Attribute]
    /// The DER `Name`.
    public let der: Data
    /// RFC 2253 form, most specific first, UTF-8 unescaped: `CN=appseal CA,O=Example`.
    public let rfc2253: String

    public var description: String { rfc2253 }

    /// All values of one attribute type, in encoding order.
    public func values(of type: String) -> [String] {
        attributes.filter { $0.type.caseInsensitiveCompare(type) == .orderedSame }.map(\.value)
    }

    public var commonName: String? { values(of: "CN").last }

    /// Parses an RFC 4514-style string, most specific first: `CN=appseal CA,O=Example,C=DE`.
    /// Escapes (`\,` `\+` `\\` `\"` `\XX`) are honoured; a multi-valued RDN (`+`) is rejected.
    public init(_ text: String) throws {
        let operation = "distinguished name"
        let parsed = try DistinguishedName.split(text, operation)
        let name = try NameHandle(operation)
        // The string lists the most specific RDN first; the encoding lists it last.
        for (type, value) in parsed.reversed() {
            OpenSSLErrorQueue.clear()
            guard OBJ_txt2nid(type) != NID_undef else {
                throw CryptoError.invalid(operation, "unknown attribute type '\(type)'")
            }
            let bytes = Array(value.utf8)
            guard let count = Int32(exactly: bytes.count) else { throw CryptoError.invalid(operation, "value too long") }
            guard X509_NAME_add_entry_by_txt(name.pointer, type, MBSTRING_UTF8, bytes, count, -1, 0) == 1 else {
                throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "attribute '\(type)' cannot hold '\(value)'")
            }
        }
        try self.init(reading: name.pointer)
    }

    /// Reads a Name OpenSSL holds (the pointer is not kept).
    init(reading name: OpaquePointer) throws {
        let operation = "distinguished name"
        der = try derEncoding(operation) { i2d_X509_NAME(name, $0) }
        var attributes: [Attribute] = []
        let count = X509_NAME_entry_count(name)
        for index in 0..<max(count, 0) {
            guard let entry = X509_NAME_get_entry(name, index),
                  let object = X509_NAME_ENTRY_get_object(entry),
                  let data = X509_NAME_ENTRY_get_data(entry) else { continue }
            attributes.append(Attribute(type: objectShortName(object), value: try asn1StringText(data)))
        }
        self.attributes = attributes
        let text = try writeToData(operation) { bio in
            X509_NAME_print_ex(bio, name, 0, appseal_name_flags_rfc2253_utf8()) >= 0 ? 1 : 0
        }
        rfc2253 = String(decoding: text, as: UTF8.self)
    }

    /// A fresh OpenSSL copy of this name, for building certificates and CRLs.
    func makeHandle() throws -> NameHandle {
        let handle = try decodeDER(der, "distinguished name", decode: { cursor, length in
            d2i_X509_NAME(nil, cursor, length)
        }, free: { X509_NAME_free($0) })
        return NameHandle(taking: handle)
    }

    public static func == (lhs: DistinguishedName, rhs: DistinguishedName) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }

    private static func split(_ text: String, _ operation: String) throws -> [(String, String)] {
        var pairs: [(String, String)] = []
        var current: [UInt8] = []
        var escaped = false
        var components: [[UInt8]] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if escaped {
                if let high = hexValue(byte), index + 1 < bytes.count, let low = hexValue(bytes[index + 1]) {
                    current.append(high << 4 | low)
                    index += 1
                } else {
                    current.append(byte)
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") {
                components.append(current)
                current = []
            } else if byte == UInt8(ascii: "+") {
                throw CryptoError.invalid(operation, "multi-valued RDNs ('+') are not supported; escape it as '\\+'")
            } else {
                current.append(byte)
            }
            index += 1
        }
        if escaped { throw CryptoError.invalid(operation, "'\(text)' ends with a lone backslash") }
        components.append(current)
        for component in components {
            let raw = String(decoding: component, as: UTF8.self)
            guard let equals = raw.firstIndex(of: "=") else {
                throw CryptoError.invalid(operation, "'\(raw.trimmingCharacters(in: .whitespaces))' is not TYPE=value")
            }
            let type = raw[..<equals].trimmingCharacters(in: .whitespaces)
            let value = raw[raw.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !type.isEmpty else { throw CryptoError.invalid(operation, "an attribute has no type in '\(text)'") }
            guard !value.isEmpty else { throw CryptoError.invalid(operation, "attribute '\(type)' has an empty value") }
            pairs.append((type, value))
        }
        return pairs
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Owns one X509_NAME.
final class NameHandle {
    let pointer: OpaquePointer
    init(_ operation: String) throws { pointer = try require(X509_NAME_new(), operation) }
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_NAME_free(pointer) }
}

/// The short name of an object (`CN`), else its dotted OID.
func objectShortName(_ object: OpaquePointer) -> String {
    let nid = OBJ_obj2nid(object)
    if nid != NID_undef, let name = OBJ_nid2sn(nid) { return String(cString: name) }
    return objectDottedOID(object)
}

func objectDottedOID(_ object: OpaquePointer) -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
    guard length > 0 else { return "?" }
    return String(decoding: buffer.prefix(min(Int(length), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// An ASN.1 string's text as UTF-8, whatever string type it was encoded as.
func asn1StringText(_ string: UnsafeMutablePointer<ASN1_STRING>) throws -> String {
    var output: UnsafeMutablePointer<UInt8>?
    let length = ASN1_STRING_to_UTF8(&output, string)
    guard length >= 0, let output else {
        throw CryptoError.drainingQueue(.invalidInput, operation: "ASN.1 string", message: "not convertible to UTF-8")
    }
    defer { appseal_OPENSSL_free(output) }
    return String(decoding: UnsafeBufferPointer(start: output, count: Int(length)), as: UTF8.self)
}

/// The raw bytes of an ASN.1 string (octet strings, IA5 strings).
func asn1StringBytes(_ string: UnsafePointer<ASN1_STRING>) -> Data {
    let length = Int(ASN1_STRING_length(string))
    guard length > 0, let data = ASN1_STRING_get0_data(string) else { return Data() }
    return Data(bytes: data, count: length)
}

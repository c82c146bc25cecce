import COpenSSL
import CAppsealShim
import Foundation

/// The basicConstraints extension.
public struct BasicConstraints: Sendable, Hashable {
    public let isCA: Bool
    public let pathLength: Int?
    public let isCritical: Bool
}

/// keyUsage bits (RFC 5280 §4.2.1.3).
public struct KeyUsage: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    // The values are OpenSSL's KU_* flags, so X509_get_key_usage maps directly.
    public static let digitalSignature = KeyUsage(rawValue: UInt32(KU_DIGITAL_SIGNATURE))
    public static let nonRepudiation = KeyUsage(rawValue: UInt32(KU_NON_REPUDIATION))
    public static let keyEncipherment = KeyUsage(rawValue: UInt32(KU_KEY_ENCIPHERMENT))
    public static let dataEncipherment = KeyUsage(rawValue: UInt32(KU_DATA_ENCIPHERMENT))
    public static let keyAgreement = KeyUsage(rawValue: UInt32(KU_KEY_AGREEMENT))
    public static let keyCertSign = KeyUsage(rawValue: UInt32(KU_KEY_CERT_SIGN))
    public static let cRLSign = KeyUsage(rawValue: UInt32(KU_CRL_SIGN))
    public static let encipherOnly = KeyUsage(rawValue: UInt32(KU_ENCIPHER_ONLY))
    public static let decipherOnly = KeyUsage(rawValue: UInt32(KU_DECIPHER_ONLY))

    static let named: [(KeyUsage, String)] = [
        (.digitalSignature, "digitalSignature"), (.nonRepudiation, "nonRepudiation"),
        (.keyEncipherment, "keyEncipherment"), (.dataEncipherment, "dataEncipherment"),
        (.keyAgreement, "keyAgreement"), (.keyCertSign, "keyCertSign"), (.cRLSign, "cRLSign"),
        (.encipherOnly, "encipherOnly"), (.decipherOnly, "decipherOnly"),
    ]

    /// RFC 5280 names of the bits set, in bit order (the spelling OpenSSL's config accepts).
    public var names: [String] { KeyUsage.named.filter { contains($0.0) }.map(\.1) }

    public var description: String { names.joined(separator: ",") }
}

/// One extendedKeyUsage purpose.
public struct ExtendedKeyUsage: Sendable, Hashable, CustomStringConvertible {
    /// Dotted OID, e.g. `1.3.6.1.5.5.7.3.2`.
    public let oid: String
    /// OpenSSL's short name (`clientAuth`), or the OID when it has none.
    public let name: String

    public static let serverAuth = ExtendedKeyUsage(oid: "1.3.6.1.5.5.7.3.1", name: "serverAuth")
    public static let clientAuth = ExtendedKeyUsage(oid: "1.3.6.1.5.5.7.3.2", name: "clientAuth")
    public static let codeSigning = ExtendedKeyUsage(oid: "1.3.6.1.5.5.7.3.3", name: "codeSigning")

    public var description: String { name }
}

/// One subjectAltName entry.
public enum GeneralName: Sendable, Hashable, CustomStringConvertible {
    case dns(String)
    case uri(String)
    case email(String)
    case ipAddress(Data)
    /// A kind appseal does not interpret (otherName, directoryName, ...), by its OpenSSL type number.
    case other(type: Int)

    public var description: String {
        switch self {
        case .dns(let name): "DNS:\(name)"
        case .uri(let uri): "URI:\(uri)"
        case .email(let address): "email:\(address)"
        case .ipAddress(let bytes): "IP:" + (bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : bytes.hexString)
        case .other(let type): "othername(\(type))"
        }
    }
}

/// The extensions appseal reads, plus the list of every extension present.
public struct CertificateExtensions: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public let oid: String
        public let name: String
        public let isCritical: Bool
    }

    /// Every extension in the certificate, in order.
    public let all: [Entry]
    public let basicConstraints: BasicConstraints?
    public let keyUsage: KeyUsage?
    public let extendedKeyUsage: [ExtendedKeyUsage]?
    public let subjectAlternativeNames: [GeneralName]
    public let subjectKeyIdentifier: Data?
    public let authorityKeyIdentifier: Data?

    public var uris: [String] { subjectAlternativeNames.compactMap { if case .uri(let value) = $0 { value } else { nil } } }
    public var dnsNames: [String] { subjectAlternativeNames.compactMap { if case .dns(let value) = $0 { value } else { nil } } }

    public func isCritical(_ name: String) -> Bool { all.contains { $0.name == name && $0.isCritical } }

    init(reading x509: OpaquePointer) throws {
        let operation = "certificate extensions"
        var entries: [Entry] = []
        for index in 0..<max(X509_get_ext_count(x509), 0) {
            guard let ext = X509_get_ext(x509, index), let object = X509_EXTENSION_get_object(ext) else { continue }
            entries.append(Entry(oid: objectDottedOID(object), name: objectShortName(object),
                                 isCritical: X509_EXTENSION_get_critical(ext) == 1))
        }
        all = entries
        func critical(_ nid: Int32) -> Bool {
            let index = X509_get_ext_by_NID(x509, nid, -1)
            guard index >= 0, let ext = X509_get_ext(x509, index) else { return false }
            return X509_EXTENSION_get_critical(ext) == 1
        }
        func present(_ nid: Int32) -> Bool { X509_get_ext_by_NID(x509, nid, -1) >= 0 }
        func malformed(_ name: String) -> CryptoError {
            CryptoError.drainingQueue(.invalidInput, operation: operation, message: "\(name) extension is malformed")
        }

        if present(NID_basic_constraints) {
            guard let raw = X509_get_ext_d2i(x509, NID_basic_constraints, nil, nil) else { throw malformed("basicConstraints") }
            let constraints = raw.assumingMemoryBound(to: BASIC_CONSTRAINTS.self)
            defer { BASIC_CONSTRAINTS_free(constraints) }
            var pathLength: Int?
            if let length = constraints.pointee.pathlen {
                let value = ASN1_INTEGER_get(length)
                guard value >= 0 else { throw malformed("basicConstraints") }
                pathLength = Int(value)
            }
            basicConstraints = BasicConstraints(isCA: constraints.pointee.ca != 0, pathLength: pathLength,
                                                isCritical: critical(NID_basic_constraints))
        } else {
            basicConstraints = nil
        }

        if present(NID_key_usage) {
            guard let raw = X509_get_ext_d2i(x509, NID_key_usage, nil, nil) else { throw malformed("keyUsage") }
            let bits = raw.assumingMemoryBound(to: ASN1_BIT_STRING.self)
            defer { ASN1_BIT_STRING_free(bits) }
            var usage = KeyUsage()
            // Bit n of the DER BIT STRING is RFC 5280 usage n; KU_* flags put bits 0-7 in the low byte, 8 in 0x8000.
            for (bit, flag) in [(0, KeyUsage.digitalSignature), (1, .nonRepudiation), (2, .keyEncipherment),
                                (3, .dataEncipherment), (4, .keyAgreement), (5, .keyCertSign), (6, .cRLSign),
                                (7, .encipherOnly), (8, .decipherOnly)] where ASN1_BIT_STRING_get_bit(bits, Int32(bit)) == 1 {
                usage.insert(flag)
            }
            keyUsage = usage
        } else {
            keyUsage = nil
        }

        if present(NID_ext_key_usage) {
            guard let raw = X509_get_ext_d2i(x509, NID_ext_key_usage, nil, nil) else { throw malformed("extendedKeyUsage") }
            let stack = OpaquePointer(raw)
            defer { EXTENDED_KEY_USAGE_free(stack) }
            var usages: [ExtendedKeyUsage] = []
            for index in 0..<max(appseal_sk_ASN1_OBJECT_num(stack), 0) {
                guard let object = appseal_sk_ASN1_OBJECT_value(stack, index) else { continue }
                usages.append(ExtendedKeyUsage(oid: objectDottedOID(object), name: objectShortName(object)))
            }
            extendedKeyUsage = usages
        } else {
            extendedKeyUsage = nil
        }

        if present(NID_subject_alt_name) {
            guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else { throw malformed("subjectAltName") }
            subjectAlternativeNames = readGeneralNames(OpaquePointer(raw))
        } else {
            subjectAlternativeNames = []
        }

        subjectKeyIdentifier = X509_get0_subject_key_id(x509).map { asn1StringBytes($0) }
        authorityKeyIdentifier = X509_get0_authority_key_id(x509).map { asn1StringBytes($0) }
        OpenSSLErrorQueue.clear()
    }
}

/// Reads and frees a GENERAL_NAMES stack.
func readGeneralNames(_ names: OpaquePointer) -> [GeneralName] {
    defer { appseal_sk_GENERAL_NAME_pop_free(names) }
    var result: [GeneralName] = []
    for index in 0..<max(appseal_sk_GENERAL_NAME_num(names), 0) {
        guard let name = appseal_sk_GENERAL_NAME_value(names, index) else { continue }
        let value = name.pointee.d
        switch name.pointee.type {
        case GEN_DNS: result.append(.dns(String(decoding: value.dNSName.map { asn1StringBytes($0) } ?? Data(), as: UTF8.self)))
        case GEN_URI: result.append(.uri(String(decoding: value.uniformResourceIdentifier.map { asn1StringBytes($0) } ?? Data(), as: UTF8.self)))
        case GEN_EMAIL: result.append(.email(String(decoding: value.rfc822Name.map { asn1StringBytes($0) } ?? Data(), as: UTF8.self)))
        case GEN_IPADD: result.append(.ipAddress(value.iPAddress.map { asn1StringBytes($0) } ?? Data()))
        default: result.append(.other(type: Int(name.pointee.type)))
        }
    }
    return result
}

import Foundation

/// The structure of a CMS (PKCS#7) SignedData: what it carries, which certificates, who signed.
///
/// This checks the envelope's shape (RFC 5652) and reads what inspect reports; it does not check
/// the signature's cryptography or the chain (openssl cms -verify does that in the tests).
public struct CMSEnvelope: Codable, Sendable {
    public let version: Int64
    public let digestAlgorithms: [String]
    public let encapsulatedContentType: String
    public let certificates: [CertificateSummary]
    public let signers: [Signer]
    /// The embedded content (a profile's plist); empty for a detached signature.
    public private(set) var content: [UInt8] = []

    enum CodingKeys: String, CodingKey {
        case version, digestAlgorithms, encapsulatedContentType, certificates, signers
    }

    public struct Signer: Codable, Sendable {
        public let issuer: String
        public let serialNumber: String
        /// The subject of the certificate named by issuer and serial, when the envelope carries it.
        public let subject: String?
        public let digestAlgorithm: String
        /// The signed `messageDigest` attribute in hex: the hash of the content (or CodeDirectory).
        public let messageDigest: String?
        public let signingTime: Date?
    }

    static let signedDataOID = "1.2.840.113549.1.7.2"

    public init(der bytes: [UInt8], structure: String) throws(ApplePackageError) {
        let root = try ASN1Node.parse(bytes, structure: structure)
        func fail(_ node: ASN1Node, _ expected: String) -> ApplePackageError {
            .malformed(structure: structure, offset: node.offset, expected: expected)
        }
        guard root.isSequence, root.children.count >= 2, root.children[0].objectIdentifier == Self.signedDataOID else {
            throw fail(root, "a ContentInfo SEQUENCE of type signedData (1.2.840.113549.1.7.2)")
        }
        let wrapper = root.children[1]
        guard wrapper.isContext(0), wrapper.isConstructed, let signedData = wrapper.children.first, signedData.isSequence,
              signedData.children.count >= 4 else {
            throw fail(wrapper, "[0] EXPLICIT SignedData SEQUENCE with version, digest algorithms, content and signers")
        }
        let fields = signedData.children
        guard let version = fields[0].integer else { throw fail(fields[0], "the SignedData version INTEGER") }
        self.version = version
        guard fields[1].isSet else { throw fail(fields[1], "the digestAlgorithms SET") }
        digestAlgorithms = fields[1].children.map { Self.algorithmName($0.children.first?.objectIdentifier) }
        let encapsulated = fields[2]
        guard encapsulated.isSequence, let contentType = encapsulated.children.first?.objectIdentifier else {
            throw fail(encapsulated, "the EncapsulatedContentInfo SEQUENCE")
        }
        encapsulatedContentType = contentType
        if encapsulated.children.count > 1 {
            let explicit = encapsulated.children[1]
            guard explicit.isContext(0), let octets = explicit.children.first, octets.isUniversal(4) else {
                throw fail(explicit, "eContent [0] EXPLICIT OCTET STRING")
            }
            content = octets.stringBytes
        }
        var certificates: [CertificateSummary] = []
        var rest = fields.dropFirst(3)
        if let certificateSet = rest.first, certificateSet.isContext(0) {
            for node in certificateSet.children where node.isSequence {
                certificates.append(try CertificateSummary(node, structure: structure))
            }
            rest = rest.dropFirst()
        }
        if let crls = rest.first, crls.isContext(1) { rest = rest.dropFirst() }
        guard let signerSet = rest.first, signerSet.isSet, rest.count == 1 else {
            throw fail(rest.first ?? signedData, "the signerInfos SET ending the SignedData")
        }
        self.certificates = certificates
        var signers: [Signer] = []
        for info in signerSet.children {
            signers.append(try Self.signer(info, certificates: certificates, fail: fail))
        }
        self.signers = signers
    }

    private static func signer(_ info: ASN1Node, certificates: [CertificateSummary],
                               fail: (ASN1Node, String) -> ApplePackageError) throws(ApplePackageError) -> Signer {
        guard info.isSequence, info.children.count >= 5 else { throw fail(info, "a SignerInfo SEQUENCE") }
        let identifier = info.children[1]
        var issuer = "", serial = "", subject: String?
        if identifier.isSequence, identifier.children.count == 2, identifier.children[0].isSequence {
            issuer = DistinguishedName.format(identifier.children[0])
            serial = Array(identifier.children[1].content).hexString
            subject = certificates.first { $0.issuer == issuer && $0.serialNumber == serial }?.subject
        } else if identifier.isContext(0) {
            let keyID = Array(identifier.content).hexString
            serial = "subjectKeyIdentifier:" + keyID
        } else {
            throw fail(identifier, "a signer identifier (IssuerAndSerialNumber or [0] SubjectKeyIdentifier)")
        }
        let algorithm = algorithmName(info.children[2].children.first?.objectIdentifier)
        var digest: String?
        var signingTime: Date?
        let attributes = info.children[3]
        if attributes.isContext(0) {
            for attribute in attributes.children where attribute.isSequence && attribute.children.count == 2 {
                let value = attribute.children[1].children.first
                switch attribute.children[0].objectIdentifier {
                case "1.2.840.113549.1.9.4": digest = value.map { Array($0.content).hexString }
                case "1.2.840.113549.1.9.5": signingTime = value.flatMap(CertificateSummary.time)
                default: break
                }
            }
        }
        return Signer(issuer: issuer, serialNumber: serial, subject: subject, digestAlgorithm: algorithm,
                      messageDigest: digest, signingTime: signingTime)
    }

    static func algorithmName(_ oid: String?) -> String {
        switch oid {
        case "1.3.14.3.2.26": return "sha1"
        case "2.16.840.1.101.3.4.2.1": return "sha256"
        case "2.16.840.1.101.3.4.2.2": return "sha384"
        case "2.16.840.1.101.3.4.2.3": return "sha512"
        case nil: return "unknown"
        case let other?: return other
        }
    }
}

/// An X.509 certificate as a CMS envelope carries it: the names, validity and the SHA-256 of its DER.
public struct CertificateSummary: Codable, Sendable, Equatable {
    public let subject: String
    public let issuer: String
    public let serialNumber: String
    public let notBefore: Date?
    public let notAfter: Date?
    public let sha256: String
    public private(set) var der: [UInt8] = []

    enum CodingKeys: String, CodingKey { case subject, issuer, serialNumber, notBefore, notAfter, sha256 }

    init(_ node: ASN1Node, structure: String) throws(ApplePackageError) {
        guard let tbs = node.children.first, tbs.isSequence else {
            throw .malformed(structure: structure, offset: node.offset, expected: "a CertificateSummary SEQUENCE starting with TBSCertificate")
        }
        let fields = tbs.children.first?.isContext(0) == true ? Array(tbs.children.dropFirst()) : tbs.children
        guard fields.count >= 6, fields[2].isSequence, fields[3].isSequence, fields[4].isSequence else {
            throw .malformed(structure: structure, offset: tbs.offset, expected: "serial, signature, issuer, validity and subject in TBSCertificate")
        }
        serialNumber = Array(fields[0].content).hexString
        issuer = DistinguishedName.format(fields[2])
        notBefore = fields[3].children.first.flatMap(CertificateSummary.time)
        notAfter = fields[3].children.dropFirst().first.flatMap(CertificateSummary.time)
        subject = DistinguishedName.format(fields[4])
        der = Array(node.encoded)
        sha256 = HashAlgorithm.sha256.digest(node.encoded).hexString
    }

    /// Reads a DER certificate on its own (a profile's DeveloperCertificates entry).
    public init(der bytes: [UInt8]) throws(ApplePackageError) {
        try self.init(try ASN1Node.parse(bytes, structure: "certificate"), structure: "certificate")
    }

    /// UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), the forms RFC 5280 allows.
    /// Computed directly: a DateFormatter per certificate costs more than the whole parse.
    static func time(_ node: ASN1Node) -> Date? {
        let digits = Array(node.content)
        let yearDigits: Int
        if node.isUniversal(23) { yearDigits = 2 } else if node.isUniversal(24) { yearDigits = 4 } else { return nil }
        guard digits.count == yearDigits + 11, digits.last == UInt8(ascii: "Z"),
              digits.dropLast().allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        func number(_ start: Int, _ count: Int) -> Int {
            digits[start..<(start + count)].reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        var year = number(0, yearDigits)
        if yearDigits == 2 { year += year >= 50 ? 1900 : 2000 }
        let month = number(yearDigits, 2), day = number(yearDigits + 2, 2)
        let hour = number(yearDigits + 4, 2), minute = number(yearDigits + 6, 2), second = number(yearDigits + 8, 2)
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}

/// X.509 names printed the way `openssl x509 -subject` prints them: `CN = x, O = y`, in the encoded order.
enum DistinguishedName {
    static let shortNames: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
        "2.5.4.5": "serialNumber", "2.5.4.9": "street", "2.5.4.12": "title", "2.5.4.42": "GN", "2.5.4.4": "SN",
        "1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.1": "UID",
        "0.9.2342.19200300.100.1.25": "DC", "2.5.4.97": "organizationIdentifier",
    ]

    static func format(_ name: ASN1Node) -> String {
        var parts: [String] = []
        for set in name.children where set.isSet {
            for pair in set.children where pair.isSequence && pair.children.count == 2 {
                let oid = pair.children[0].objectIdentifier ?? "?"
                let value = pair.children[1].text ?? Array(pair.children[1].content).hexString
                parts.append("\(shortNames[oid] ?? oid) = \(quoted(value))")
            }
        }
        return parts.joined(separator: ", ")
    }

    /// Like openssl's `use_quote`: a value holding a separator is printed in double quotes.
    static func quoted(_ value: String) -> String {
        let special: Set<Character> = [",", "+", ";", "<", ">", "\"", "\\"]
        guard value.contains(where: special.contains) || value.hasPrefix(" ") || value.hasSuffix(" ") || value.hasPrefix("#") else {
            return value
        }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + escaped + "\""
    }
}

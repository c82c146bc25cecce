import COpenSSL
import CAppsealShim
import Foundation

/// CRL reason codes (RFC 5280 §5.3.1); raw values are the RFC's names, as `openssl ca -crl_reason` spells them.
public enum RevocationReason: String, Sendable, CaseIterable, Codable {
    case unspecified
    case keyCompromise
    case caCompromise = "cACompromise"
    case affiliationChanged
    case superseded
    case cessationOfOperation
    case certificateHold
    case removeFromCRL
    case privilegeWithdrawn
    case aaCompromise = "aACompromise"

    /// The CRLReason ENUMERATED value.
    public var code: Int {
        switch self {
        case .unspecified: 0
        case .keyCompromise: 1
        case .caCompromise: 2
        case .affiliationChanged: 3
        case .superseded: 4
        case .cessationOfOperation: 5
        case .certificateHold: 6
        case .removeFromCRL: 8
        case .privilegeWithdrawn: 9
        case .aaCompromise: 10
        }
    }

    public init?(code: Int) {
        guard let match = RevocationReason.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }

    /// Accepts the RFC name in any case (`keycompromise`, `cACompromise`).
    public init?(name: String) {
        guard let match = RevocationReason.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = match
    }
}

/// One entry of a CRL.
public struct RevokedCertificate: Sendable, Hashable, Codable {
    public let serialNumber: SerialNumber
    public let revocationDate: Date
    /// nil when the entry has no reasonCode extension (RFC 5280 says to omit "unspecified").
    public let reason: RevocationReason?

    public init(serialNumber: SerialNumber, revocationDate: Date, reason: RevocationReason?) {
        self.serialNumber = serialNumber
        self.revocationDate = Date(timeIntervalSince1970: revocationDate.timeIntervalSince1970.rounded(.down))
        self.reason = reason == .unspecified ? nil : reason
    }
}

/// Owns one X509_CRL; never modified after parsing.
final class CRLHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_CRL_free(pointer) }
}

/// A parsed X.509 v2 CRL; `der` holds the bytes it was read from.
public struct CertificateRevocationList: Sendable, Hashable {
    let handle: CRLHandle
    public let der: Data
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    /// The cRLNumber extension (appseal's CRLs always carry one).
    public let crlNumber: UInt64?
    public let authorityKeyIdentifier: Data?
    public let revoked: [RevokedCertificate]
    public let signatureAlgorithm: String

    var pointer: OpaquePointer { handle.pointer }

    public init(der: Data) throws {
        let crl = try decodeDER(der, "CRL parse", decode: { cursor, length in
            d2i_X509_CRL(nil, cursor, length)
        }, free: { X509_CRL_free($0) })
        try self.init(taking: crl, der: Data(der))
    }

    /// Parses the first `X509 CRL` block of PEM text.
    public init(pem: Data) throws {
        guard let block = try PEMBlock.all(in: pem, operation: "CRL parse").first(where: { $0.label == "X509 CRL" }) else {
            throw CryptoError.invalid("CRL parse", "no X509 CRL block in PEM input")
        }
        try self.init(der: block.der)
    }

    public init(pemOrDER bytes: Data) throws {
        if String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN") {
            try self.init(pem: bytes)
        } else {
            try self.init(der: bytes)
        }
    }

    init(taking crl: OpaquePointer, der knownDER: Data? = nil) throws {
        let operation = "CRL parse"
        handle = CRLHandle(taking: crl)
        der = try knownDER ?? derEncoding(operation) { i2d_X509_CRL(crl, $0) }
        issuer = try DistinguishedName(reading: try require(X509_CRL_get_issuer(crl), operation, .invalidInput))
        thisUpdate = try asn1TimeDate(try require(X509_CRL_get0_lastUpdate(crl), operation, .invalidInput), operation)
        nextUpdate = try X509_CRL_get0_nextUpdate(crl).map { try asn1TimeDate($0, operation) }
        signatureAlgorithm = signatureAlgorithmName(X509_CRL_get_signature_nid(crl))

        var critical: Int32 = 0
        if let raw = X509_CRL_get_ext_d2i(crl, NID_crl_number, &critical, nil) {
            let number = raw.assumingMemoryBound(to: ASN1_INTEGER.self)
            defer { ASN1_INTEGER_free(number) }
            var value: UInt64 = 0
            guard ASN1_INTEGER_get_uint64(&value, number) == 1 else {
                throw CryptoError.drainingQueue(.unsupported, operation: operation, message: "cRLNumber does not fit 64 bits")
            }
            crlNumber = value
        } else {
            guard critical == -1 else { throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "cRLNumber is malformed") }
            crlNumber = nil
        }
        if let raw = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, nil, nil) {
            let identifier = raw.assumingMemoryBound(to: AUTHORITY_KEYID.self)
            defer { AUTHORITY_KEYID_free(identifier) }
            authorityKeyIdentifier = identifier.pointee.keyid.map { asn1StringBytes($0) }
        } else {
            authorityKeyIdentifier = nil
        }

        var entries: [RevokedCertificate] = []
        if let stack = X509_CRL_get_REVOKED(crl) {
            for index in 0..<max(appseal_sk_X509_REVOKED_num(stack), 0) {
                guard let entry = appseal_sk_X509_REVOKED_value(stack, index) else { continue }
                let serial = SerialNumber(reading: try require(X509_REVOKED_get0_serialNumber(entry), operation, .invalidInput))
                let date = try asn1TimeDate(try require(X509_REVOKED_get0_revocationDate(entry), operation, .invalidInput), operation)
                var reason: RevocationReason?
                var reasonCritical: Int32 = 0
                if let raw = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &reasonCritical, nil) {
                    let enumerated = raw.assumingMemoryBound(to: ASN1_ENUMERATED.self)
                    defer { ASN1_ENUMERATED_free(enumerated) }
                    let code = Int(ASN1_ENUMERATED_get(enumerated))
                    guard let known = RevocationReason(code: code) else {
                        throw CryptoError.invalid(operation, "entry \(serial) has unknown reason code \(code)")
                    }
                    reason = known
                } else if reasonCritical != -1 {
                    throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "entry \(serial) has a malformed reasonCode")
                }
                entries.append(RevokedCertificate(serialNumber: serial, revocationDate: date, reason: reason))
            }
        }
        revoked = entries
        OpenSSLErrorQueue.clear()
    }

    /// `-----BEGIN X509 CRL-----` PEM, as nginx `ssl_crl` and HAProxy `crl-file` read it.
    public var pem: String { PEMBlock(label: "X509 CRL", der: der).text }

    /// The entry for `serial`, if it is revoked.
    public func entry(for serial: SerialNumber) -> RevokedCertificate? {
        revoked.first { $0.serialNumber == serial }
    }

    /// Throws `.verificationFailed` unless `issuer` signed this CRL.
    public func verify(issuedBy issuer: Certificate) throws {
        let operation = "CRL signature check"
        OpenSSLErrorQueue.clear()
        guard self.issuer == issuer.subject else {
            throw CryptoError(.verificationFailed, operation: operation, reasons: ["CRL issuer '\(self.issuer)' is not '\(issuer.subject)'"])
        }
        guard X509_CRL_verify(pointer, issuer.publicKey.pointer) == 1 else {
            throw CryptoError.drainingQueue(.verificationFailed, operation: operation, message: "the CRL signature does not verify with the key of '\(issuer.subject)'")
        }
    }

    public static func == (lhs: CertificateRevocationList, rhs: CertificateRevocationList) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}

/// Creates CRLs, or the next CRL after an existing one.
public struct CRLBuilder: Sendable {
    public private(set) var revoked: [RevokedCertificate]
    public var crlNumber: UInt64
    public var thisUpdate: Date
    public var nextUpdate: Date
    /// nil picks the CA key's default digest.
    public var digest: DigestAlgorithm?

    /// An empty CRL valid from `thisUpdate` for `validityDays` days.
    public init(crlNumber: UInt64 = 1, thisUpdate: Date = Date(), validityDays: Int = 30) throws {
        guard validityDays >= 1, validityDays <= 3650 else {
            throw CryptoError.invalid("CRL build", "validity of \(validityDays) days is outside 1...3650")
        }
        revoked = []
        self.crlNumber = crlNumber
        let start = Date(timeIntervalSince1970: thisUpdate.timeIntervalSince1970.rounded(.down))
        self.thisUpdate = start
        nextUpdate = start.addingTimeInterval(TimeInterval(validityDays) * 86_400)
    }

    /// The successor of `crl`: the same entries and the next CRL number.
    public init(updating crl: CertificateRevocationList, thisUpdate: Date = Date(), validityDays: Int = 30) throws {
        try self.init(crlNumber: (crl.crlNumber ?? 0) &+ 1, thisUpdate: thisUpdate, validityDays: validityDays)
        revoked = crl.revoked
    }

    /// Adds `serial`, or replaces its entry when it is already listed.
    public mutating func revoke(_ serial: SerialNumber, reason: RevocationReason = .unspecified, at date: Date = Date()) {
        revoked.removeAll { $0.serialNumber == serial }
        revoked.append(RevokedCertificate(serialNumber: serial, revocationDate: date, reason: reason))
    }

    /// Removes `serial` (a certificateHold released).
    public mutating func reinstate(_ serial: SerialNumber) {
        revoked.removeAll { $0.serialNumber == serial }
    }

    /// Signs with the CA; the CA certificate must allow CRL signing.
    public func signed(by issuer: Certificate, key: PrivateKey) throws -> CertificateRevocationList {
        let operation = "CRL build"
        guard issuer.publicKey == key.publicKey else {
            throw CryptoError.invalid(operation, "the CA key does not belong to the CA certificate '\(issuer.subject)'")
        }
        if let usage = issuer.extensions.keyUsage, !usage.contains(.cRLSign) {
            throw CryptoError.invalid(operation, "'\(issuer.subject)' may not sign CRLs (keyUsage lacks cRLSign)")
        }
        guard thisUpdate < nextUpdate else { throw CryptoError.invalid(operation, "thisUpdate is not before nextUpdate") }
        OpenSSLErrorQueue.clear()
        let owner = CRLHandle(taking: try require(X509_CRL_new(), operation))
        let crl = owner.pointer
        try check(X509_CRL_set_version(crl, 1), operation)
        let issuerName = try issuer.subject.makeHandle()
        try check(X509_CRL_set_issuer_name(crl, issuerName.pointer), operation)
        try withASN1Time(thisUpdate, operation) { try check(X509_CRL_set1_lastUpdate(crl, $0), operation) }
        try withASN1Time(nextUpdate, operation) { try check(X509_CRL_set1_nextUpdate(crl, $0), operation) }

        for entry in revoked {
            let revokedEntry = try require(X509_REVOKED_new(), operation)
            var owned = true
            defer { if owned { X509_REVOKED_free(revokedEntry) } }
            let serial = try entry.serialNumber.makeASN1Integer(operation)
            defer { ASN1_INTEGER_free(serial) }
            try check(X509_REVOKED_set_serialNumber(revokedEntry, serial), operation)
            try withASN1Time(entry.revocationDate, operation) { try check(X509_REVOKED_set_revocationDate(revokedEntry, $0), operation) }
            if let reason = entry.reason {
                let enumerated = try require(ASN1_ENUMERATED_new(), operation)
                defer { ASN1_ENUMERATED_free(enumerated) }
                try check(ASN1_ENUMERATED_set(enumerated, reason.code), operation)
                try check(X509_REVOKED_add1_ext_i2d(revokedEntry, NID_crl_reason, enumerated, 0, 0), operation)
            }
            try check(X509_CRL_add0_revoked(crl, revokedEntry), operation)
            owned = false
        }

        let number = try require(ASN1_INTEGER_new(), operation)
        defer { ASN1_INTEGER_free(number) }
        try check(ASN1_INTEGER_set_uint64(number, crlNumber), operation)
        try check(X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0), operation)

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer.pointer, nil, nil, crl, 0)
        guard let authorityKey = X509V3_EXT_conf_nid(nil, &context, NID_authority_key_identifier, "keyid:always") else {
            throw CryptoError.drainingQueue(.library, operation: operation, message: "cannot create authorityKeyIdentifier")
        }
        defer { X509_EXTENSION_free(authorityKey) }
        try check(X509_CRL_add_ext(crl, authorityKey, -1), operation)

        try check(X509_CRL_sort(crl), operation)
        let signingDigest = digest ?? key.algorithm.keyType?.defaultDigest ?? .sha256
        let usesDigest = !(key.algorithm == .ed25519 || key.algorithm == .ed448)
        guard X509_CRL_sign(crl, key.pointer, usesDigest ? signingDigest.evpMD : nil) > 0 else {
            throw CryptoError.drainingQueue(.library, operation: "CRL sign")
        }
        X509_CRL_up_ref(crl)
        return try CertificateRevocationList(taking: crl)
    }
}

/// Runs `body` with a temporary ASN1_TIME for `date`.
func withASN1Time(_ date: Date, _ operation: String, _ body: (UnsafeMutablePointer<ASN1_TIME>) throws -> Void) throws {
    let time = try require(ASN1_TIME_set(nil, time_t(date.timeIntervalSince1970.rounded(.down))), operation)
    defer { ASN1_TIME_free(time) }
    try body(time)
}

import COpenSSL
import CAppsealShim
import Foundation

/// Owns one X509. Certificates are never modified after parsing, so sharing across threads is safe.
final class X509Handle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }
}

/// An X.509 certificate, parsed once; `der` holds the exact bytes it was read from.
public struct Certificate: Sendable, Hashable, CustomStringConvertible {
    let handle: X509Handle
    public let der: Data
    /// 1, 2 or 3.
    public let version: Int
    public let subject: DistinguishedName
    public let issuer: DistinguishedName
    public let serialNumber: SerialNumber
    public let notBefore: Date
    public let notAfter: Date
    public let publicKey: PublicKey
    /// The signature algorithm's short name, e.g. `ecdsa-with-SHA256`, `sha256WithRSAEncryption`.
    public let signatureAlgorithm: String
    public let extensions: CertificateExtensions

    var pointer: OpaquePointer { handle.pointer }

    /// Parses DER; trailing bytes are rejected.
    public init(der: Data) throws {
        let x509 = try decodeDER(der, "certificate parse", decode: { cursor, length in
            d2i_X509(nil, cursor, length)
        }, free: { X509_free($0) })
        try self.init(taking: x509, der: Data(der))
    }

    /// Parses the first `CERTIFICATE` block of PEM text.
    public init(pem: Data) throws {
        guard let first = try Certificate.all(inPEM: pem).first else {
            throw CryptoError.invalid("certificate parse", "no CERTIFICATE block in PEM input")
        }
        self = first
    }

    public init(pem: String) throws { try self.init(pem: Data(pem.utf8)) }

    /// Parses PEM or DER, whichever `bytes` are.
    public init(pemOrDER bytes: Data) throws {
        if String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN") {
            try self.init(pem: bytes)
        } else {
            try self.init(der: bytes)
        }
    }

    /// Every `CERTIFICATE` block in PEM text (a CA bundle), in order. Other blocks are skipped.
    public static func all(inPEM pem: Data) throws -> [Certificate] {
        let operation = "certificate parse"
        var certificates: [Certificate] = []
        for block in try PEMBlock.all(in: pem, operation: operation) where block.label == "CERTIFICATE" || block.label == "TRUSTED CERTIFICATE" {
            if block.label == "TRUSTED CERTIFICATE" {
                throw CryptoError(.unsupported, operation: operation, reasons: ["OpenSSL TRUSTED CERTIFICATE blocks are not read; export a plain CERTIFICATE"])
            }
            certificates.append(try Certificate(der: block.der))
        }
        return certificates
    }

    /// Takes ownership of a parsed X509 (shared owners must up-ref first).
    init(taking x509: OpaquePointer, der knownDER: Data? = nil) throws {
        let owner = X509Handle(taking: x509)
        let operation = "certificate parse"
        handle = owner
        der = try knownDER ?? derEncoding(operation) { i2d_X509(x509, $0) }
        version = Int(X509_get_version(x509)) + 1
        subject = try DistinguishedName(reading: try require(X509_get_subject_name(x509), operation, .invalidInput))
        issuer = try DistinguishedName(reading: try require(X509_get_issuer_name(x509), operation, .invalidInput))
        serialNumber = SerialNumber(reading: try require(X509_get0_serialNumber(x509), operation, .invalidInput))
        notBefore = try asn1TimeDate(try require(X509_get0_notBefore(x509), operation, .invalidInput), operation)
        notAfter = try asn1TimeDate(try require(X509_get0_notAfter(x509), operation, .invalidInput), operation)
        publicKey = try PublicKey(certificate: x509, operation: operation)
        signatureAlgorithm = signatureAlgorithmName(X509_get_signature_nid(x509))
        extensions = try CertificateExtensions(reading: x509)
    }

    /// `-----BEGIN CERTIFICATE-----` PEM.
    public var pem: String { PEMBlock(label: "CERTIFICATE", der: der).text }

    public var sha256Fingerprint: Digest { Digest.sha256(der) }
    public var sha1Fingerprint: Digest { Digest.sha1(der) }

    /// The public-key pin, `sha256/<base64 of SHA-256(SPKI)>`.
    public var spkiPin: String { publicKey.pin }

    public var keyAlgorithm: KeyAlgorithm { publicKey.algorithm }

    public var isSelfIssued: Bool { subject == issuer }

    /// Self-issued and signed by its own key (whatever its keyUsage says; `verify(issuedBy:)` is stricter).
    public var isSelfSigned: Bool {
        guard isSelfIssued else { return false }
        defer { OpenSSLErrorQueue.clear() }
        return X509_verify(pointer, publicKey.pointer) == 1
    }

    public func isValid(at date: Date = Date()) -> Bool { notBefore <= date && date <= notAfter }

    /// Whether `issuer` issued this certificate: names (and key identifiers) chain and its key verifies the signature.
    public func isIssued(by issuer: Certificate) -> Bool { (try? verify(issuedBy: issuer)) != nil }

    /// Throws `.verificationFailed` saying why unless `issuer`'s key signed this certificate, the names (and key
    /// identifiers) chain and the issuer may sign certificates (keyUsage, when present, includes keyCertSign).
    public func verify(issuedBy issuer: Certificate) throws {
        let operation = "certificate signature check"
        OpenSSLErrorQueue.clear()
        let relation = X509_check_issued(issuer.pointer, pointer)
        guard relation == X509_V_OK else {
            let reason = String(cString: X509_verify_cert_error_string(Int(relation)))
            throw CryptoError(.verificationFailed, operation: operation,
                              reasons: ["'\(issuer.subject)' is not the issuer of '\(subject)': \(reason)"])
        }
        guard X509_verify(pointer, issuer.publicKey.pointer) == 1 else {
            throw CryptoError.drainingQueue(.verificationFailed, operation: operation,
                                            message: "the signature of '\(subject)' does not verify with the key of '\(issuer.subject)'")
        }
    }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }

    public var description: String { "Certificate(subject: \(subject), serial: \(serialNumber), sha256: \(sha256Fingerprint.hex))" }
}

/// The short name of a signature algorithm NID (`ecdsa-with-SHA256`).
func signatureAlgorithmName(_ nid: Int32) -> String {
    if nid != NID_undef, let name = OBJ_nid2sn(nid) { return String(cString: name) }
    return "unknown"
}

/// Converts an ASN1_TIME (UTCTime or GeneralizedTime) to a Date.
func asn1TimeDate(_ time: UnsafePointer<ASN1_TIME>, _ operation: String) throws -> Date {
    var parts = tm()
    guard ASN1_TIME_to_tm(time, &parts) == 1 else {
        throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "malformed time")
    }
    return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
}

/// One PEM block: `-----BEGIN <label>-----`, base64 DER, `-----END <label>-----`.
struct PEMBlock {
    let label: String
    let der: Data

    var text: String {
        let base64 = der.base64EncodedString()
        var lines: [Substring] = []
        var index = base64.startIndex
        while index < base64.endIndex {
            let next = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(base64[index..<next])
            index = next
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    /// Every block in `text`, in order; text between blocks (comments, `openssl x509 -text` output) is ignored.
    static func all(in data: Data, operation: String) throws -> [PEMBlock] {
        let text = String(decoding: data, as: UTF8.self)
        var blocks: [PEMBlock] = []
        var remaining = text[...]
        while let begin = remaining.range(of: "-----BEGIN ") {
            guard let labelEnd = remaining[begin.upperBound...].range(of: "-----") else {
                throw CryptoError.invalid(operation, "unterminated PEM BEGIN line")
            }
            let label = String(remaining[begin.upperBound..<labelEnd.lowerBound])
            let endMarker = "-----END \(label)-----"
            guard let end = remaining[labelEnd.upperBound...].range(of: endMarker) else {
                throw CryptoError.invalid(operation, "PEM block '\(label)' has no END line")
            }
            let body = remaining[labelEnd.upperBound..<end.lowerBound]
            if body.contains(":") {
                throw CryptoError(.unsupported, operation: operation, reasons: ["PEM block '\(label)' has headers (encrypted legacy PEM)"])
            }
            let base64 = body.filter { !$0.isWhitespace }
            guard let der = Data(base64Encoded: String(base64)) else {
                throw CryptoError.invalid(operation, "PEM block '\(label)' is not valid base64")
            }
            blocks.append(PEMBlock(label: label, der: der))
            remaining = remaining[end.upperBound...]
        }
        return blocks
    }
}

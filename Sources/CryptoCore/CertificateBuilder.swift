import COpenSSL
import CAppsealShim
import Foundation

/// Creates and signs X.509 v3 certificates.
public struct CertificateBuilder: Sendable {
    /// What the certificate is for; each profile sets basicConstraints, keyUsage and extendedKeyUsage.
    public enum Profile: Sendable, Hashable {
        /// A CA: `CA:TRUE` (critical, with an optional path length), keyCertSign + cRLSign (critical).
        case certificateAuthority(pathLength: Int?)
        /// A TLS client: `CA:FALSE`, digitalSignature (critical), EKU clientAuth.
        case clientAuthentication
        /// A TLS server: `CA:FALSE`, digitalSignature + keyEncipherment for RSA (critical), EKU serverAuth.
        case serverAuthentication
        /// A code signer (APK, IPA): `CA:FALSE`, digitalSignature (critical), EKU codeSigning.
        case codeSigning
    }

    public var subject: DistinguishedName
    public var publicKey: PublicKey
    public var profile: Profile
    public var serialNumber: SerialNumber
    public var notBefore: Date
    public var notAfter: Date
    /// subjectAltName entries (DNS and URI are written; the app identity is a URI such as
    /// `urn:appseal:app:android:<app-id>`).
    public var subjectAlternativeNames: [GeneralName]
    /// The signature digest; nil picks the signing key's default (SHA-384 for P-384, else SHA-256).
    public var digest: DigestAlgorithm?

    /// A builder with a fresh 128-bit random serial, valid from `notBefore` for `validityDays` days.
    public init(subject: DistinguishedName, publicKey: PublicKey, profile: Profile,
                validityDays: Int, notBefore: Date = Date(),
                subjectAlternativeNames: [GeneralName] = []) throws {
        guard validityDays >= 1, validityDays <= 36_500 else {
            throw CryptoError.invalid("certificate build", "validity of \(validityDays) days is outside 1...36500")
        }
        self.subject = subject
        self.publicKey = publicKey
        self.profile = profile
        self.serialNumber = try SerialNumber.random()
        // Whole seconds: X.509 times carry no fractions, and equal dates must compare equal after a round trip.
        let start = Date(timeIntervalSince1970: notBefore.timeIntervalSince1970.rounded(.down))
        self.notBefore = start
        self.notAfter = start.addingTimeInterval(TimeInterval(validityDays) * 86_400)
        self.subjectAlternativeNames = subjectAlternativeNames
    }

    /// Signs with the certificate's own key (issuer = subject; the AKI is its own SKI).
    public func selfSigned(with key: PrivateKey) throws -> Certificate {
        guard key.publicKey == publicKey else {
            throw CryptoError.invalid("certificate build", "the signing key is not the key being certified")
        }
        return try build(issuerName: subject, issuerCertificate: nil, key: key)
    }

    /// Signs with `issuer`'s key; the issuer must be a CA whose certificate matches `key`.
    public func signed(by issuer: Certificate, key: PrivateKey) throws -> Certificate {
        let operation = "certificate build"
        guard issuer.publicKey == key.publicKey else {
            throw CryptoError.invalid(operation, "the CA key does not belong to the CA certificate '\(issuer.subject)'")
        }
        guard issuer.extensions.basicConstraints?.isCA == true else {
            throw CryptoError.invalid(operation, "'\(issuer.subject)' is not a CA certificate (no basicConstraints CA:TRUE)")
        }
        if let usage = issuer.extensions.keyUsage, !usage.contains(.keyCertSign) {
            throw CryptoError.invalid(operation, "'\(issuer.subject)' may not sign certificates (keyUsage lacks keyCertSign)")
        }
        return try build(issuerName: issuer.subject, issuerCertificate: issuer, key: key)
    }

    private func build(issuerName: DistinguishedName, issuerCertificate: Certificate?, key: PrivateKey) throws -> Certificate {
        let operation = "certificate build"
        OpenSSLErrorQueue.clear()
        guard notBefore < notAfter else { throw CryptoError.invalid(operation, "notBefore is not before notAfter") }
        let x509 = X509Handle(taking: try require(X509_new(), operation))
        let cert = x509.pointer
        try check(X509_set_version(cert, 2), operation)

        let serial = try serialNumber.makeASN1Integer(operation)
        defer { ASN1_INTEGER_free(serial) }
        try check(X509_set_serialNumber(cert, serial), operation)

        let subjectName = try subject.makeHandle()
        let issuerHandle = try issuerName.makeHandle()
        try check(X509_set_subject_name(cert, subjectName.pointer), operation)
        try check(X509_set_issuer_name(cert, issuerHandle.pointer), operation)
        try setTime(X509_getm_notBefore(cert), notBefore, operation)
        try setTime(X509_getm_notAfter(cert), notAfter, operation)
        try check(X509_set_pubkey(cert, publicKey.pointer), operation)

        var context = X509V3_CTX()
        // The issuer certificate supplies the AKI; a self-signed certificate is its own issuer.
        X509V3_set_ctx(&context, issuerCertificate?.pointer ?? cert, cert, nil, nil, 0)
        for (nid, value) in profileExtensions {
            try addExtension(cert, &context, nid, value, operation)
        }
        try addExtension(cert, &context, NID_subject_key_identifier, "hash", operation)
        try addExtension(cert, &context, NID_authority_key_identifier, "keyid:always", operation)
        if !subjectAlternativeNames.isEmpty {
            try addSubjectAlternativeNames(cert, operation)
        }

        let signingDigest = digest ?? key.algorithm.keyType?.defaultDigest ?? .sha256
        let usesDigest = !(key.algorithm == .ed25519 || key.algorithm == .ed448)
        guard X509_sign(cert, key.pointer, usesDigest ? signingDigest.evpMD : nil) > 0 else {
            throw CryptoError.drainingQueue(.library, operation: "certificate sign")
        }
        X509_up_ref(cert)
        return try Certificate(taking: cert)
    }

    /// Extension values in OpenSSL's config syntax; only fixed vocabulary goes through the parser.
    private var profileExtensions: [(Int32, String)] {
        switch profile {
        case .certificateAuthority(let pathLength):
            let constraints = pathLength.map { "critical,CA:TRUE,pathlen:\($0)" } ?? "critical,CA:TRUE"
            return [(NID_basic_constraints, constraints), (NID_key_usage, "critical,keyCertSign,cRLSign")]
        case .clientAuthentication:
            return [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
                    (NID_ext_key_usage, "clientAuth")]
        case .serverAuthentication:
            let usage = publicKey.algorithm.isRSA ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"
            return [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, usage), (NID_ext_key_usage, "serverAuth")]
        case .codeSigning:
            return [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
                    (NID_ext_key_usage, "codeSigning")]
        }
    }

    private func addExtension(_ cert: OpaquePointer, _ context: inout X509V3_CTX, _ nid: Int32, _ value: String,
                              _ operation: String) throws {
        guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
            throw CryptoError.drainingQueue(.library, operation: operation, message: "cannot create extension \(String(cString: OBJ_nid2sn(nid)))")
        }
        defer { X509_EXTENSION_free(ext) }
        try check(X509_add_ext(cert, ext, -1), operation)
    }

    /// Builds the SAN from typed entries, so a value can never inject more names through config syntax.
    private func addSubjectAlternativeNames(_ cert: OpaquePointer, _ operation: String) throws {
        let names = try require(appseal_sk_GENERAL_NAME_new_null(), operation)
        defer { appseal_sk_GENERAL_NAME_pop_free(names) }
        for entry in subjectAlternativeNames {
            let (type, text): (Int32, String)
            switch entry {
            case .dns(let value): (type, text) = (GEN_DNS, value)
            case .uri(let value): (type, text) = (GEN_URI, value)
            case .email(let value): (type, text) = (GEN_EMAIL, value)
            case .ipAddress, .other:
                throw CryptoError(.unsupported, operation: operation, reasons: ["subjectAltName \(entry) cannot be written; use DNS, URI or email"])
            }
            let bytes = Array(text.utf8)
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                throw CryptoError.invalid(operation, "subjectAltName \(entry) must be non-empty printable ASCII without spaces")
            }
            let string = try require(ASN1_IA5STRING_new(), operation)
            guard ASN1_STRING_set(string, bytes, Int32(bytes.count)) == 1, let name = GENERAL_NAME_new() else {
                ASN1_IA5STRING_free(string)
                throw CryptoError.drainingQueue(.library, operation: operation)
            }
            GENERAL_NAME_set0_value(name, type, string)
            guard appseal_sk_GENERAL_NAME_push(names, name) > 0 else {
                GENERAL_NAME_free(name)
                throw CryptoError.drainingQueue(.library, operation: operation)
            }
        }
        try check(X509_add1_ext_i2d(cert, NID_subject_alt_name, UnsafeMutableRawPointer(names), 0, UInt(X509V3_ADD_DEFAULT)), operation)
    }
}

func setTime(_ time: UnsafeMutablePointer<ASN1_TIME>?, _ date: Date, _ operation: String) throws {
    guard let time else { throw CryptoError.drainingQueue(.library, operation: operation) }
    guard ASN1_TIME_set(time, time_t(date.timeIntervalSince1970.rounded(.down))) != nil else {
        throw CryptoError.drainingQueue(.library, operation: operation, message: "cannot encode time \(date)")
    }
}

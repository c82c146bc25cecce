import COpenSSL
import CAppsealShim
import Foundation

/// Owns one CMS_ContentInfo; never modified after parsing or signing.
final class CMSHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { CMS_ContentInfo_free(pointer) }
}

/// A signed attribute: its OID and its values, each a complete DER encoding (tag, length, contents).
public struct CMSAttribute: Sendable, Hashable {
    /// Dotted OID, e.g. `1.2.840.113635.100.9.1` (Apple's CodeDirectory hashes plist).
    public let oid: String
    public let derValues: [Data]

    public init(oid: String, derValues: [Data]) {
        self.oid = oid
        self.derValues = derValues
    }

    /// An attribute with one OCTET STRING value.
    public init(oid: String, octetString: Data) {
        var der = Data([0x04])
        der.append(derLength(octetString.count))
        der.append(octetString)
        self.init(oid: oid, derValues: [der])
    }
}

/// A DER length field.
func derLength(_ count: Int) -> Data {
    if count < 0x80 { return Data([UInt8(count)]) }
    var bytes: [UInt8] = []
    var remaining = count
    while remaining > 0 {
        bytes.insert(UInt8(remaining & 0xff), at: 0)
        remaining >>= 8
    }
    return Data([0x80 | UInt8(bytes.count)] + bytes)
}

/// One signer of a SignedData.
public struct CMSSignerInfo: Sendable, Hashable {
    /// The issuer and serial the signer is identified by (nil when it is identified by key identifier).
    public let issuer: DistinguishedName?
    public let serialNumber: SerialNumber?
    public let subjectKeyIdentifier: Data?
    /// Short names, e.g. `SHA256` and `rsaEncryption` / `ecdsa-with-SHA256`.
    public let digestAlgorithm: String
    public let signatureAlgorithm: String
    public let signature: Data
    /// Short names of the signed attributes (`contentType`, `signingTime`, `messageDigest`, ...), in order;
    /// attributes OpenSSL has no name for appear as their dotted OID.
    public let signedAttributes: [String]
    /// Every signed attribute with its DER values, in order.
    public let signedAttributeValues: [CMSAttribute]
    public let signingTime: Date?
    /// The signer's certificate, when the SignedData carries it.
    public let certificate: Certificate?
}

/// A CMS / PKCS#7 SignedData: what APK v1 `.RSA`/`.EC` files, JAR signatures and Apple provisioning
/// profiles are. `der` holds the bytes it was read from.
public struct CMSSignedData: Sendable, Hashable {
    let handle: CMSHandle
    public let der: Data
    /// The encapsulated content type's short name (`pkcs7-data` for plain data).
    public let contentType: String
    /// The encapsulated content, or nil when the signature is detached.
    public let content: Data?
    /// The certificates bag in encoded order (DER sorts this SET, so it is not the order they were added in).
    public let certificates: [Certificate]
    public let signers: [CMSSignerInfo]

    var pointer: OpaquePointer { handle.pointer }

    public var isDetached: Bool { content == nil }

    /// Parses DER ContentInfo holding SignedData; trailing bytes are rejected.
    public init(der: Data) throws {
        let cms = try decodeDER(der, "CMS parse", decode: { cursor, length in
            d2i_CMS_ContentInfo(nil, cursor, length)
        }, free: { CMS_ContentInfo_free($0) })
        try self.init(taking: cms, der: Data(der))
    }

    /// Parses a `CMS` or `PKCS7` PEM block.
    public init(pem: Data) throws {
        guard let block = try PEMBlock.all(in: pem, operation: "CMS parse").first(where: { $0.label == "CMS" || $0.label == "PKCS7" }) else {
            throw CryptoError.invalid("CMS parse", "no CMS or PKCS7 block in PEM input")
        }
        try self.init(der: block.der)
    }

    init(taking cms: OpaquePointer, der knownDER: Data? = nil) throws {
        let operation = "CMS parse"
        handle = CMSHandle(taking: cms)
        guard OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed else {
            throw CryptoError(.unsupported, operation: operation, reasons: ["the ContentInfo is \(objectShortName(CMS_get0_type(cms))), not signedData"])
        }
        der = try knownDER ?? derEncoding(operation) { i2d_CMS_ContentInfo(cms, $0) }
        contentType = CMS_get0_eContentType(cms).map(objectShortName) ?? "unknown"
        if let slot = CMS_get0_content(cms), let octets = slot.pointee {
            content = asn1StringBytes(octets)
        } else {
            content = nil
        }

        var certificates: [Certificate] = []
        if let stack = CMS_get1_certs(cms) {
            defer { appseal_sk_X509_pop_free(stack) }
            for index in 0..<max(appseal_sk_X509_num(stack), 0) {
                guard let x509 = appseal_sk_X509_value(stack, index) else { continue }
                X509_up_ref(x509)
                certificates.append(try Certificate(taking: x509))
            }
        }
        self.certificates = certificates

        var signers: [CMSSignerInfo] = []
        if let infos = CMS_get0_SignerInfos(cms) {
            for index in 0..<max(appseal_sk_CMS_SignerInfo_num(infos), 0) {
                guard let info = appseal_sk_CMS_SignerInfo_value(infos, index) else { continue }
                signers.append(try CMSSignedData.readSigner(info, certificates: certificates, operation))
            }
        }
        self.signers = signers
        OpenSSLErrorQueue.clear()
    }

    private static func readSigner(_ info: OpaquePointer, certificates: [Certificate], _ operation: String) throws -> CMSSignerInfo {
        var keyIdentifier: UnsafeMutablePointer<ASN1_OCTET_STRING>?
        var issuerName: OpaquePointer?
        var serial: UnsafeMutablePointer<ASN1_INTEGER>?
        try check(CMS_SignerInfo_get0_signer_id(info, &keyIdentifier, &issuerName, &serial), operation, .invalidInput)

        var digestAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
        var signatureAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(info, nil, nil, &digestAlgorithm, &signatureAlgorithm)

        var attributeNames: [String] = []
        var attributeValues: [CMSAttribute] = []
        var signingTime: Date?
        for index in 0..<max(CMS_signed_get_attr_count(info), 0) {
            guard let attribute = CMS_signed_get_attr(info, index), let object = X509_ATTRIBUTE_get0_object(attribute) else { continue }
            attributeNames.append(objectShortName(object))
            var values: [Data] = []
            for valueIndex in 0..<max(X509_ATTRIBUTE_count(attribute), 0) {
                guard let value = X509_ATTRIBUTE_get0_type(attribute, valueIndex) else { continue }
                values.append(try derEncoding(operation) { i2d_ASN1_TYPE(value, $0) })
            }
            attributeValues.append(CMSAttribute(oid: objectDottedOID(object), derValues: values))
            if OBJ_obj2nid(object) == NID_pkcs9_signingTime, let value = X509_ATTRIBUTE_get0_type(attribute, 0) {
                let type = value.pointee.type
                if type == V_ASN1_UTCTIME || type == V_ASN1_GENERALIZEDTIME, let time = value.pointee.value.utctime {
                    signingTime = try asn1TimeDate(time, operation)
                }
            }
        }
        let signer = certificates.first { CMS_SignerInfo_cert_cmp(info, $0.pointer) == 0 }
        return CMSSignerInfo(
            issuer: try issuerName.map { try DistinguishedName(reading: $0) },
            serialNumber: serial.map { SerialNumber(reading: $0) },
            subjectKeyIdentifier: keyIdentifier.map { asn1StringBytes($0) },
            digestAlgorithm: algorithmName(digestAlgorithm),
            signatureAlgorithm: algorithmName(signatureAlgorithm),
            signature: CMS_SignerInfo_get0_signature(info).map { asn1StringBytes($0) } ?? Data(),
            signedAttributes: attributeNames,
            signedAttributeValues: attributeValues,
            signingTime: signingTime,
            certificate: signer)
    }

    /// `-----BEGIN CMS-----` PEM.
    public var pem: String { PEMBlock(label: "CMS", der: der).text }

    /// Signs `content` with one signer. Signed attributes are content-type, signing-time and message-digest
    /// (no S/MIME capabilities); `signedAttributes: false` signs the content digest directly, as apksig's
    /// v1 signer does. `additionalSignedAttributes` are signed too (Apple's CodeDirectory hash attributes).
    /// `chain` certificates are carried along with the signer's.
    public static func sign(_ content: Data, certificate: Certificate, key: PrivateKey, chain: [Certificate] = [],
                            digest: DigestAlgorithm = .sha256, detached: Bool, signedAttributes: Bool = true,
                            additionalSignedAttributes: [CMSAttribute] = []) throws -> CMSSignedData {
        let operation = "CMS sign"
        guard certificate.publicKey == key.publicKey else {
            throw CryptoError.invalid(operation, "the signing key does not belong to '\(certificate.subject)'")
        }
        guard signedAttributes || additionalSignedAttributes.isEmpty else {
            throw CryptoError.invalid(operation, "additional signed attributes need signed attributes")
        }
        OpenSSLErrorQueue.clear()
        var flags = UInt32(CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP)
        if detached { flags |= UInt32(CMS_DETACHED) }
        if !signedAttributes { flags |= UInt32(CMS_NOATTR) }
        let cms = CMSHandle(taking: try require(CMS_sign(nil, nil, nil, nil, flags), operation))
        try withExtendedLifetime((certificate, key, chain)) {
            guard let signer = CMS_add1_signer(cms.pointer, certificate.pointer, key.pointer, digest.evpMD, flags) else {
                throw CryptoError.drainingQueue(.library, operation: operation, message: "cannot add signer '\(certificate.subject)'")
            }
            for attribute in additionalSignedAttributes {
                try addSignedAttribute(attribute, to: signer, operation)
            }
            for extra in chain {
                try check(CMS_add1_cert(cms.pointer, extra.pointer), operation)
            }
            let input = try MemoryBIO(reading: content, operation: operation)
            try check(CMS_final(cms.pointer, input.pointer, nil, flags), operation)
        }
        let der = try derEncoding(operation) { i2d_CMS_ContentInfo(cms.pointer, $0) }
        // Re-read from DER so the value describes exactly the bytes that will be written.
        return try CMSSignedData(der: der)
    }

    /// Verifies every signer's signature over the content (the embedded one, or `detachedContent`) and returns
    /// the content. With `roots`, each signer's certificate must also chain to one of them (at `date`, default
    /// now; any purpose). Without roots only the signatures are checked: right for APK v1 and for provisioning
    /// profiles, whose trust comes from elsewhere.
    @discardableResult
    public func verify(detachedContent: Data? = nil, roots: [Certificate]? = nil, at date: Date? = nil) throws -> Data {
        let operation = "CMS verify"
        if content == nil && detachedContent == nil {
            throw CryptoError.invalid(operation, "the signature is detached and no content was given")
        }
        if content != nil && detachedContent != nil {
            throw CryptoError.invalid(operation, "the SignedData already contains its content")
        }
        guard !signers.isEmpty else {
            throw CryptoError(.verificationFailed, operation: operation, reasons: ["the SignedData has no signers"])
        }
        OpenSSLErrorQueue.clear()
        var flags = UInt32(CMS_BINARY)
        let store: TrustStore?
        if let roots {
            store = try TrustStore(roots: roots, crls: [], at: date, operation: operation)
            try check(X509_STORE_set_purpose(store!.pointer, X509_PURPOSE_ANY), operation)
        } else {
            store = nil
            flags |= UInt32(CMS_NO_SIGNER_CERT_VERIFY)
        }
        let detachedBIO = try detachedContent.map { try MemoryBIO(reading: $0, operation: operation) }
        let output = try MemoryBIO(operation: operation)
        let status = withExtendedLifetime((store, detachedBIO)) {
            CMS_verify(pointer, nil, store?.pointer, detachedBIO?.pointer, output.pointer, flags)
        }
        guard status == 1 else {
            throw CryptoError.drainingQueue(.verificationFailed, operation: operation)
        }
        return output.contents
    }

    /// Adds one attribute (all its values) to a signer that is not yet signed (CMS_PARTIAL).
    private static func addSignedAttribute(_ attribute: CMSAttribute, to signer: OpaquePointer, _ operation: String) throws {
        OpenSSLErrorQueue.clear()
        guard !attribute.derValues.isEmpty else { throw CryptoError.invalid(operation, "attribute \(attribute.oid) has no value") }
        guard let object = OBJ_txt2obj(attribute.oid, 1) else {
            throw CryptoError.invalid(operation, "'\(attribute.oid)' is not a dotted OID")
        }
        defer { ASN1_OBJECT_free(object) }
        let created = try require(X509_ATTRIBUTE_new(), operation)
        defer { X509_ATTRIBUTE_free(created) }
        try check(X509_ATTRIBUTE_set1_object(created, object), operation)
        for der in attribute.derValues {
            let value = try decodeDER(der, operation, decode: { cursor, length in
                d2i_ASN1_TYPE(nil, cursor, length)
            }, free: { ASN1_TYPE_free($0) })
            defer { ASN1_TYPE_free(value) }
            // With length -1 the data is the ASN1_TYPE's value pointer, copied as that type.
            try check(X509_ATTRIBUTE_set1_data(created, value.pointee.type, value.pointee.value.ptr, -1), operation)
        }
        try check(CMS_signed_add1_attr(signer, created), operation)
    }

    public static func == (lhs: CMSSignedData, rhs: CMSSignedData) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}

/// The short name of an AlgorithmIdentifier's OID.
private func algorithmName(_ algorithm: UnsafeMutablePointer<X509_ALGOR>?) -> String {
    guard let algorithm else { return "unknown" }
    var object: OpaquePointer?
    X509_ALGOR_get0(&object, nil, nil, algorithm)
    return object.map(objectShortName) ?? "unknown"
}

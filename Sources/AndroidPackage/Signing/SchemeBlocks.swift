import Foundation

/// Encodes and decodes the signer blocks of APK Signature Scheme v2 and v3. Both list signers;
/// each signer has signed data (content digests, certificates, attributes), signatures over
/// that signed data and the public key. v3 adds a supported SDK range in two places.
public enum SignatureScheme: Int, Sendable, Codable, CaseIterable, Comparable {
    case v1 = 1, v2 = 2, v3 = 3

    public var name: String { "v\(rawValue)" }

    public static func < (lhs: SignatureScheme, rhs: SignatureScheme) -> Bool { lhs.rawValue < rhs.rawValue }

    var blockId: UInt32? {
        switch self {
        case .v1: return nil
        case .v2: return ApkSigningBlock.v2SignatureId
        case .v3: return ApkSigningBlock.v3SignatureId
        }
    }
}

struct SchemeSignerBlock: Sendable {
    /// v2 attribute telling verifiers that a v3 signature must exist (stripping protection).
    static let strippingProtectionAttributeId: UInt32 = 0xBEEF_F00D
    /// v3 attribute holding a proof-of-rotation lineage.
    static let proofOfRotationAttributeId: UInt32 = 0x3BA0_6F8C
    static let maximumSdk: UInt32 = 0x7FFF_FFFF

    struct Digest: Sendable { let algorithmId: UInt32; let value: [UInt8] }
    struct Signature: Sendable { let algorithmId: UInt32; let value: [UInt8] }
    struct Attribute: Sendable { let id: UInt32; let value: [UInt8] }

    var digests: [Digest]
    var certificates: [[UInt8]]
    var attributes: [Attribute]
    var minSdk: UInt32 = 0
    var maxSdk: UInt32 = 0
    /// The signed-data bytes as read or as encoded; signatures are over exactly these.
    var signedData: [UInt8] = []
    var signedDataMinSdk: UInt32 = 0
    var signedDataMaxSdk: UInt32 = 0
    var signatures: [Signature] = []
    var publicKey: [UInt8] = []

    static func encodeSignedData(scheme: SignatureScheme, digests: [Digest], certificates: [[UInt8]],
                                 attributes: [Attribute], minSdk: UInt32, maxSdk: UInt32) -> [UInt8] {
        var writer = LittleEndianWriter()
        writer.lengthPrefixedSequence(digests.map { digest in
            var element = LittleEndianWriter()
            element.uint32(digest.algorithmId)
            element.lengthPrefixed(digest.value)
            return element.bytes
        })
        writer.lengthPrefixedSequence(certificates)
        if scheme == .v3 {
            writer.uint32(minSdk)
            writer.uint32(maxSdk)
        }
        writer.lengthPrefixedSequence(attributes.map { attribute in
            var element = LittleEndianWriter()
            element.uint32(attribute.id)
            element.raw(attribute.value)
            return element.bytes
        })
        if scheme == .v2 {
            // apksigner ends v2 signed data with one more, empty, length-prefixed field.
            writer.lengthPrefixed([UInt8]())
        }
        return writer.bytes
    }

    static func encodeSigner(scheme: SignatureScheme, signedData: [UInt8], minSdk: UInt32, maxSdk: UInt32,
                             signatures: [Signature], publicKey: [UInt8]) -> [UInt8] {
        var writer = LittleEndianWriter()
        writer.lengthPrefixed(signedData)
        if scheme == .v3 {
            writer.uint32(minSdk)
            writer.uint32(maxSdk)
        }
        writer.lengthPrefixedSequence(signatures.map { signature in
            var element = LittleEndianWriter()
            element.uint32(signature.algorithmId)
            element.lengthPrefixed(signature.value)
            return element.bytes
        })
        writer.lengthPrefixed(publicKey)
        return writer.bytes
    }

    /// The value of a v2/v3 pair: the length-prefixed sequence of length-prefixed signers.
    static func encodeSchemeBlock(signers: [[UInt8]]) -> [UInt8] {
        var writer = LittleEndianWriter()
        writer.lengthPrefixedSequence(signers)
        return writer.bytes
    }

    static let maximumSigners = 10
    static let maximumEntries = 64

    /// Parses every signer of a v2/v3 pair value. `offset` is where the value starts in the file.
    static func decodeSchemeBlock(_ value: [UInt8], scheme: SignatureScheme, offset: Int) throws -> [SchemeSignerBlock] {
        let structure = "APK Signature Scheme \(scheme.name) block"
        var reader = LittleEndianReader(value, structure: structure, base: offset)
        let signers = try reader.lengthPrefixedElements(structure, limit: maximumSigners)
        guard reader.isAtEnd else {
            throw ApkSigningError.malformed(structure: structure, offset: reader.fileOffset, reason: "trailing data after the signers")
        }
        return try signers.map { try decodeSigner($0, scheme: scheme) }
    }

    private static func decodeSigner(_ signerReader: LittleEndianReader, scheme: SignatureScheme) throws -> SchemeSignerBlock {
        var signer = signerReader
        let structure = "APK Signature Scheme \(scheme.name) signer"
        let signedData = try signer.lengthPrefixedReader("\(structure) signed data")
        var block = SchemeSignerBlock(digests: [], certificates: [], attributes: [])
        block.signedData = Array(signedData.bytes)
        if scheme == .v3 {
            block.minSdk = try signer.uint32()
            block.maxSdk = try signer.uint32()
        }
        for var element in try signer.lengthPrefixedElements("\(structure) signatures", limit: maximumEntries) {
            let id = try element.uint32()
            block.signatures.append(Signature(algorithmId: id, value: Array(try element.lengthPrefixed())))
        }
        block.publicKey = Array(try signer.lengthPrefixed())

        var data = signedData
        for var element in try data.lengthPrefixedElements("\(structure) digests", limit: maximumEntries) {
            let id = try element.uint32()
            block.digests.append(Digest(algorithmId: id, value: Array(try element.lengthPrefixed())))
        }
        for element in try data.lengthPrefixedElements("\(structure) certificates", limit: maximumEntries) {
            block.certificates.append(Array(element.bytes))
        }
        if scheme == .v3 {
            block.signedDataMinSdk = try data.uint32()
            block.signedDataMaxSdk = try data.uint32()
        }
        for var element in try data.lengthPrefixedElements("\(structure) attributes", limit: maximumEntries) {
            let id = try element.uint32()
            block.attributes.append(Attribute(id: id, value: Array(try element.bytes(element.remaining))))
        }
        return block
    }
}

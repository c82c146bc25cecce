import CryptoCore
import Foundation

/// The sealed blob at `assets/appseal/sealed.bin`, format version 1 (docs/sealed-blob-format.md).
///
/// The payload is encrypted once with AES-256-GCM under a random content key. That content
/// key is wrapped once per allowed signer: AES-256-GCM under a key-encryption key derived by
/// HKDF-SHA256 from the SHA-256 of the signer's certificate and the blob's per-build salt.
/// The runtime derives the key from the certificate the installed app is signed with, so a
/// copy re-signed with another key cannot be opened by it.
public enum SealedBlob {
    public static let assetPath = "assets/appseal/sealed.bin"
    public static let magic = Data("APPSEAL".utf8) + Data([0x00])
    public static let version: UInt16 = 1
    public static let kdfHKDFSHA256: UInt8 = 1
    public static let aeadAES256GCM: UInt8 = 1
    public static let saltLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16
    public static let keyLength = 32
    public static let digestLength = 32
    public static let maximumSlots = 16
    /// One signer slot: certificate digest, nonce, wrapped key, tag.
    public static let slotLength = 32 + 12 + 32 + 16
    /// magic 8, version 2, flags 2, kdf 1, aead 1, saltLength 1, nonceLength 1, salt 32, slotCount 1, reserved 3.
    public static let fixedHeaderLength = 52
    /// Large enough for any client PKCS#12 with its chain; the runtime may rely on it.
    public static let maximumPayloadLength = 1 << 20
    public static let keyWrapInfo = Data("appseal sealed-blob v1 key-encryption key".utf8)

    /// Seals the payload for the given signer certificate digests (SHA-256 of each DER certificate).
    public static func seal(_ payload: SealedPayload, signerCertificateSHA256 digests: [Data]) throws -> Data {
        guard (1...maximumSlots).contains(digests.count) else {
            throw SealedBlobError.invalidSigners("between 1 and \(maximumSlots) signer certificates are needed, got \(digests.count)")
        }
        guard digests.allSatisfy({ $0.count == digestLength }), Set(digests).count == digests.count else {
            throw SealedBlobError.invalidSigners("each signer digest must be a distinct SHA-256 (32 bytes)")
        }
        let plaintext = try encodePayload(payload)
        let salt = try SecureRandom.bytes(saltLength)
        let contentKey = try AESGCM.generateKey()

        var header = Data()
        header += magic
        header.appendLittleEndian(version)
        header.appendLittleEndian(UInt16(0))
        header += [kdfHKDFSHA256, aeadAES256GCM, UInt8(saltLength), UInt8(nonceLength)]
        header += salt
        header += [UInt8(digests.count), 0, 0, 0]
        let fixed = header

        for digest in digests {
            let kek = try keyEncryptionKey(signerDigest: digest, salt: salt)
            let box = try AESGCM.seal(contentKey, key: kek, authenticating: fixed + digest)
            header += digest + box.nonce + box.ciphertext + box.tag
        }
        let payloadNonce = try SecureRandom.bytes(nonceLength)
        header += payloadNonce
        header.appendLittleEndian(UInt32(plaintext.count))
        let box = try AESGCM.seal(plaintext, key: contentKey, nonce: payloadNonce, authenticating: header)
        return header + box.ciphertext + box.tag
    }

    /// The parts of a blob that are readable without a key.
    public struct Header: Sendable, Equatable {
        public let version: UInt16
        public let salt: Data
        public let signerCertificateSHA256: [Data]
        public let payloadLength: Int
    }

    /// Parses the unencrypted part, checking every length and offset before reading it.
    public static func header(of blob: Data) throws(SealedBlobError) -> Header {
        try parse(blob).header
    }

    /// Opens the blob the way the runtime does: with the SHA-256 of the certificate(s) the
    /// app is signed with. Fails if none of them has a slot, or any byte was changed.
    public static func open(_ blob: Data, signerCertificateSHA256 candidates: [Data]) throws(SealedBlobError) -> SealedPayload {
        let parsed = try parse(blob)
        var contentKey: Data?
        for (index, slot) in parsed.slots.enumerated() where candidates.contains(slot.digest) {
            do {
                let kek = try keyEncryptionKey(signerDigest: slot.digest, salt: parsed.header.salt)
                contentKey = try AESGCM.open(.init(nonce: slot.nonce, ciphertext: slot.wrappedKey, tag: slot.tag),
                                             key: kek, authenticating: parsed.fixedHeader + slot.digest)
                break
            } catch {
                throw .tampered("signer slot \(index) does not authenticate")
            }
        }
        guard let contentKey else {
            throw .notForThisSigner(sealedFor: parsed.header.signerCertificateSHA256.map(\.lowercaseHex),
                                    offered: candidates.map(\.lowercaseHex))
        }
        let plaintext: Data
        do {
            plaintext = try AESGCM.open(.init(nonce: parsed.payloadNonce, ciphertext: parsed.ciphertext, tag: parsed.tag),
                                        key: contentKey, authenticating: parsed.authenticatedHeader)
        } catch {
            throw .tampered("the payload does not authenticate")
        }
        return try decodePayload(plaintext)
    }

    // MARK: internals

    static func keyEncryptionKey(signerDigest: Data, salt: Data) throws -> Data {
        try KeyDerivation.hkdf(inputKeyMaterial: signerDigest, salt: salt, info: keyWrapInfo, byteCount: keyLength)
    }

    struct Slot {
        let digest: Data
        let nonce: Data
        let wrappedKey: Data
        let tag: Data
    }

    struct Parsed {
        let header: Header
        let fixedHeader: Data
        let slots: [Slot]
        let payloadNonce: Data
        let authenticatedHeader: Data
        let ciphertext: Data
        let tag: Data
    }

    static func parse(_ blob: Data) throws(SealedBlobError) -> Parsed {
        var reader = BlobReader(Data(blob))
        guard try reader.bytes(8) == magic else { throw .malformed(offset: 0, "not an appseal sealed blob (magic)") }
        let version = try reader.uint16()
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let flags = try reader.uint16()
        guard flags == 0 else { throw .malformed(offset: 10, "flags \(flags) are not defined in version 1") }
        let kdf = try reader.uint8(), aead = try reader.uint8()
        guard kdf == kdfHKDFSHA256, aead == aeadAES256GCM else {
            throw .malformed(offset: 12, "algorithms kdf=\(kdf) aead=\(aead) are not defined in version 1")
        }
        guard try reader.uint8() == saltLength, try reader.uint8() == nonceLength else {
            throw .malformed(offset: 14, "salt and nonce lengths must be \(saltLength) and \(nonceLength)")
        }
        let salt = try reader.bytes(saltLength)
        let slotCount = Int(try reader.uint8())
        guard (1...maximumSlots).contains(slotCount) else {
            throw .malformed(offset: 48, "signer slot count \(slotCount) is outside 1...\(maximumSlots)")
        }
        guard try reader.bytes(3) == Data([0, 0, 0]) else { throw .malformed(offset: 49, "reserved bytes are not zero") }
        let fixedHeader = Data(blob.prefix(fixedHeaderLength))
        var slots: [Slot] = []
        for _ in 0..<slotCount {
            slots.append(Slot(digest: try reader.bytes(digestLength), nonce: try reader.bytes(nonceLength),
                              wrappedKey: try reader.bytes(keyLength), tag: try reader.bytes(tagLength)))
        }
        let payloadNonce = try reader.bytes(nonceLength)
        let lengthOffset = reader.offset
        let payloadLength = Int(try reader.uint32())
        guard payloadLength <= maximumPayloadLength else {
            throw .malformed(offset: lengthOffset, "payload length \(payloadLength) exceeds \(maximumPayloadLength)")
        }
        let authenticatedHeader = Data(blob.prefix(reader.offset))
        let ciphertext = try reader.bytes(payloadLength)
        let tag = try reader.bytes(tagLength)
        guard reader.remaining == 0 else { throw .malformed(offset: reader.offset, "\(reader.remaining) bytes after the tag") }
        let header = Header(version: version, salt: salt, signerCertificateSHA256: slots.map(\.digest),
                            payloadLength: payloadLength)
        return Parsed(header: header, fixedHeader: fixedHeader, slots: slots, payloadNonce: payloadNonce,
                      authenticatedHeader: authenticatedHeader, ciphertext: ciphertext, tag: tag)
    }

    /// Plaintext: u32 config length, config JSON, u32 PKCS#12 length, PKCS#12, u16 password length, password.
    static func encodePayload(_ payload: SealedPayload) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let config = try encoder.encode(payload.configuration)
        let password = Data(payload.pkcs12Password.utf8)
        guard password.count <= Int(UInt16.max) else { throw SealedBlobError.invalidSigners("password too long") }
        var data = Data()
        data.appendLittleEndian(UInt32(config.count))
        data += config
        data.appendLittleEndian(UInt32(payload.pkcs12.count))
        data += payload.pkcs12
        data.appendLittleEndian(UInt16(password.count))
        data += password
        guard data.count <= maximumPayloadLength else {
            throw SealedBlobError.malformed(offset: 0, "payload of \(data.count) bytes exceeds \(maximumPayloadLength)")
        }
        return data
    }

    static func decodePayload(_ plaintext: Data) throws(SealedBlobError) -> SealedPayload {
        var reader = BlobReader(plaintext)
        let config = try reader.bytes(Int(try reader.uint32()))
        let pkcs12 = try reader.bytes(Int(try reader.uint32()))
        let passwordBytes = try reader.bytes(Int(try reader.uint16()))
        guard reader.remaining == 0 else { throw .malformed(offset: reader.offset, "data after the password in the payload") }
        guard let password = String(data: passwordBytes, encoding: .utf8) else {
            throw .malformed(offset: 0, "the PKCS#12 password is not UTF-8")
        }
        let configuration: RuntimeConfiguration
        do {
            configuration = try JSONDecoder().decode(RuntimeConfiguration.self, from: config)
        } catch {
            throw .malformed(offset: 4, "runtime configuration JSON: \(error)")
        }
        guard configuration.version == RuntimeConfiguration.currentVersion else {
            throw .malformed(offset: 4, "runtime configuration version \(configuration.version) is not 1")
        }
        return SealedPayload(configuration: configuration, pkcs12: pkcs12, pkcs12Password: password)
    }
}

public enum SealedBlobError: Error, Sendable, Equatable {
    case malformed(offset: Int, String)
    case truncated(offset: Int, needed: Int)
    case unsupportedVersion(UInt16)
    case notForThisSigner(sealedFor: [String], offered: [String])
    case tampered(String)
    case invalidSigners(String)

    public var message: String {
        switch self {
        case let .malformed(offset, reason): return "sealed blob is malformed at byte \(offset): \(reason)"
        case let .truncated(offset, needed): return "sealed blob is truncated at byte \(offset) (\(needed) more bytes needed)"
        case let .unsupportedVersion(version): return "sealed blob version \(version) is not supported (this appseal reads 1)"
        case let .notForThisSigner(sealedFor, offered):
            return "sealed blob is bound to signer certificate(s) \(sealedFor.joined(separator: ", ")), "
                + "not to \(offered.isEmpty ? "(no signer)" : offered.joined(separator: ", "))"
        case let .tampered(reason): return "sealed blob was altered: \(reason)"
        case let .invalidSigners(reason): return "cannot seal: \(reason)"
        }
    }
}

/// Bounds-checked little-endian reads; every read says where it ran out.
struct BlobReader {
    let data: Data
    private(set) var offset = 0

    init(_ data: Data) { self.data = Data(data) }

    var remaining: Int { data.count - offset }

    mutating func bytes(_ count: Int) throws(SealedBlobError) -> Data {
        guard count >= 0, count <= remaining else { throw .truncated(offset: offset, needed: count - remaining) }
        defer { offset += count }
        return data.subdata(in: offset..<(offset + count))
    }

    mutating func uint8() throws(SealedBlobError) -> UInt8 { try bytes(1)[0] }

    mutating func uint16() throws(SealedBlobError) -> UInt16 {
        let raw = try bytes(2)
        return UInt16(raw[0]) | UInt16(raw[1]) << 8
    }

    mutating func uint32() throws(SealedBlobError) -> UInt32 {
        let raw = try bytes(4)
        return raw.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    var lowercaseHex: String { map { String(format: "%02x", $0) }.joined() }
}

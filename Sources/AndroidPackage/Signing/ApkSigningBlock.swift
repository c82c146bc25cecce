import Foundation

/// The APK Signing Block: ID-value pairs stored between the last ZIP entry and the central
/// directory. Layout: uint64 size, pairs (uint64 length, uint32 id, value), uint64 size again,
/// the 16-byte magic "APK Sig Block 42". Both size fields count everything after the first one.
public struct ApkSigningBlock: Sendable, Equatable {
    public struct Pair: Sendable, Equatable {
        public let id: UInt32
        public let value: [UInt8]
        public init(id: UInt32, value: [UInt8]) { self.id = id; self.value = value }
    }

    public static let magic: [UInt8] = Array("APK Sig Block 42".utf8)
    public static let v2SignatureId: UInt32 = 0x7109_871A
    public static let v3SignatureId: UInt32 = 0xF053_68C0
    public static let v31SignatureId: UInt32 = 0x1B93_AD61
    public static let sourceStampV1Id: UInt32 = 0x2B09_189E
    public static let sourceStampV2Id: UInt32 = 0x6DFF_800D
    /// Zero-filled pair apksigner adds so the block's size is a multiple of 4096 (for fs-verity).
    public static let verityPaddingId: UInt32 = 0x4272_6577
    /// Page size the block (and the entries section before it) is padded to.
    public static let pageAlignment = 4096
    /// The smallest pair: uint64 length + uint32 id.
    static let minimumPairSize = 12
    /// A block larger than this is not something any signer writes; refusing it bounds memory.
    public static let maximumSize = 64 * 1024 * 1024

    public let pairs: [Pair]

    public init(pairs: [Pair]) { self.pairs = pairs }

    public func value(for id: UInt32) -> [UInt8]? { pairs.first { $0.id == id }?.value }

    public var ids: [UInt32] { pairs.map(\.id) }

    /// The encoded block, padded with a verity padding pair to a multiple of 4096 bytes
    /// when `padToPage` (what apksigner does whenever it writes v2 or v3).
    public func encoded(padToPage: Bool) -> [UInt8] {
        var pairsSize = 0
        for pair in pairs { pairsSize += 8 + 4 + pair.value.count }
        var totalSize = 8 + pairsSize + 8 + 16
        var paddingPairSize = 0
        if padToPage, totalSize % Self.pageAlignment != 0 {
            paddingPairSize = Self.pageAlignment - totalSize % Self.pageAlignment
            if paddingPairSize < Self.minimumPairSize { paddingPairSize += Self.pageAlignment }
            totalSize += paddingPairSize
        }
        var writer = LittleEndianWriter(capacity: totalSize)
        let sizeField = UInt64(totalSize - 8)
        writer.uint64(sizeField)
        for pair in pairs {
            writer.uint64(UInt64(4 + pair.value.count))
            writer.uint32(pair.id)
            writer.raw(pair.value)
        }
        if paddingPairSize > 0 {
            writer.uint64(UInt64(paddingPairSize - 8))
            writer.uint32(Self.verityPaddingId)
            writer.zeros(paddingPairSize - 12)
        }
        writer.uint64(sizeField)
        writer.raw(Self.magic)
        return writer.bytes
    }

    /// Parses a whole block (`bytes` starts at its first size field). `offset` is where the
    /// block starts in the file, for error messages.
    public init(decoding bytes: [UInt8], offset: Int) throws {
        let structure = "APK Signing Block"
        guard bytes.count >= 32 else {
            throw ApkSigningError.truncated(structure: structure, offset: offset, needed: 32 - bytes.count)
        }
        guard Array(bytes.suffix(16)) == Self.magic else {
            throw ApkSigningError.malformed(structure: structure, offset: offset + bytes.count - 16, reason: "magic missing")
        }
        var header = LittleEndianReader(bytes, structure: structure, base: offset)
        let leadingSize = try header.uint64()
        var trailer = LittleEndianReader(bytes[(bytes.count - 24)...], structure: structure, base: offset + bytes.count - 24)
        let trailingSize = try trailer.uint64()
        guard leadingSize == trailingSize, leadingSize == UInt64(bytes.count - 8) else {
            throw ApkSigningError.malformed(structure: structure, offset: offset,
                                            reason: "size fields \(leadingSize) and \(trailingSize) disagree with the block's \(bytes.count - 8) bytes")
        }
        var reader = LittleEndianReader(bytes[8..<(bytes.count - 24)], structure: structure, base: offset + 8)
        var pairs: [Pair] = []
        while !reader.isAtEnd {
            let pairOffset = reader.fileOffset
            let length = try reader.uint64()
            guard length >= 4, let count = Int(exactly: length), count <= reader.remaining else {
                throw ApkSigningError.malformed(structure: structure, offset: pairOffset,
                                                reason: "pair length \(length) does not fit the \(reader.remaining) bytes left")
            }
            let id = try reader.uint32()
            pairs.append(Pair(id: id, value: Array(try reader.bytes(count - 4))))
        }
        self.pairs = pairs
    }

    /// Where a block would sit given the bytes just before the central directory: returns its
    /// start offset and total size when the 24-byte footer (size + magic) is present.
    /// `footer` holds the 24 bytes ending at `centralDirectoryOffset`.
    public static func locate(footer: [UInt8], centralDirectoryOffset: Int) throws -> (offset: Int, size: Int)? {
        guard footer.count == 24, Array(footer.suffix(16)) == magic else { return nil }
        var reader = LittleEndianReader(footer, structure: "APK Signing Block footer", base: centralDirectoryOffset - 24)
        let sizeField = try reader.uint64()
        guard sizeField >= 24, sizeField <= UInt64(maximumSize), let size = Int(exactly: sizeField),
              centralDirectoryOffset - size - 8 >= 0 else {
            throw ApkSigningError.malformed(structure: "APK Signing Block", offset: centralDirectoryOffset - 24,
                                            reason: "size field \(sizeField) does not fit before the central directory at \(centralDirectoryOffset)")
        }
        return (centralDirectoryOffset - size - 8, size + 8)
    }
}

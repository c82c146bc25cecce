/// How an entry's bytes are stored. Only `stored` and `deflated` can be read or written;
/// any other value is kept as it is so it can be listed and named in errors.
public enum ZipCompressionMethod: Sendable, Hashable, CustomStringConvertible {
    case stored
    case deflated
    case other(UInt16)

    public init(rawValue: UInt16) {
        switch rawValue {
        case 0: self = .stored
        case 8: self = .deflated
        default: self = .other(rawValue)
        }
    }

    public var rawValue: UInt16 {
        switch self {
        case .stored: 0
        case .deflated: 8
        case let .other(value): value
        }
    }

    /// The APPNOTE name of the method, with its number for the rare ones.
    public var description: String {
        switch self {
        case .stored: return "stored"
        case .deflated: return "deflated"
        case let .other(value):
            let names: [UInt16: String] = [
                1: "shrunk", 2: "reduced-1", 3: "reduced-2", 4: "reduced-3", 5: "reduced-4", 6: "imploded",
                9: "deflate64", 10: "PKWARE DCL imploded", 12: "bzip2", 14: "LZMA", 16: "IBM z/OS CMPSC",
                18: "IBM TERSE", 19: "IBM LZ77", 93: "zstd", 94: "MP3", 95: "xz", 96: "JPEG", 97: "WavPack",
                98: "PPMd", 99: "AE-x (WinZip AES)",
            ]
            if let name = names[value] { return "\(name) (method \(value))" }
            return "method \(value) (unknown)"
        }
    }
}

/// One entry as the central directory describes it, cross-checked against its local header.
/// Values keep the bytes they were read from (`rawName`, extras, both records), so a raw
/// copy or a signature check sees exactly what was in the file.
public struct ZipEntry: Sendable, Hashable {
    /// Position in the central directory (0-based).
    public let index: Int
    /// The decoded name: UTF-8 when flag bit 11 is set or the bytes are valid UTF-8, else CP437.
    public let name: String
    public let rawName: [UInt8]
    public let versionMadeBy: UInt16
    public let versionNeeded: UInt16
    public let flags: UInt16
    public let method: ZipCompressionMethod
    public let dosTime: UInt16
    public let dosDate: UInt16
    public let crc32: UInt32
    public let compressedSize: UInt64
    public let uncompressedSize: UInt64
    public let localHeaderOffset: UInt64
    /// Offset of the first byte of the entry's data, just after the local header.
    public let dataOffset: UInt64
    /// Length of the data descriptor after the data (0 when flag bit 3 is clear).
    public let dataDescriptorLength: Int
    public let centralExtra: [UInt8]
    public let localExtra: [UInt8]
    public let comment: [UInt8]
    public let internalAttributes: UInt16
    public let externalAttributes: UInt32
    /// The whole central-directory record (header, name, extra, comment) as read.
    public let centralRecord: [UInt8]
    /// The local header (fixed fields, name, extra) as read; the entry's data follows it.
    public let localHeaderRecord: [UInt8]
    /// Whether a zip64 extra field supplied any size or offset.
    public let usesZip64: Bool

    public var isDirectory: Bool { name.hasSuffix("/") }
    public var isEncrypted: Bool { flags & ZipFlags.encryptionMask != 0 }
    public var hasDataDescriptor: Bool { flags & ZipFlags.dataDescriptor != 0 }
    public var isUTF8: Bool { flags & ZipFlags.utf8 != 0 }

    /// The Unix mode bits when the entry was made on Unix (host 3), else nil.
    public var unixMode: UInt16? {
        versionMadeBy >> 8 == 3 ? UInt16(truncatingIfNeeded: externalAttributes >> 16) : nil
    }

    /// Where this entry's bytes end in the archive, data descriptor included.
    public var endOffset: UInt64 { dataOffset + compressedSize + UInt64(dataDescriptorLength) }
}

/// A byte range of the archive.
public struct ZipRegion: Sendable, Hashable {
    public let offset: UInt64
    public let length: UInt64

    public init(offset: UInt64, length: UInt64) {
        self.offset = offset
        self.length = length
    }

    public var end: UInt64 { offset + length }
}

/// One ID-value pair of an APK Signing Block (v2 = 0x7109871a, v3 = 0xf05368c0, …).
public struct ZipSigningBlockPair: Sendable, Hashable {
    public let id: UInt32
    /// Where the value starts in the archive, and its length.
    public let value: ZipRegion
}

enum ZipFlags {
    static let encrypted: UInt16 = 1 << 0
    static let dataDescriptor: UInt16 = 1 << 3
    static let strongEncryption: UInt16 = 1 << 6
    static let utf8: UInt16 = 1 << 11
    static let maskedHeaders: UInt16 = 1 << 13
    static let encryptionMask: UInt16 = encrypted | strongEncryption | maskedHeaders
}

/// Turns raw name bytes into a String and decides whether the name is safe to extract.
enum ZipName {
    static func decode(_ raw: [UInt8], utf8Flag: Bool) -> String? {
        if let text = String(validating: raw, as: UTF8.self) { return text }
        if utf8Flag { return nil }
        return String(String.UnicodeScalarView(raw.map { byte in
            byte < 0x80 ? Unicode.Scalar(byte) : cp437High[Int(byte - 0x80)]
        }))
    }

    /// The reason a name could escape the extraction folder, or nil when it is safe.
    static func unsafeReason(_ name: String) -> String? {
        // One pass over the bytes, as the file system will see them (a Character-level check
        // would let a combining mark hide a backslash or a '/' from it).
        return name.utf8.withContiguousStorageIfAvailable(unsafeReason(bytes:))
            ?? Array(name.utf8).withUnsafeBufferPointer(unsafeReason(bytes:))
    }

    private static func unsafeReason(bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.isEmpty { return "entry name is empty" }
        if bytes.contains(0) { return "entry name contains NUL" }
        if bytes.contains(UInt8(ascii: "\\")) { return "entry name contains a backslash" }
        if bytes[0] == UInt8(ascii: "/") { return "entry name is an absolute path" }
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":"),
           (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[0] & 0xDF) {
            return "entry name starts with a drive letter"
        }
        var segmentStart = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            if index - segmentStart == 2, bytes[segmentStart] == UInt8(ascii: "."), bytes[segmentStart + 1] == UInt8(ascii: ".") {
                return "entry name has a '..' segment (zip slip)"
            }
            segmentStart = index + 1
        }
        return nil
    }

    /// IBM code page 437, bytes 0x80–0xFF (the ZIP default when flag bit 11 is clear).
    private static let cp437High: [Unicode.Scalar] = Array((
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
        + "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}").unicodeScalars)
}

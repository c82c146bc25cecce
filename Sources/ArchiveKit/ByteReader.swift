/// Little-endian reads over bytes taken from the archive; every read is bounds-checked and a
/// short read throws `truncated` with the archive offset where the missing bytes should be.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    /// Archive offset of `bytes[0]`, so errors point into the file, not the buffer.
    let baseOffset: UInt64
    /// What is being read, for the error message ("central directory header").
    let what: String

    init(_ bytes: [UInt8], baseOffset: UInt64, what: String) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
        self.what = what
    }

    var remaining: Int { bytes.count - position }
    var offset: UInt64 { baseOffset + UInt64(position) }

    private mutating func take(_ count: Int) throws(ZipError) -> Int {
        guard count >= 0, count <= remaining else {
            throw ZipError(.truncated, "\(what) needs \(count) more bytes, only \(remaining) left", offset: offset)
        }
        let start = position
        position += count
        return start
    }

    mutating func u16() throws(ZipError) -> UInt16 {
        let at = try take(2)
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    mutating func u32() throws(ZipError) -> UInt32 {
        let at = try take(4)
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    mutating func u64() throws(ZipError) -> UInt64 {
        let low = UInt64(try u32())
        let high = UInt64(try u32())
        return low | high << 32
    }

    mutating func bytes(_ count: Int) throws(ZipError) -> [UInt8] {
        let at = try take(count)
        return Array(bytes[at..<at + count])
    }

    mutating func skip(_ count: Int) throws(ZipError) {
        _ = try take(count)
    }
}

/// Little-endian appends for the writer.
extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func appendLE(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}

enum ZipSignature {
    static let localHeader: UInt32 = 0x0403_4B50
    static let centralHeader: UInt32 = 0x0201_4B50
    static let endOfCentralDirectory: UInt32 = 0x0605_4B50
    static let zip64EndOfCentralDirectory: UInt32 = 0x0606_4B50
    static let zip64Locator: UInt32 = 0x0706_4B50
    static let dataDescriptor: UInt32 = 0x0807_4B50
}

/// Sizes of the fixed parts of ZIP records.
enum ZipRecordSize {
    static let localHeader = 30
    static let centralHeader = 46
    static let endOfCentralDirectory = 22
    static let zip64EndOfCentralDirectory = 56
    static let zip64Locator = 20
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for bodies that throw `ZipError` (the standard one is not typed-throws).
    func withZipBytes<Result>(_ body: (UnsafeRawBufferPointer) throws(ZipError) -> Result) throws(ZipError) -> Result {
        var outcome: Swift.Result<Result, ZipError>?
        withUnsafeBytes { raw in outcome = Swift.Result { () throws(ZipError) in try body(raw) } }
        return try outcome!.get()
    }
}

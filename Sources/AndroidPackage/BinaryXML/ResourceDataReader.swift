/// Little-endian reads over untrusted bytes for the chunk formats (AXML, resources.arsc). Every
/// read checks its bounds first and fails with `BinaryXMLError.truncated` naming the offset.
struct ResourceDataReader: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var count: Int { bytes.count }

    @inline(__always)
    func require(_ offset: Int, _ length: Int) throws(BinaryXMLError) {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw .truncated(offset: offset, needed: length)
        }
    }

    func u8(_ offset: Int) throws(BinaryXMLError) -> UInt8 {
        try require(offset, 1)
        return bytes[offset]
    }

    func u16(_ offset: Int) throws(BinaryXMLError) -> UInt16 {
        try require(offset, 2)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) throws(BinaryXMLError) -> UInt32 {
        try require(offset, 4)
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    func slice(_ offset: Int, _ length: Int) throws(BinaryXMLError) -> [UInt8] {
        try require(offset, length)
        return length == 0 ? [] : Array(bytes[offset..<(offset + length)])
    }

    /// `count` little-endian 16-bit units starting at `offset`, read in one pass.
    func units16(_ offset: Int, count: Int) throws(BinaryXMLError) -> [UInt16] {
        guard count >= 0, count <= Int.max / 2 else { throw .truncated(offset: offset, needed: Int.max) }
        try require(offset, count * 2)
        return [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                for index in 0..<count {
                    let at = offset + index * 2
                    buffer[index] = UInt16(raw[at]) | UInt16(raw[at + 1]) << 8
                }
            }
            initialized = count
        }
    }
}

/// Little-endian appends for the writers.
extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLE(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }

    mutating func patchLE(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { self[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(index * 8)) }
    }
}

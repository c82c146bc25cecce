/// Little-endian reads over untrusted bytes. Every read checks its bounds first and fails with
/// the caller's own error type, so each parser reports truncation in its own terms.
struct ResourceDataReader<Failure: Error>: Sendable {
    let bytes: [UInt8]
    /// Builds the parser's error for a read of `needed` bytes at `offset` that does not fit.
    let truncated: @Sendable (_ offset: Int, _ needed: Int) -> Failure

    init(_ bytes: [UInt8], truncated: @escaping @Sendable (_ offset: Int, _ needed: Int) -> Failure) {
        self.bytes = bytes
        self.truncated = truncated
    }

    var count: Int { bytes.count }

    func require(_ offset: Int, _ length: Int, within end: Int? = nil) throws(Failure) {
        let limit = min(end ?? bytes.count, bytes.count)
        guard offset >= 0, length >= 0, offset <= limit, length <= limit - offset else {
            throw truncated(offset, length)
        }
    }

    func u8(_ offset: Int) throws(Failure) -> UInt8 {
        try require(offset, 1)
        return bytes[offset]
    }

    func u16(_ offset: Int) throws(Failure) -> UInt16 {
        try require(offset, 2)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) throws(Failure) -> UInt32 {
        try require(offset, 4)
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    func slice(_ offset: Int, _ length: Int) throws(Failure) -> [UInt8] {
        try require(offset, length)
        return Array(bytes[offset..<(offset + length)])
    }
}

/// Little-endian appends for the writers.
extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func patchLE(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { self[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(index * 8)) }
    }
}

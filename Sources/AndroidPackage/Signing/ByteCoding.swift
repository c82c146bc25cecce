import Foundation

/// Appends little-endian integers and length-prefixed fields, the encoding every APK
/// Signature Scheme structure uses.
struct LittleEndianWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func uint16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func uint32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func uint64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func raw<C: Collection>(_ data: C) where C.Element == UInt8 { bytes.append(contentsOf: data) }

    mutating func zeros(_ count: Int) { bytes.append(contentsOf: repeatElement(0, count: count)) }

    /// A uint32 length followed by the bytes.
    mutating func lengthPrefixed<C: Collection>(_ data: C) where C.Element == UInt8 {
        uint32(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    /// A uint32 length followed by each element, itself length-prefixed.
    mutating func lengthPrefixedSequence(_ elements: [[UInt8]]) {
        var inner = LittleEndianWriter()
        for element in elements { inner.lengthPrefixed(element) }
        lengthPrefixed(inner.bytes)
    }
}

/// Reads little-endian fields from untrusted bytes. Every read checks the bounds first and
/// reports the absolute offset (`base` + position) where the structure ran out.
struct LittleEndianReader {
    let bytes: ArraySlice<UInt8>
    let structure: String
    /// Offset of `bytes.startIndex` in the file, for error messages.
    let base: Int
    private(set) var position: Int

    init(_ bytes: ArraySlice<UInt8>, structure: String, base: Int = 0) {
        self.bytes = bytes
        self.structure = structure
        self.base = base
        self.position = bytes.startIndex
    }

    init(_ bytes: [UInt8], structure: String, base: Int = 0) {
        self.init(bytes[...], structure: structure, base: base)
    }

    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { position == bytes.endIndex }
    /// Offset in the file of the next byte to read.
    var fileOffset: Int { base + (position - bytes.startIndex) }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw ApkSigningError.truncated(structure: structure, offset: fileOffset, needed: count - remaining)
        }
        let slice = bytes[position..<(position + count)]
        position += count
        return slice
    }

    mutating func uint16() throws -> UInt16 {
        let field = try take(2)
        return UInt16(field[field.startIndex]) | UInt16(field[field.startIndex + 1]) << 8
    }

    mutating func uint32() throws -> UInt32 {
        let field = try take(4)
        var value: UInt32 = 0
        for (index, byte) in field.enumerated() { value |= UInt32(byte) << UInt32(8 * index) }
        return value
    }

    mutating func uint64() throws -> UInt64 {
        let field = try take(8)
        var value: UInt64 = 0
        for (index, byte) in field.enumerated() { value |= UInt64(byte) << UInt64(8 * index) }
        return value
    }

    mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> { try take(count) }

    /// A uint32 length and that many bytes; the length is checked against what is left.
    mutating func lengthPrefixed() throws -> ArraySlice<UInt8> {
        let lengthOffset = fileOffset
        let length = try uint32()
        guard let count = Int(exactly: length), count <= remaining else {
            throw ApkSigningError.malformed(structure: structure, offset: lengthOffset,
                                            reason: "length \(length) exceeds the \(remaining) bytes left")
        }
        return try take(count)
    }

    /// A reader over the next length-prefixed field, so nested structures report file offsets.
    mutating func lengthPrefixedReader(_ structure: String) throws -> LittleEndianReader {
        let start = fileOffset + 4
        let field = try lengthPrefixed()
        return LittleEndianReader(field, structure: structure, base: start)
    }

    /// Every element of a length-prefixed sequence of length-prefixed elements, each as a reader.
    /// `limit` caps how many elements hostile input may declare.
    mutating func lengthPrefixedElements(_ structure: String, limit: Int) throws -> [LittleEndianReader] {
        var sequence = try lengthPrefixedReader(structure)
        var elements: [LittleEndianReader] = []
        while !sequence.isAtEnd {
            guard elements.count < limit else {
                throw ApkSigningError.malformed(structure: structure, offset: sequence.fileOffset,
                                                reason: "more than \(limit) elements")
            }
            elements.append(try sequence.lengthPrefixedReader(structure))
        }
        return elements
    }
}

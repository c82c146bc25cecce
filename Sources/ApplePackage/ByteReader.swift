/// Bounds-checked reads at absolute offsets in a window of a byte array. Every read throws `truncated` with the
/// absolute offset (from the start of `bytes`) instead of trapping, so hostile input cannot crash.
struct ByteReader {
    enum Endian { case little, big }

    let bytes: [UInt8]
    /// The window this reader may touch, in absolute offsets into `bytes`.
    let start: Int
    let end: Int
    var endian: Endian
    let structure: String

    init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil, endian: Endian = .little, structure: String) {
        self.bytes = bytes
        self.start = max(0, min(start, bytes.count))
        self.end = max(self.start, min(end ?? bytes.count, bytes.count))
        self.endian = endian
        self.structure = structure
    }

    /// A reader over `[offset, offset + length)` of this window, checked to fit inside it.
    func window(at offset: Int, length: Int, structure: String) throws(ApplePackageError) -> ByteReader {
        try require(offset, length, structure: structure)
        return ByteReader(bytes, start: offset, end: offset + length, endian: endian, structure: structure)
    }

    func require(_ offset: Int, _ length: Int, structure: String? = nil) throws(ApplePackageError) {
        let (limit, overflow) = offset.addingReportingOverflow(length)
        guard offset >= start, length >= 0, !overflow, limit <= end else {
            throw .truncated(structure: structure ?? self.structure, offset: offset, needed: length)
        }
    }

    func uint8(at offset: Int) throws(ApplePackageError) -> UInt8 {
        try require(offset, 1)
        return bytes[offset]
    }

    func uint32(at offset: Int) throws(ApplePackageError) -> UInt32 {
        UInt32(truncatingIfNeeded: try unsigned(at: offset, width: 4))
    }

    func uint64(at offset: Int) throws(ApplePackageError) -> UInt64 {
        try unsigned(at: offset, width: 8)
    }

    private func unsigned(at offset: Int, width: Int) throws(ApplePackageError) -> UInt64 {
        try require(offset, width)
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = UInt64(bytes[offset + (endian == .big ? index : width - 1 - index)])
            value = value << 8 | byte
        }
        return value
    }

    func slice(at offset: Int, length: Int) throws(ApplePackageError) -> ArraySlice<UInt8> {
        try require(offset, length)
        return bytes[offset..<(offset + length)]
    }

    /// A fixed-width name field (segment and section names): bytes up to the first NUL.
    func fixedString(at offset: Int, width: Int) throws(ApplePackageError) -> String {
        let field = try slice(at: offset, length: width)
        return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A NUL-terminated string starting at `offset` that must end inside the window.
    func cString(at offset: Int, structure: String) throws(ApplePackageError) -> String {
        try require(offset, 0, structure: structure)
        guard let terminator = bytes[offset..<end].firstIndex(of: 0) else {
            throw .malformed(structure: structure, offset: offset, expected: "a NUL-terminated string")
        }
        return String(decoding: bytes[offset..<terminator], as: UTF8.self)
    }

    /// An untrusted 32/64-bit field converted to an offset or count, or `malformed` when it cannot be one.
    func integer(_ value: UInt64, at offset: Int, field: String) throws(ApplePackageError) -> Int {
        guard let converted = Int(exactly: value) else {
            throw .malformed(structure: structure, offset: offset, expected: "\(field) that fits in memory, got \(value)")
        }
        return converted
    }
}

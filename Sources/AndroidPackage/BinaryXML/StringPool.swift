/// A ResStringPool chunk (type 0x0001), as used by binary XML and resources.arsc.
///
/// Strings are kept as the code units they were stored as (UTF-16 units, or UTF-8 bytes with
/// the declared UTF-16 length), so writing them back reproduces the input even when a string is
/// not valid Unicode. A pool whose layout is not the canonical one aapt writes (shared or
/// out-of-order offsets, odd padding) keeps its original string region until it is edited;
/// editing rewrites the region canonically.
public struct StringPool: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable { case utf8, utf16 }

    enum Entry: Sendable, Equatable {
        case utf16([UInt16])
        case utf8(bytes: [UInt8], utf16Length: Int)
    }

    static let chunkType: UInt16 = 0x0001
    static let utf8Flag: UInt32 = 0x100
    static let sortedFlag: UInt32 = 0x1
    /// Largest length either encoding can state in its two-unit form.
    static let maxUTF8Length = 0x7FFF
    static let maxUTF16Length = 0x7FFF_FFFF

    public private(set) var encoding: Encoding
    public private(set) var strings: [String]
    private(set) var entries: [Entry]
    var flags: UInt32
    /// Header bytes past the standard 28 (kept for an exact rewrite).
    var headerExtra: [UInt8]
    /// Offsets of the style span lists, relative to the style data, one per styled string.
    var styleOffsets: [UInt32]
    /// Span lists as stored (each list ends with 0xFFFFFFFF), written back verbatim.
    var styleData: [UInt8]
    /// A styles-start field written by some tools although there are no styles; Android
    /// ignores it. Kept until the pool is edited.
    var unusedStylesStart: UInt32 = 0
    /// The original string offsets and string region when they are not the canonical layout.
    private var preservedLayout: (offsets: [UInt32], region: [UInt8])?

    public var count: Int { strings.count }
    public var styleCount: Int { styleOffsets.count }

    public static func == (lhs: StringPool, rhs: StringPool) -> Bool {
        lhs.encoding == rhs.encoding && lhs.entries == rhs.entries && lhs.flags == rhs.flags
            && lhs.headerExtra == rhs.headerExtra && lhs.styleOffsets == rhs.styleOffsets
            && lhs.styleData == rhs.styleData && lhs.unusedStylesStart == rhs.unusedStylesStart
            && lhs.preservedLayout?.offsets == rhs.preservedLayout?.offsets
            && lhs.preservedLayout?.region == rhs.preservedLayout?.region
    }

    /// An empty pool, for documents built from scratch.
    public init(encoding: Encoding) {
        self.encoding = encoding
        strings = []
        entries = []
        flags = encoding == .utf8 ? Self.utf8Flag : 0
        headerExtra = []
        styleOffsets = []
        styleData = []
        preservedLayout = nil
    }

    public func string(at index: Int) -> String? {
        index >= 0 && index < strings.count ? strings[index] : nil
    }

    /// Whether the pool is laid out exactly as it would be written from scratch.
    public var isCanonicalLayout: Bool { preservedLayout == nil }

    // MARK: Reading

    /// Where a pool's parts are, from its header; every offset checked against the chunk.
    struct Layout {
        let headerSize: Int
        let flags: UInt32
        let encoding: Encoding
        let offsets: [UInt32]
        let styleOffsets: [UInt32]
        let stylesStart: Int
        /// Absolute offset and length of the string data.
        let regionAbsolute: Int
        let regionLength: Int

        init(reader: ResourceDataReader, start: Int, size: Int) throws(BinaryXMLError) {
            headerSize = Int(try reader.u16(start + 2))
            guard headerSize >= 28, headerSize <= size else {
                throw .malformedStringPool(offset: start, reason: "header size \(headerSize) with chunk size \(size)")
            }
            let stringCount = Int(try reader.u32(start + 8))
            let styleCount = Int(try reader.u32(start + 12))
            flags = try reader.u32(start + 16)
            let stringsStart = Int(try reader.u32(start + 20))
            stylesStart = Int(try reader.u32(start + 24))
            let offsetsEnd = headerSize.addingReportingOverflow((stringCount + styleCount) * 4)
            guard stringCount <= size / 4, styleCount <= size / 4, !offsetsEnd.overflow, offsetsEnd.partialValue <= size else {
                throw .malformedStringPool(offset: start + 8,
                                           reason: "\(stringCount) strings and \(styleCount) styles do not fit in \(size) bytes")
            }
            encoding = flags & StringPool.utf8Flag != 0 ? .utf8 : .utf16
            // Where the string region ends: at the styles when there are any, else at the chunk end.
            let regionStart = stringCount == 0 && stringsStart == 0 ? offsetsEnd.partialValue : stringsStart
            let regionEnd = styleCount > 0 ? stylesStart : size
            guard regionStart >= offsetsEnd.partialValue, regionStart <= regionEnd, regionEnd <= size else {
                throw .malformedStringPool(offset: start + 20,
                                           reason: "strings start \(stringsStart), styles start \(stylesStart), chunk size \(size)")
            }
            guard regionStart == offsetsEnd.partialValue else {
                throw .malformedStringPool(offset: start + 20,
                                           reason: "gap between the offset table and the strings (start \(stringsStart))")
            }
            var offsets: [UInt32] = []
            offsets.reserveCapacity(stringCount)
            for index in 0..<stringCount { offsets.append(try reader.u32(start + headerSize + index * 4)) }
            var styleOffsets: [UInt32] = []
            styleOffsets.reserveCapacity(styleCount)
            for index in 0..<styleCount {
                styleOffsets.append(try reader.u32(start + headerSize + (stringCount + index) * 4))
            }
            regionAbsolute = start + regionStart
            regionLength = regionEnd - regionStart
            for (index, offset) in offsets.enumerated() where Int(offset) >= regionLength {
                throw .malformedStringPool(offset: start + headerSize + index * 4,
                                           reason: "string #\(index) offset \(offset) is past the string data (\(regionLength) bytes)")
            }
            self.offsets = offsets
            self.styleOffsets = styleOffsets
        }

        /// String `index`, read and checked only now (Android's ResStringPool also checks lazily).
        func string(at index: Int, in reader: ResourceDataReader) -> String? {
            guard index >= 0, index < offsets.count,
                  let entry = try? StringPool.readEntry(reader, at: regionAbsolute + Int(offsets[index]),
                                                        end: regionAbsolute + regionLength, encoding: encoding, index: index)
            else { return nil }
            return StringPool.decode(entry)
        }
    }

    /// Parses the pool chunk that starts at `start` and spans `size` bytes of `reader`.
    init(reader: ResourceDataReader, start: Int, size: Int) throws(BinaryXMLError) {
        let layout = try Layout(reader: reader, start: start, size: size)
        let (headerSize, flags, encoding, offsets, styleOffsets) =
            (layout.headerSize, layout.flags, layout.encoding, layout.offsets, layout.styleOffsets)
        let stylesStart = layout.stylesStart
        let styleCount = styleOffsets.count
        let regionAbsolute = layout.regionAbsolute
        let regionLength = layout.regionLength
        var entries: [Entry] = []
        var strings: [String] = []
        entries.reserveCapacity(offsets.count)
        strings.reserveCapacity(offsets.count)
        // Whether the strings sit back to back in order, each in its shortest length form, as
        // aapt writes them; checked as they are read so a canonical pool costs nothing extra.
        var canonical = true
        var expectedOffset = 0
        for (index, offset) in offsets.enumerated() {
            let entry = try Self.readEntry(reader, at: regionAbsolute + Int(offset), end: regionAbsolute + regionLength,
                                           encoding: encoding, index: index)
            if canonical {
                canonical = Int(offset) == expectedOffset
                    && Self.encodedLength(entry) == Self.storedLength(reader, at: regionAbsolute + Int(offset), entry)
                expectedOffset += Self.encodedLength(entry)
            }
            entries.append(entry)
            strings.append(Self.decode(entry))
        }
        if canonical {
            let paddedEnd = (expectedOffset + 3) & ~3
            canonical = paddedEnd == regionLength
                && reader.bytes[(regionAbsolute + expectedOffset)..<(regionAbsolute + regionLength)].allSatisfy { $0 == 0 }
        }

        self.encoding = encoding
        self.entries = entries
        self.strings = strings
        self.flags = flags
        headerExtra = try reader.slice(start + 28, headerSize - 28)
        self.styleOffsets = styleOffsets
        styleData = styleCount > 0 ? try reader.slice(start + stylesStart, size - stylesStart) : []
        unusedStylesStart = styleCount == 0 ? UInt32(stylesStart) : 0
        preservedLayout = canonical ? nil : (offsets, try reader.slice(regionAbsolute, regionLength))
    }

    /// Bytes an entry takes when written in the shortest length form, terminator included.
    private static func encodedLength(_ entry: Entry) -> Int {
        switch entry {
        case let .utf16(units): return (units.count > 0x7FFF ? 4 : 2) + units.count * 2 + 2
        case let .utf8(bytes, utf16Length):
            return (utf16Length > 0x7F ? 2 : 1) + (bytes.count > 0x7F ? 2 : 1) + bytes.count + 1
        }
    }

    /// Bytes the entry took where it was read (its length fields may use the long form needlessly).
    private static func storedLength(_ reader: ResourceDataReader, at offset: Int, _ entry: Entry) -> Int {
        switch entry {
        case let .utf16(units):
            let long = (try? reader.u16(offset)).map { $0 & 0x8000 != 0 } ?? false
            return (long ? 4 : 2) + units.count * 2 + 2
        case let .utf8(bytes, _):
            var cursor = offset
            for _ in 0..<2 { cursor += ((try? reader.u8(cursor)) ?? 0) & 0x80 != 0 ? 2 : 1 }
            return cursor - offset + bytes.count + 1
        }
    }

    static func readEntry(_ reader: ResourceDataReader, at offset: Int, end: Int,
                                  encoding: Encoding, index: Int) throws(BinaryXMLError) -> Entry {
        let notTerminated = BinaryXMLError.stringNotTerminated(offset: offset, index: index)
        var cursor = offset
        // Every read below is first checked against the end of the string region, not the file.
        func fits(_ length: Int) -> Bool { length >= 0 && cursor <= end && length <= end - cursor }
        switch encoding {
        case .utf16:
            guard fits(2) else { throw notTerminated }
            var length = Int(try reader.u16(cursor))
            cursor += 2
            if length & 0x8000 != 0 {
                guard fits(2) else { throw notTerminated }
                length = (length & 0x7FFF) << 16 | Int(try reader.u16(cursor))
                cursor += 2
            }
            guard length < Int.max / 2, fits(length * 2 + 2) else { throw notTerminated }
            let units = try reader.units16(cursor, count: length)
            guard try reader.u16(cursor + length * 2) == 0 else { throw notTerminated }
            return .utf16(units)
        case .utf8:
            func length() throws(BinaryXMLError) -> Int {
                guard fits(1) else { throw notTerminated }
                let first = Int(try reader.u8(cursor))
                cursor += 1
                guard first & 0x80 != 0 else { return first }
                guard fits(1) else { throw notTerminated }
                let second = Int(try reader.u8(cursor))
                cursor += 1
                return (first & 0x7F) << 8 | second
            }
            let utf16Length = try length()
            let byteLength = try length()
            guard fits(byteLength + 1) else { throw notTerminated }
            let bytes = try reader.slice(cursor, byteLength)
            guard try reader.u8(cursor + byteLength) == 0 else { throw notTerminated }
            return .utf8(bytes: bytes, utf16Length: utf16Length)
        }
    }

    static func decode(_ entry: Entry) -> String {
        switch entry {
        case let .utf16(units): return String(decoding: units, as: UTF16.self)
        case let .utf8(bytes, _): return String(decoding: bytes, as: UTF8.self)
        }
    }

    // MARK: Editing

    /// The index of `value`, adding it at the end when the pool lacks it.
    mutating func intern(_ value: String) throws(BinaryXMLEditError) -> UInt32 {
        if let existing = strings.firstIndex(of: value) { return UInt32(existing) }
        try insert(value, at: strings.count)
        return UInt32(strings.count - 1)
    }

    /// Inserts a string at `index`; the caller renumbers every reference at or above it.
    mutating func insert(_ value: String, at index: Int) throws(BinaryXMLEditError) {
        if index < styleOffsets.count { throw .styledStringsInResourceRegion }
        let entry: Entry
        switch encoding {
        case .utf16:
            let units = Array(value.utf16)
            guard units.count <= Self.maxUTF16Length else { throw .stringTooLong(length: units.count) }
            entry = .utf16(units)
        case .utf8:
            let bytes = Array(value.utf8)
            let utf16Length = value.utf16.count
            guard bytes.count <= Self.maxUTF8Length, utf16Length <= Self.maxUTF8Length else {
                throw .stringTooLong(length: bytes.count)
            }
            entry = .utf8(bytes: bytes, utf16Length: utf16Length)
        }
        entries.insert(entry, at: index)
        strings.insert(value, at: index)
        renumberStyleSpans(from: UInt32(index))
        preservedLayout = nil
        unusedStylesStart = 0
        flags &= ~Self.sortedFlag
    }

    /// Style spans name their tag (`b`, `i`) by string index; those at or above an inserted
    /// string move up by one like every other reference.
    private mutating func renumberStyleSpans(from first: UInt32) {
        let end: UInt32 = 0xFFFF_FFFF
        func word(_ at: Int) -> UInt32 {
            UInt32(styleData[at]) | UInt32(styleData[at + 1]) << 8 | UInt32(styleData[at + 2]) << 16 | UInt32(styleData[at + 3]) << 24
        }
        var visited = Set<Int>()
        for offset in styleOffsets {
            var at = Int(offset)
            // Each span is name, first char, last char; the list ends with an END word.
            while at >= 0, at + 4 <= styleData.count, visited.insert(at).inserted {
                let name = word(at)
                if name == end { break }
                guard at + 12 <= styleData.count else { break }
                if name >= first { styleData.patchLE(name + 1, at: at) }
                at += 12
            }
        }
    }

    // MARK: Writing

    /// The canonical offsets and string region: entries back to back, padded with zeros to 4 bytes.
    private static func layOut(_ entries: [Entry], encoding: Encoding) -> (offsets: [UInt32], region: [UInt8]) {
        var region: [UInt8] = []
        var offsets: [UInt32] = []
        offsets.reserveCapacity(entries.count)
        for entry in entries {
            offsets.append(UInt32(region.count))
            switch entry {
            case let .utf16(units):
                if units.count > 0x7FFF {
                    region.appendLE(UInt16(0x8000 | (units.count >> 16)))
                    region.appendLE(UInt16(truncatingIfNeeded: units.count))
                } else {
                    region.appendLE(UInt16(units.count))
                }
                for unit in units { region.appendLE(unit) }
                region.appendLE(UInt16(0))
            case let .utf8(bytes, utf16Length):
                appendUTF8Length(utf16Length, to: &region)
                appendUTF8Length(bytes.count, to: &region)
                region += bytes
                region.append(0)
            }
        }
        while region.count % 4 != 0 { region.append(0) }
        return (offsets, region)
    }

    private static func appendUTF8Length(_ length: Int, to region: inout [UInt8]) {
        if length > 0x7F {
            region.append(UInt8(0x80 | (length >> 8)))
            region.append(UInt8(truncatingIfNeeded: length))
        } else {
            region.append(UInt8(length))
        }
    }

    /// The whole chunk, header included.
    func encoded() -> [UInt8] {
        let layout = preservedLayout ?? Self.layOut(entries, encoding: encoding)
        let headerSize = 28 + headerExtra.count
        let stringsStart = headerSize + (layout.offsets.count + styleOffsets.count) * 4
        let stylesStart = styleOffsets.isEmpty ? Int(unusedStylesStart) : stringsStart + layout.region.count
        let size = stringsStart + layout.region.count + styleData.count
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.appendLE(Self.chunkType)
        out.appendLE(UInt16(headerSize))
        out.appendLE(UInt32(size))
        out.appendLE(UInt32(layout.offsets.count))
        out.appendLE(UInt32(styleOffsets.count))
        out.appendLE(flags)
        out.appendLE(UInt32(entries.isEmpty && styleOffsets.isEmpty ? 0 : stringsStart))
        out.appendLE(UInt32(stylesStart))
        out += headerExtra
        for offset in layout.offsets { out.appendLE(offset) }
        for offset in styleOffsets { out.appendLE(offset) }
        out += layout.region
        out += styleData
        return out
    }
}

/// How alignment padding is put into a local header's extra field.
public enum ZipAlignmentStyle: String, Sendable, CaseIterable {
    /// Zero bytes appended to the extra field, as zipalign does.
    case zipalign
    /// An extra record with header 0xD935 holding the alignment (UInt16) and zero padding, as apksigner does.
    case apksigner
}

/// How a new entry's data is stored.
public enum ZipWriteMethod: Sendable, Hashable {
    case stored
    /// Raw deflate at zlib level 0–9.
    case deflated(level: Int)
}

public struct ZipWriterOptions: Sendable, Equatable {
    public var alignmentStyle: ZipAlignmentStyle
    /// The archive comment written into the end record.
    public var comment: [UInt8]
    /// Accept entry names that are absolute or contain `..`, backslashes or NUL.
    public var allowUnsafeNames: Bool
    /// Write zip64 records even when no size requires them (for tests of the zip64 paths).
    public var forceZip64: Bool
    /// Whether `finish` fsyncs before the rename; by default from `APPSEAL_DURABLE`.
    public var durability: OutputDurability
    /// About how large the archive will be (a rewrite: its input's size). The temporary file is
    /// preallocated to it, which saves the file system work per page; the finished file has its real length.
    public var expectedSize: UInt64?

    public init(alignmentStyle: ZipAlignmentStyle = .zipalign, comment: [UInt8] = [],
                allowUnsafeNames: Bool = false, forceZip64: Bool = false,
                durability: OutputDurability = .fromEnvironment, expectedSize: UInt64? = nil) {
        self.alignmentStyle = alignmentStyle
        self.comment = comment
        self.allowUnsafeNames = allowUnsafeNames
        self.forceZip64 = forceZip64
        self.durability = durability
        self.expectedSize = expectedSize
    }
}

/// What the writer is about to finish: a signer digests these parts and returns the APK
/// Signing Block to insert between the entries and the central directory.
public struct ZipWriterLayout: Sendable {
    /// The temporary file holding the entries written so far (bytes 0..<entriesLength).
    public let temporaryPath: String
    public let entriesLength: UInt64
    /// The central directory as it will be written.
    public let centralDirectory: [UInt8]
    /// The end records (zip64 end record and locator when needed, then the classic end record)
    /// as they would be without a block: the central directory offset equals `entriesLength`.
    public let endOfCentralDirectory: [UInt8]
}

/// Writes a new ZIP archive to a temporary file beside the destination and moves it into
/// place only in `finish`. Dropping an unfinished writer removes the temporary file.
/// Output is a function of the calls made: no clocks, no host data.
public final class ZipWriter {
    public let destination: String
    public let options: ZipWriterOptions
    private let output: OutputFile
    private var centralRecords: [UInt8] = []
    private var entryCount: UInt64 = 0
    private var names: Set<EntryName> = []
    private var finished = false

    /// DOS date of 1980-01-01 00:00, the earliest a ZIP can say; the default for new entries.
    public static let defaultDOSDate: UInt16 = (0 << 9) | (1 << 5) | 1
    public static let defaultDOSTime: UInt16 = 0

    public init(destination: String, options: ZipWriterOptions = ZipWriterOptions()) throws(ZipError) {
        self.destination = destination
        self.options = options
        output = try OutputFile(destination: destination, durability: options.durability, sizeHint: options.expectedSize)
    }

    /// The size of the archive once `finish` has completed.
    public private(set) var finishedSize: UInt64?

    /// Bytes written so far; also the offset the next entry's local header will have.
    public var position: UInt64 { output.position }

    /// Copies an entry as it is stored (compressed bytes untouched, no inflate or deflate).
    /// Old alignment padding and zip64 records are dropped from its local extra and new
    /// padding is added so its data starts at a multiple of `alignment`.
    public func copyRaw(_ entry: ZipEntry, from archive: ZipArchive, alignment: Int? = nil) throws(ZipError) {
        try keepingConsistent { () throws(ZipError) in try copyRawEntry(entry, from: archive, alignment: alignment) }
    }

    private func copyRawEntry(_ entry: ZipEntry, from archive: ZipArchive, alignment: Int?) throws(ZipError) {
        let descriptor = EntryDescriptor(
            rawName: entry.rawName, name: entry.name, versionMadeBy: entry.versionMadeBy,
            versionNeeded: entry.versionNeeded, flags: entry.flags & ~ZipFlags.dataDescriptor,
            method: entry.method.rawValue, dosTime: entry.dosTime, dosDate: entry.dosDate,
            crc32: entry.crc32, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize,
            localExtra: ZipExtra.removingLayoutRecords(entry.localExtra),
            centralExtra: ZipExtra.removingLayoutRecords(entry.centralExtra), comment: entry.comment,
            internalAttributes: entry.internalAttributes, externalAttributes: entry.externalAttributes)
        let data = ZipRegion(offset: entry.dataOffset, length: entry.compressedSize)
        do throws(ZipError) {
            let headerOffset = output.position
            let (header, _) = try prepareLocalHeader(descriptor, alignment: alignment)
            if header == entry.localHeaderRecord {
                // Unchanged: the header is copied with its data, so a run of untouched entries
                // becomes one range of the input and one copy.
                try output.append(from: archive.file, range: ZipRegion(offset: entry.localHeaderOffset,
                                                                       length: UInt64(header.count) + data.length),
                                  entry: entry.name)
            } else {
                try output.write(header)
                try output.append(from: archive.file, range: data, entry: entry.name)
            }
            appendCentralRecord(descriptor, localHeaderOffset: headerOffset)
        } catch {
            throw error.forEntry(entry.name).inArchive(archive.path)
        }
    }

    /// Adds an entry from bytes in memory.
    public func add(name: String, data: [UInt8], method: ZipWriteMethod, alignment: Int? = nil,
                    dosTime: UInt16 = ZipWriter.defaultDOSTime, dosDate: UInt16 = ZipWriter.defaultDOSDate,
                    externalAttributes: UInt32 = 0) throws(ZipError) {
        try keepingConsistent { () throws(ZipError) in
            try addEntry(name: name, data: data, method: method, alignment: alignment, dosTime: dosTime,
                         dosDate: dosDate, externalAttributes: externalAttributes)
        }
    }

    private func addEntry(name: String, data: [UInt8], method: ZipWriteMethod, alignment: Int?, dosTime: UInt16,
                          dosDate: UInt16, externalAttributes: UInt32) throws(ZipError) {
        let crc = CRC32.checksum(data)
        var stored = data
        var methodValue: UInt16 = 0
        if case let .deflated(level) = method {
            stored = try ZipWriter.deflate(data, level: level)
            methodValue = 8
        }
        let descriptor = try newEntry(name: name, method: methodValue, dosTime: dosTime, dosDate: dosDate,
                                      crc32: crc, compressedSize: UInt64(stored.count),
                                      uncompressedSize: UInt64(data.count), externalAttributes: externalAttributes)
        try writeEntry(descriptor, alignment: alignment) { () throws(ZipError) in try output.write(stored) }
    }

    /// Adds an entry whose data arrives in chunks: `produce` calls `write` as often as it likes.
    /// The local header is completed once the data is known, so memory stays bounded.
    /// `expectedSize` (when known) decides whether room for zip64 sizes is reserved up front.
    public func add(name: String, method: ZipWriteMethod, alignment: Int? = nil,
                    dosTime: UInt16 = ZipWriter.defaultDOSTime, dosDate: UInt16 = ZipWriter.defaultDOSDate,
                    externalAttributes: UInt32 = 0, expectedSize: UInt64? = nil,
                    produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let start = output.position
        do {
            try addStreamedEntry(name: name, method: method, alignment: alignment, dosTime: dosTime, dosDate: dosDate,
                                 externalAttributes: externalAttributes, expectedSize: expectedSize, produce: produce)
        } catch {
            if output.position != start { cancel() }
            throw error
        }
    }

    private func addStreamedEntry(name: String, method: ZipWriteMethod, alignment: Int?, dosTime: UInt16, dosDate: UInt16,
                                  externalAttributes: UInt32, expectedSize: UInt64?,
                                  produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let large = expectedSize.map { $0 >= ZipWriter.zip64Threshold / 2 } ?? true
        var descriptor = try newEntry(name: name, method: method == .stored ? 0 : 8, dosTime: dosTime, dosDate: dosDate,
                                      crc32: 0, compressedSize: 0, uncompressedSize: 0,
                                      externalAttributes: externalAttributes)
        descriptor.reserveZip64 = large || options.forceZip64
        let headerOffset = output.position
        var crc = CRC32()
        var uncompressed: UInt64 = 0
        let (dataStart, padding) = try writeLocalHeader(descriptor, alignment: alignment)
        switch method {
        case .stored:
            try produce { chunk in
                crc.update(chunk)
                uncompressed += UInt64(chunk.count)
                try self.output.write(chunk)
            }
        case let .deflated(level):
            let deflater = try Deflater(level: try ZipWriter.checkedLevel(level))
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { scratch.deallocate() }
            try produce { chunk in
                crc.update(chunk)
                uncompressed += UInt64(chunk.count)
                try deflater.compress(chunk, finish: false, scratch: scratch) { (out) throws(ZipError) in try self.output.write(out) }
            }
            try deflater.compress(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, scratch: scratch) {
                (out) throws(ZipError) in try self.output.write(out)
            }
        }
        descriptor.crc32 = crc.value
        descriptor.uncompressedSize = uncompressed
        descriptor.compressedSize = output.position - dataStart
        if !descriptor.reserveZip64 && (descriptor.compressedSize >= ZipWriter.zip64Threshold
                                        || descriptor.uncompressedSize >= ZipWriter.zip64Threshold) {
            throw ZipError(.invalidRequest,
                           "entry grew to \(descriptor.uncompressedSize) bytes, past the 4 GiB its header had room for; pass expectedSize",
                           entry: name)
        }
        try output.patch(localHeader(descriptor, extraPadding: padding), at: headerOffset)
        appendCentralRecord(descriptor, localHeaderOffset: headerOffset)
    }

    /// Writes the APK Signing Block the hook returns (if any), the central directory and the
    /// end records; then renames the file into place (fsynced first when `options.durability`
    /// is `.durable`).
    public func finish(insertingBeforeCentralDirectory hook: ((ZipWriterLayout) throws -> [UInt8])? = nil) throws {
        guard !finished, output.isOpen else {
            throw ZipError(.invalidRequest, "archive was already finished or cancelled", archive: destination)
        }
        do {
            try output.flush()
            let entriesLength = output.position
            var block: [UInt8] = []
            if let hook {
                let layout = ZipWriterLayout(temporaryPath: output.temporaryPath, entriesLength: entriesLength,
                                             centralDirectory: centralRecords,
                                             endOfCentralDirectory: endRecords(centralDirectoryOffset: entriesLength))
                block = try hook(layout)
            }
            try output.write(block)
            let directoryOffset = output.position
            try output.write(centralRecords)
            try output.write(endRecords(centralDirectoryOffset: directoryOffset))
            finishedSize = output.position
            try output.commit()
            finished = true
        } catch {
            output.discard()
            throw error
        }
    }

    /// Stops writing and removes the temporary file.
    public func cancel() {
        output.discard()
    }

    // MARK: Internals

    /// A failure after some of an entry's bytes were written leaves an archive that cannot be
    /// completed: the writer is cancelled (temporary file removed) and every later call fails.
    /// A refusal before anything was written (a duplicate name, a bad alignment) leaves it usable.
    private func keepingConsistent(_ body: () throws(ZipError) -> Void) throws(ZipError) {
        let start = output.position
        do {
            try body()
        } catch {
            if output.position != start { cancel() }
            throw error
        }
    }

    static let zip64Threshold: UInt64 = 0xFFFF_FFFF

    /// A name's bytes, hashed in one call rather than byte by byte as `[UInt8]` hashes itself.
    struct EntryName: Hashable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    struct EntryDescriptor {
        var rawName: [UInt8]
        var name: String
        var versionMadeBy: UInt16
        var versionNeeded: UInt16
        var flags: UInt16
        var method: UInt16
        var dosTime: UInt16
        var dosDate: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localExtra: [UInt8]
        var centralExtra: [UInt8]
        var comment: [UInt8]
        var internalAttributes: UInt16
        var externalAttributes: UInt32
        var reserveZip64 = false

        var needsZip64Sizes: Bool {
            reserveZip64 || compressedSize >= ZipWriter.zip64Threshold || uncompressedSize >= ZipWriter.zip64Threshold
        }
    }

    private func newEntry(name: String, method: UInt16, dosTime: UInt16, dosDate: UInt16, crc32: UInt32,
                          compressedSize: UInt64, uncompressedSize: UInt64,
                          externalAttributes: UInt32) throws(ZipError) -> EntryDescriptor {
        // Non-ASCII names are written as UTF-8 and flagged so (bit 11).
        let isASCII = name.utf8.allSatisfy { $0 < 0x80 }
        // Made by "Unix" with Unix modes, so unzip and Python restore sane permissions (and unzip does
        // not apply its DOS code-page conversion to UTF-8 names).
        let attributes = externalAttributes != 0 ? externalAttributes
            : name.hasSuffix("/") ? (0o040755 << 16) | 0x10 : 0o100644 << 16
        return EntryDescriptor(rawName: Array(name.utf8), name: name,
                               versionMadeBy: (3 << 8) | 20,
                               versionNeeded: method == 8 ? 20 : 10, flags: isASCII ? 0 : ZipFlags.utf8,
                               method: method, dosTime: dosTime, dosDate: dosDate, crc32: crc32,
                               compressedSize: compressedSize, uncompressedSize: uncompressedSize,
                               localExtra: [], centralExtra: [], comment: [], internalAttributes: 0,
                               externalAttributes: attributes)
    }

    private func writeEntry(_ descriptor: EntryDescriptor, alignment: Int?,
                            data: () throws(ZipError) -> Void) throws(ZipError) {
        let headerOffset = output.position
        let (dataStart, _) = try writeLocalHeader(descriptor, alignment: alignment)
        try data()
        guard output.position - dataStart == descriptor.compressedSize else {
            throw ZipError(.io, "wrote \(output.position - dataStart) data bytes but expected \(descriptor.compressedSize)",
                           entry: descriptor.name, offset: dataStart, archive: destination)
        }
        appendCentralRecord(descriptor, localHeaderOffset: headerOffset)
    }

    /// Writes the local header `prepareLocalHeader` makes; returns where data starts and the
    /// padding used (a streamed entry's header is rewritten with the same padding).
    private func writeLocalHeader(_ descriptor: EntryDescriptor,
                                  alignment: Int?) throws(ZipError) -> (dataStart: UInt64, padding: [UInt8]) {
        let (header, padding) = try prepareLocalHeader(descriptor, alignment: alignment)
        try output.write(header)
        return (output.position, padding)
    }

    /// Checks the name, computes the alignment padding for a header written at `position` and
    /// returns the header; the name counts as written from here on.
    private func prepareLocalHeader(_ descriptor: EntryDescriptor,
                                    alignment: Int?) throws(ZipError) -> (header: [UInt8], padding: [UInt8]) {
        guard !finished, output.isOpen else {
            throw ZipError(.invalidRequest, "archive was already finished or cancelled", archive: destination)
        }
        if !options.allowUnsafeNames, let reason = ZipName.unsafeReason(descriptor.name) {
            throw ZipError(.unsafeName, reason, entry: descriptor.name, archive: destination)
        }
        guard descriptor.rawName.count <= 0xFFFF, descriptor.comment.count <= 0xFFFF,
              descriptor.centralExtra.count <= 0xFFFF else {
            throw ZipError(.invalidRequest, "name, comment or extra field is longer than 65535 bytes",
                           entry: descriptor.name, archive: destination)
        }
        guard !names.contains(EntryName(descriptor.rawName)) else {
            throw ZipError(.duplicateName, "an entry with this name was already written", entry: descriptor.name,
                           archive: destination)
        }
        let unpadded = output.position + UInt64(ZipRecordSize.localHeader) + UInt64(descriptor.rawName.count)
            + UInt64(descriptor.localExtra.count) + (descriptor.needsZip64Sizes ? 20 : 0)
        let padding = try ZipExtra.alignmentPadding(after: unpadded, alignment: alignment, style: options.alignmentStyle,
                                                    entry: descriptor.name)
        let header = try localHeader(descriptor, extraPadding: padding)
        names.insert(EntryName(descriptor.rawName))
        return (header, padding)
    }

    private func localHeader(_ descriptor: EntryDescriptor, extraPadding: [UInt8]) throws(ZipError) -> [UInt8] {
        var extra: [UInt8] = []
        let zip64 = descriptor.needsZip64Sizes
        if zip64 {
            extra.appendLE(Zip64Fields.headerID)
            extra.appendLE(UInt16(16))
            extra.appendLE(descriptor.uncompressedSize)
            extra.appendLE(descriptor.compressedSize)
        }
        extra += descriptor.localExtra
        extra += extraPadding
        guard extra.count <= 0xFFFF else {
            throw ZipError(.invalidRequest, "local extra field with padding is longer than 65535 bytes",
                           entry: descriptor.name, archive: destination)
        }
        var header: [UInt8] = []
        header.reserveCapacity(ZipRecordSize.localHeader + descriptor.rawName.count + extra.count)
        header.appendLE(ZipSignature.localHeader)
        header.appendLE(zip64 ? max(descriptor.versionNeeded, 45) : descriptor.versionNeeded)
        header.appendLE(descriptor.flags)
        header.appendLE(descriptor.method)
        header.appendLE(descriptor.dosTime)
        header.appendLE(descriptor.dosDate)
        header.appendLE(descriptor.crc32)
        header.appendLE(zip64 ? UInt32.max : UInt32(descriptor.compressedSize))
        header.appendLE(zip64 ? UInt32.max : UInt32(descriptor.uncompressedSize))
        header.appendLE(UInt16(descriptor.rawName.count))
        header.appendLE(UInt16(extra.count))
        header += descriptor.rawName
        header += extra
        return header
    }

    private func appendCentralRecord(_ descriptor: EntryDescriptor, localHeaderOffset: UInt64) {
        let bigSizes = options.forceZip64 || descriptor.compressedSize >= ZipWriter.zip64Threshold
            || descriptor.uncompressedSize >= ZipWriter.zip64Threshold
        let bigOffset = options.forceZip64 || localHeaderOffset >= ZipWriter.zip64Threshold
        var zip64: [UInt8] = []
        if bigSizes {
            zip64.appendLE(descriptor.uncompressedSize)
            zip64.appendLE(descriptor.compressedSize)
        }
        if bigOffset { zip64.appendLE(localHeaderOffset) }
        var extra: [UInt8] = []
        if !zip64.isEmpty {
            extra.appendLE(Zip64Fields.headerID)
            extra.appendLE(UInt16(zip64.count))
            extra += zip64
        }
        // A central extra that no longer fits beside the zip64 record is dropped rather than truncated.
        if extra.count + descriptor.centralExtra.count <= 0xFFFF { extra += descriptor.centralExtra }
        var versionNeeded = descriptor.versionNeeded
        if !zip64.isEmpty || descriptor.reserveZip64 { versionNeeded = max(versionNeeded, 45) }
        centralRecords.appendLE(ZipSignature.centralHeader)
        centralRecords.appendLE(descriptor.versionMadeBy)
        centralRecords.appendLE(versionNeeded)
        centralRecords.appendLE(descriptor.flags)
        centralRecords.appendLE(descriptor.method)
        centralRecords.appendLE(descriptor.dosTime)
        centralRecords.appendLE(descriptor.dosDate)
        centralRecords.appendLE(descriptor.crc32)
        centralRecords.appendLE(bigSizes ? UInt32.max : UInt32(descriptor.compressedSize))
        centralRecords.appendLE(bigSizes ? UInt32.max : UInt32(descriptor.uncompressedSize))
        centralRecords.appendLE(UInt16(descriptor.rawName.count))
        centralRecords.appendLE(UInt16(extra.count))
        centralRecords.appendLE(UInt16(descriptor.comment.count))
        centralRecords.appendLE(UInt16(0))
        centralRecords.appendLE(descriptor.internalAttributes)
        centralRecords.appendLE(descriptor.externalAttributes)
        centralRecords.appendLE(bigOffset ? UInt32.max : UInt32(localHeaderOffset))
        centralRecords += descriptor.rawName
        centralRecords += extra
        centralRecords += descriptor.comment
        entryCount += 1
    }

    private func endRecords(centralDirectoryOffset: UInt64) -> [UInt8] {
        let size = UInt64(centralRecords.count)
        let needsZip64 = options.forceZip64 || entryCount >= 0xFFFF || size >= ZipWriter.zip64Threshold
            || centralDirectoryOffset >= ZipWriter.zip64Threshold
        var records: [UInt8] = []
        if needsZip64 {
            let zip64Offset = centralDirectoryOffset + size
            records.appendLE(ZipSignature.zip64EndOfCentralDirectory)
            records.appendLE(UInt64(ZipRecordSize.zip64EndOfCentralDirectory - 12))
            records.appendLE(UInt16(45))
            records.appendLE(UInt16(45))
            records.appendLE(UInt32(0))
            records.appendLE(UInt32(0))
            records.appendLE(entryCount)
            records.appendLE(entryCount)
            records.appendLE(size)
            records.appendLE(centralDirectoryOffset)
            records.appendLE(ZipSignature.zip64Locator)
            records.appendLE(UInt32(0))
            records.appendLE(zip64Offset)
            records.appendLE(UInt32(1))
        }
        let comment = options.comment.prefix(0xFFFF)
        records.appendLE(ZipSignature.endOfCentralDirectory)
        records.appendLE(UInt16(0))
        records.appendLE(UInt16(0))
        let count16 = needsZip64 ? UInt16.max : UInt16(entryCount)
        records.appendLE(count16)
        records.appendLE(count16)
        records.appendLE(needsZip64 ? UInt32.max : UInt32(size))
        records.appendLE(needsZip64 ? UInt32.max : UInt32(centralDirectoryOffset))
        records.appendLE(UInt16(comment.count))
        records += comment
        return records
    }

    static func checkedLevel(_ level: Int) throws(ZipError) -> Int {
        guard (0...9).contains(level) else {
            throw ZipError(.invalidRequest, "deflate level must be 0 to 9, got \(level)")
        }
        return level
    }

    static func deflate(_ data: [UInt8], level: Int) throws(ZipError) -> [UInt8] {
        let deflater = try Deflater(level: try checkedLevel(level))
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        var result: [UInt8] = []
        try data.withZipBytes { (input) throws(ZipError) in
            try deflater.compress(input, finish: true, scratch: scratch) { (out) throws(ZipError) in result.append(contentsOf: out) }
        }
        return result
    }
}

/// Extra-field editing for the writer.
enum ZipExtra {
    static let alignmentHeaderID: UInt16 = 0xD935

    /// Drops records the writer regenerates (zip64, apksigner alignment) and zipalign's zero padding.
    static func removingLayoutRecords(_ extra: [UInt8]) -> [UInt8] {
        var kept: [UInt8] = []
        var position = 0
        while extra.count - position >= 4 {
            let id = UInt16(extra[position]) | UInt16(extra[position + 1]) << 8
            let length = Int(extra[position + 2]) | Int(extra[position + 3]) << 8
            guard position + 4 + length <= extra.count else { break }
            if id != 0 && id != Zip64Fields.headerID && id != alignmentHeaderID {
                kept += extra[position..<position + 4 + length]
            }
            position += 4 + length
        }
        return kept
    }

    /// The bytes to append to a local extra field so that data starting after it is aligned.
    static func alignmentPadding(after unpaddedEnd: UInt64, alignment: Int?, style: ZipAlignmentStyle,
                                 entry: String) throws(ZipError) -> [UInt8] {
        guard let alignment else { return [] }
        let maximum = style == .apksigner ? 32768 : 65536
        guard alignment > 0, alignment <= maximum, alignment & (alignment - 1) == 0 else {
            throw ZipError(.invalidRequest, "alignment must be a power of two from 1 to \(maximum), got \(alignment)",
                           entry: entry)
        }
        let unit = UInt64(alignment)
        switch style {
        case .zipalign:
            return [UInt8](repeating: 0, count: Int((unit - unpaddedEnd % unit) % unit))
        case .apksigner:
            // id, length, UInt16 alignment, then zeros: at least 6 bytes.
            let zeros = Int((unit - (unpaddedEnd + 6) % unit) % unit)
            var record: [UInt8] = []
            record.appendLE(alignmentHeaderID)
            record.appendLE(UInt16(2 + zeros))
            record.appendLE(UInt16(alignment))
            record += [UInt8](repeating: 0, count: zeros)
            return record
        }
    }
}

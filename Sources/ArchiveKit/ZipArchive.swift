/// A ZIP archive opened for reading.
///
/// Opening reads the end records and the central directory, then checks every local header
/// against it, the entries' extents for overlaps, and the region before the directory (empty
/// or an APK Signing Block). Entry data is read on demand with `pread` through bounded
/// buffers, so one instance can be used from many threads and memory does not grow with
/// the archive's size.
public final class ZipArchive: Sendable {
    public let path: String
    public let limits: ZipLimits
    /// Entries in central-directory order.
    public let entries: [ZipEntry]
    public let fileSize: UInt64
    /// The archive comment (raw bytes; usually empty).
    public let comment: [UInt8]
    public let centralDirectoryOffset: UInt64
    public let centralDirectorySize: UInt64
    /// Offset of the classic end-of-central-directory record.
    public let endOfCentralDirectoryOffset: UInt64
    /// Offset of the zip64 end record when the archive has one.
    public let zip64EndOfCentralDirectoryOffset: UInt64?
    /// The APK Signing Block between the last entry and the central directory, when present.
    public let signingBlock: ZipRegion?
    /// The signing block's ID-value pairs, in file order (empty without a block).
    public let signingBlockPairs: [ZipSigningBlockPair]
    /// Zero bytes between the last entry and the signing block (apksigner's 4 KiB alignment for verity).
    public let signingBlockPadding: UInt64
    /// Bytes before the first entry (a self-extractor stub, or a polyglot like Janus); 0 normally.
    public let prefixLength: UInt64

    let file: ReadOnlyFile
    private let indexByName: [String: Int]

    /// Buffer size for streaming entry data.
    static let chunkSize = 64 * 1024

    public init(path: String, limits: ZipLimits = .default) throws(ZipError) {
        do throws(ZipError) {
            let file = try ReadOnlyFile(path: path)
            let layout = try ZipArchive.readEndRecords(file)
            let entries = try ZipArchive.readCentralDirectory(file, layout: layout, limits: limits)
            let extents = try ZipArchive.checkExtents(entries, centralDirectoryOffset: layout.centralDirectoryOffset)
            let block = try ZipArchive.readSigningBlock(file, entriesEnd: extents.entriesEnd,
                                                        centralDirectoryOffset: layout.centralDirectoryOffset)
            var index: [String: Int] = [:]
            index.reserveCapacity(entries.count)
            for position in entries.indices {
                if let earlier = index.updateValue(position, forKey: entries[position].name) {
                    throw ZipError(.duplicateName, "name appears twice in the central directory (entries \(earlier) and \(position))",
                                   entry: entries[position].name, offset: entries[position].localHeaderOffset)
                }
            }
            self.path = path
            self.limits = limits
            self.file = file
            self.entries = entries
            self.indexByName = index
            self.fileSize = file.size
            self.comment = layout.comment
            self.centralDirectoryOffset = layout.centralDirectoryOffset
            self.centralDirectorySize = layout.centralDirectorySize
            self.endOfCentralDirectoryOffset = layout.endOfCentralDirectoryOffset
            self.zip64EndOfCentralDirectoryOffset = layout.zip64EndOffset
            self.signingBlock = block?.region
            self.signingBlockPairs = block?.pairs ?? []
            self.signingBlockPadding = block?.paddingBefore ?? 0
            self.prefixLength = extents.entriesStart
        } catch {
            throw error.inArchive(path)
        }
    }

    public func entry(named name: String) -> ZipEntry? {
        indexByName[name].map { entries[$0] }
    }

    /// Raw bytes of the archive (headers, signing block, directory) — bounds-checked against the file.
    public func readBytes(at offset: UInt64, count: Int) throws(ZipError) -> [UInt8] {
        do throws(ZipError) {
            return try file.read(count: count, at: offset, what: "requested range")
        } catch {
            throw error.inArchive(path)
        }
    }

    /// Reads raw bytes into a caller's buffer (used for raw copies and digests).
    public func readBytes(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(ZipError) {
        do throws(ZipError) {
            try file.read(into: buffer, at: offset, what: "requested range")
        } catch {
            throw error.inArchive(path)
        }
    }

    /// The whole uncompressed content of an entry, CRC-checked. Entries above
    /// `limits.maxInMemoryEntrySize` are refused: stream them instead.
    public func readData(_ entry: ZipEntry) throws -> [UInt8] {
        guard entry.uncompressedSize <= limits.maxInMemoryEntrySize else {
            throw ZipError(.limitExceeded,
                           "\(entry.uncompressedSize) bytes is more than the in-memory limit of \(limits.maxInMemoryEntrySize); stream it",
                           entry: entry.name, offset: entry.localHeaderOffset, archive: path)
        }
        var data: [UInt8] = []
        data.reserveCapacity(Int(entry.uncompressedSize))
        try stream(entry) { chunk in data.append(contentsOf: chunk) }
        return data
    }

    /// Hands the entry's uncompressed bytes to `body` in chunks of at most 64 KiB. The CRC and
    /// the sizes are verified at the end: a caller must treat the data as untrusted until this returns.
    public func stream(_ entry: ZipEntry, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        do {
            try streamChecked(entry, body)
        } catch let error as ZipError {
            throw error.forEntry(entry.name).inArchive(path)
        }
    }

    /// Reads every entry in full, checking CRCs and sizes; throws the first problem found.
    public func check() throws {
        for entry in entries {
            try stream(entry) { _ in }
        }
    }

    /// The compressed bytes of an entry exactly as stored, in chunks (for raw copies).
    public func streamRaw(_ entry: ZipEntry, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ZipArchive.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = entry.dataOffset
        var left = entry.compressedSize
        while left > 0 {
            let count = Int(min(UInt64(buffer.count), left))
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            do throws(ZipError) {
                try file.read(into: slice, at: offset, what: "entry data")
            } catch {
                throw error.forEntry(entry.name).inArchive(path)
            }
            try body(UnsafeRawBufferPointer(slice))
            offset += UInt64(count)
            left -= UInt64(count)
        }
    }

    private func streamChecked(_ entry: ZipEntry, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !entry.isEncrypted else {
            throw ZipError(.encrypted, "entry is encrypted (flags 0x\(String(entry.flags, radix: 16))); appseal does not decrypt",
                           offset: entry.localHeaderOffset)
        }
        var crc = CRC32()
        var produced: UInt64 = 0
        func deliver(_ chunk: UnsafeRawBufferPointer, at offset: UInt64) throws {
            let (total, overflow) = produced.addingReportingOverflow(UInt64(chunk.count))
            guard !overflow, total <= entry.uncompressedSize else {
                throw ZipError(.corruptData,
                               "data inflates past the declared uncompressed size of \(entry.uncompressedSize) bytes (possible zip bomb)",
                               offset: offset)
            }
            produced = total
            crc.update(chunk)
            try body(chunk)
        }
        switch entry.method {
        case .stored:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw ZipError(.invalidField,
                               "stored entry has compressed size \(entry.compressedSize) but uncompressed size \(entry.uncompressedSize)",
                               offset: entry.localHeaderOffset)
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ZipArchive.chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            var offset = entry.dataOffset
            var left = entry.compressedSize
            while left > 0 {
                let count = Int(min(UInt64(buffer.count), left))
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                try file.read(into: slice, at: offset, what: "entry data")
                try deliver(UnsafeRawBufferPointer(slice), at: offset)
                offset += UInt64(count)
                left -= UInt64(count)
            }
        case .deflated:
            try inflate(entry, deliver)
        case .other:
            throw ZipError(.unsupportedMethod, "compression \(entry.method) is not supported (only stored and deflated)",
                           offset: entry.localHeaderOffset)
        }
        guard produced == entry.uncompressedSize else {
            throw ZipError(.corruptData, "data is \(produced) bytes but the directory says \(entry.uncompressedSize)",
                           offset: entry.dataOffset)
        }
        guard crc.value == entry.crc32 else {
            throw ZipError(.crcMismatch, "CRC mismatch (expected \(entry.crc32.hex), got \(crc.value.hex))",
                           offset: entry.dataOffset)
        }
    }

    private func inflate(_ entry: ZipEntry, _ deliver: (UnsafeRawBufferPointer, UInt64) throws -> Void) throws {
        let inflater = try Inflater()
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: ZipArchive.chunkSize, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: ZipArchive.chunkSize, alignment: 16)
        defer {
            input.deallocate()
            output.deallocate()
        }
        var readOffset = entry.dataOffset
        let dataEnd = entry.dataOffset + entry.compressedSize
        var finished = false
        while !finished {
            if inflater.pendingInput == 0 {
                guard readOffset < dataEnd else {
                    throw ZipError(.corruptData, "deflate stream is cut short: compressed data ends before the stream does",
                                   offset: readOffset)
                }
                let count = Int(min(UInt64(input.count), dataEnd - readOffset))
                let slice = UnsafeMutableRawBufferPointer(rebasing: input[0..<count])
                try file.read(into: slice, at: readOffset, what: "entry data")
                inflater.supply(UnsafeRawBufferPointer(slice))
                readOffset += UInt64(count)
            }
            let consumedOffset = readOffset - UInt64(inflater.pendingInput)
            switch try inflater.inflate(into: output) {
            case .needsInput:
                continue
            case let .produced(count):
                try deliver(UnsafeRawBufferPointer(rebasing: output[0..<count]), consumedOffset)
            case let .finished(count):
                try deliver(UnsafeRawBufferPointer(rebasing: output[0..<count]), consumedOffset)
                finished = true
            }
        }
        let unused = UInt64(inflater.pendingInput) + (dataEnd - readOffset)
        guard unused == 0 else {
            throw ZipError(.corruptData, "deflate stream ends \(unused) bytes before the entry's compressed data does",
                           offset: dataEnd - unused)
        }
    }
}

import ArchiveKit
import Foundation

/// Opens inputs for signing and verifying, turning ZIP-layer errors into signing errors.
enum ApkArchive {
    static func open(_ path: String) throws -> ZipArchive {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ApkSigningError.io(path: path, reason: "no such file")
        }
        let archive: ZipArchive
        do {
            archive = try ZipArchive(path: path)
        } catch where error.kind == .headerMismatch || error.kind == .unsafeName {
            throw ApkSigningError.evasiveArchive(path: path, finding: "\(error)")
        } catch {
            throw ApkSigningError.notAnArchive(path: path, reason: "\(error)")
        }
        if archive.zip64EndOfCentralDirectoryOffset != nil || archive.entries.contains(where: \.usesZip64) {
            throw ApkSigningError.notAnArchive(path: path, reason: "ZIP64 archives cannot be APKs (Android and apksigner refuse them)")
        }
        return archive
    }

    static func readData(_ entry: ZipEntry, in archive: ZipArchive) throws -> [UInt8] {
        do {
            return try archive.readData(entry)
        } catch {
            throw ApkSigningError.entry(name: entry.name, reason: "\(error)")
        }
    }
}

/// Writes local records and collects the central directory of the signed output.
struct ApkRecordWriter {
    let file: AtomicOutputFile
    let archive: ZipArchive
    let alignment: ApkAlignment
    /// One buffer for every raw copy (allocating 1 MiB per entry cost a map and unmap each).
    private let copyBuffer = OwnedBuffer(byteCount: ApkSigner.copyBufferSize)
    private(set) var centralDirectory: [UInt8] = []
    private(set) var recordCount = 0
    private(set) var realignedCount = 0

    static let localHeaderSignature: UInt32 = 0x0403_4B50
    static let centralHeaderSignature: UInt32 = 0x0201_4B50
    static let localHeaderSize = 30
    /// UTF-8 names (bit 11): apksigner sets it on the entries it creates.
    static let utf8Flag: UInt16 = 0x0800

    init(file: AtomicOutputFile, archive: ZipArchive, alignment: ApkAlignment) {
        self.file = file
        self.archive = archive
        self.alignment = alignment
    }

    private func zipOffset(_ value: Int, _ what: String) throws -> UInt32 {
        guard let offset = UInt32(exactly: value), offset != UInt32.max else {
            throw ApkSigningError.invalidOptions(reason: "\(what) at \(value) needs ZIP64, which APKs cannot use")
        }
        return offset
    }

    /// Copies an input entry's local record byte for byte, except for an alignment extra field
    /// when the entry must be re-aligned at its new offset.
    /// `dataHasher`, when given, also receives the entry's stored bytes (its v1 digest).
    mutating func copy(_ entry: ZipEntry, dataHasher: IncrementalHasher? = nil) throws {
        let outputOffset = file.offset
        let headerOffset = Int(entry.localHeaderOffset)
        let dataLength = entry.compressedSize + UInt64(entry.dataDescriptorLength)
        let recordLength = entry.dataOffset - entry.localHeaderOffset + dataLength
        // A record that fits the buffer (most of them) is read with one pread, header and data together.
        let wholeRecord = recordLength <= UInt64(copyBuffer.bytes.count)
        let buffer = copyBuffer.bytes
        var header: [UInt8]
        do {
            if wholeRecord {
                try archive.readBytes(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(recordLength)]),
                                      at: entry.localHeaderOffset)
                header = Array(buffer[0..<Self.localHeaderSize])
            } else {
                header = try archive.readBytes(at: entry.localHeaderOffset, count: Self.localHeaderSize)
            }
        } catch {
            throw ApkSigningError.entry(name: entry.name, reason: "\(error)")
        }
        let nameLength = Int(header[26]) | Int(header[27]) << 8
        let extraLength = Int(header[28]) | Int(header[29]) << 8
        guard extraLength == entry.localExtra.count,
              Int(entry.dataOffset) == headerOffset + Self.localHeaderSize + nameLength + extraLength else {
            throw ApkSigningError.entry(name: entry.name, reason: "local header does not match what the archive reader saw")
        }
        let name = wholeRecord ? Array(buffer[Self.localHeaderSize..<(Self.localHeaderSize + nameLength)])
            : try archive.readBytes(at: entry.localHeaderOffset + UInt64(Self.localHeaderSize), count: nameLength)
        var extra = entry.localExtra
        if let realigned = AlignmentExtraField.outputExtra(
            policy: alignment, isStored: entry.method == .stored, name: entry.name, extra: entry.localExtra,
            inputHeaderOffset: headerOffset, outputHeaderOffset: outputOffset,
            headerSizeBeforeExtra: Self.localHeaderSize + nameLength) {
            guard realigned.count <= Int(UInt16.max) else {
                throw ApkSigningError.entry(name: entry.name, reason: "extra field too long to add alignment padding")
            }
            extra = realigned
            header[28] = UInt8(realigned.count & 0xFF)
            header[29] = UInt8(realigned.count >> 8)
            realignedCount += 1
        }
        try file.write(header)
        try file.write(name)
        try file.write(extra)
        if wholeRecord {
            let dataStart = Int(entry.dataOffset - entry.localHeaderOffset)
            let data = UnsafeRawBufferPointer(rebasing: buffer[dataStart..<Int(recordLength)])
            try file.write(data)
            dataHasher?.update(UnsafeRawBufferPointer(rebasing: data[0..<Int(entry.compressedSize)]))
        } else {
            try copyRaw(from: entry.dataOffset, count: dataLength, entry: entry.name,
                        hashing: dataHasher.map { ($0, entry.compressedSize) })
        }

        var record = entry.centralRecord
        let offset = try zipOffset(outputOffset, "entry \(entry.name)")
        for byte in 0..<4 { record[42 + byte] = UInt8(truncatingIfNeeded: offset >> (8 * UInt32(byte))) }
        centralDirectory += record
        recordCount += 1
    }

    /// Copies bytes from the input; the first `hashing.count` of them also go to `hashing.hasher`.
    private func copyRaw(from start: UInt64, count: UInt64, entry: String, hashing: (hasher: IncrementalHasher, count: UInt64)?) throws {
        let buffer = copyBuffer.bytes
        var position = start
        var left = count
        while left > 0 {
            let length = Int(min(UInt64(buffer.count), left))
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            do {
                try archive.readBytes(into: slice, at: position)
            } catch {
                throw ApkSigningError.entry(name: entry, reason: "\(error)")
            }
            try file.write(UnsafeRawBufferPointer(slice))
            if let hashing {
                let done = position - start
                if done < hashing.count {
                    let part = Int(min(UInt64(length), hashing.count - done))
                    hashing.hasher.update(UnsafeRawBufferPointer(rebasing: slice[0..<part]))
                }
            }
            position += UInt64(length)
            left -= UInt64(length)
        }
    }

    /// An entry with new content: a replaced input entry (its central record is the template, so
    /// its method, time, attributes and comment are kept) or an added one. Stored data is
    /// aligned as the policy aligns stored entries; deflated data is compressed at level 9.
    mutating func writeNew(name: String, data: [UInt8], compressed: Bool, dosDate: UInt16, dosTime: UInt16,
                           centralTemplate: [UInt8]?) throws {
        let stored = compressed ? try SignatureEntryDeflate.compress(data) : data
        let crc = SignatureEntryDeflate.crc32(of: data)
        let nameBytes = Array(name.utf8)
        let outputOffset = file.offset
        let offset = try zipOffset(outputOffset, "entry \(name)")
        let headerSize = Self.localHeaderSize + nameBytes.count
        var extra: [UInt8] = []
        if !compressed, let multiple = newEntryAlignment(name: name), (outputOffset + headerSize) % multiple != 0 {
            extra = AlignmentExtraField.realigned([], extraStart: outputOffset + headerSize, multiple: multiple)
        }
        guard let compressedSize = UInt32(exactly: stored.count), let size = UInt32(exactly: data.count),
              compressedSize != UInt32.max, size != UInt32.max else {
            throw ApkSigningError.invalidOptions(reason: "entry \(name) needs ZIP64, which APKs cannot use")
        }
        let method: UInt16 = compressed ? 8 : 0
        // Data descriptor and encryption flags describe the old data, not this.
        let flags = centralTemplate.map { (UInt16($0[8]) | UInt16($0[9]) << 8) & ~0x0009 } ?? Self.utf8Flag
        let versionNeeded = centralTemplate.map { UInt16($0[6]) | UInt16($0[7]) << 8 } ?? 20
        var local = LittleEndianWriter()
        local.uint32(Self.localHeaderSignature)
        local.uint16(versionNeeded)
        local.uint16(flags)
        local.uint16(method)
        local.uint16(dosTime)
        local.uint16(dosDate)
        local.uint32(crc)
        local.uint32(compressedSize)
        local.uint32(size)
        local.uint16(UInt16(nameBytes.count))
        local.uint16(UInt16(extra.count))
        local.raw(nameBytes)
        local.raw(extra)
        try file.write(local.bytes)
        try file.write(stored)
        if !extra.isEmpty { realignedCount += 1 }

        guard var record = centralTemplate else {
            appendCentralRecord(name: nameBytes, method: method, dosDate: dosDate, dosTime: dosTime, crc: crc,
                                compressedSize: compressedSize, size: size, offset: offset)
            return
        }
        func put16(_ value: UInt16, at index: Int) { record[index] = UInt8(value & 0xFF); record[index + 1] = UInt8(value >> 8) }
        func put32(_ value: UInt32, at index: Int) { for byte in 0..<4 { record[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte))) } }
        put16(flags, at: 8)
        put16(method, at: 10)
        put32(crc, at: 16)
        put32(compressedSize, at: 20)
        put32(size, at: 24)
        put32(offset, at: 42)
        centralDirectory += record
        recordCount += 1
    }

    /// The multiple a new stored entry's data is aligned to, as the policy aligns stored entries.
    private func newEntryAlignment(name: String) -> Int? {
        switch alignment {
        case .none: return nil
        case .apksignerCompatible: return name.hasSuffix(".so") ? AlignmentExtraField.commonPageSize : 4
        case let .align(pageSize): return name.hasSuffix(".so") ? pageSize : 4
        }
    }

    /// A new entry, deflated, with the local and central headers apksigner writes.
    mutating func addDeflated(name: String, data: [UInt8], dosDate: UInt16, dosTime: UInt16) throws {
        let compressed = try SignatureEntryDeflate.compress(data)
        let crc = SignatureEntryDeflate.crc32(of: data)
        let nameBytes = Array(name.utf8)
        let offset = try zipOffset(file.offset, "entry \(name)")
        var local = LittleEndianWriter()
        local.uint32(Self.localHeaderSignature)
        local.uint16(20)
        local.uint16(Self.utf8Flag)
        local.uint16(8)
        local.uint16(dosTime)
        local.uint16(dosDate)
        local.uint32(crc)
        local.uint32(UInt32(compressed.count))
        local.uint32(UInt32(data.count))
        local.uint16(UInt16(nameBytes.count))
        local.uint16(0)
        local.raw(nameBytes)
        try file.write(local.bytes)
        try file.write(compressed)

        appendCentralRecord(name: nameBytes, method: 8, dosDate: dosDate, dosTime: dosTime, crc: crc,
                            compressedSize: UInt32(compressed.count), size: UInt32(data.count), offset: offset)
    }

    /// The central record apksigner writes for an entry it creates.
    private mutating func appendCentralRecord(name: [UInt8], method: UInt16, dosDate: UInt16, dosTime: UInt16, crc: UInt32,
                                              compressedSize: UInt32, size: UInt32, offset: UInt32) {
        var central = LittleEndianWriter()
        central.uint32(Self.centralHeaderSignature)
        central.uint16(20)
        central.uint16(20)
        central.uint16(Self.utf8Flag)
        central.uint16(method)
        central.uint16(dosTime)
        central.uint16(dosDate)
        central.uint32(crc)
        central.uint32(compressedSize)
        central.uint32(size)
        central.uint16(UInt16(name.count))
        central.uint16(0)
        central.uint16(0)
        central.uint16(0)
        central.uint16(0)
        central.uint32(0)
        central.uint32(offset)
        central.raw(name)
        centralDirectory += central.bytes
        recordCount += 1
    }
}

/// A heap buffer freed with its owner.
final class OwnedBuffer {
    let bytes: UnsafeMutableRawBufferPointer

    init(byteCount: Int) { bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 16) }

    deinit { bytes.deallocate() }
}

/// Digests of entries' uncompressed bytes for MANIFEST.MF, inflating on every worker. The
/// largest entries are started first so the workers finish together.
enum JarEntryDigester {
    static func digests(of entries: [ZipEntry], in archive: ZipArchive, algorithm: JarDigestAlgorithm, parallelism: Int,
                        tracker: ProgressTracker?, isCancelled: (@Sendable () -> Bool)?) throws -> [String: [UInt8]] {
        let sizes = entries.map(\.uncompressedSize)
        let order = sizes.indices.sorted { sizes[$0] > sizes[$1] }
        let results = IndexedResults<[UInt8]>(count: entries.count)
        let failure = WorkerFailure()
        let queue = WorkQueueCounter(count: order.count)
        let function: HashFunction = algorithm == .sha1 ? .sha1 : .sha256
        DispatchQueue.concurrentPerform(iterations: max(1, min(parallelism, entries.count))) { _ in
            while !failure.hasFailed, let position = queue.take() {
                let entry = entries[order[position]]
                do {
                    if isCancelled?() == true { throw ApkSigningError.cancelled }
                    let hasher = Hashing.hasher(function)
                    do {
                        try EntryContent.stream(entry, in: archive) { hasher.update($0) }
                    } catch {
                        throw ApkSigningError.entry(name: entry.name, reason: "\(error)")
                    }
                    results[order[position]] = hasher.finalize()
                    tracker?.advance(Int64(entry.uncompressedSize))
                } catch {
                    failure.record(error)
                }
            }
        }
        try failure.rethrow()
        var digests: [String: [UInt8]] = [:]
        for (index, entry) in entries.enumerated() { digests[entry.name] = results[index]! }
        return digests
    }
}

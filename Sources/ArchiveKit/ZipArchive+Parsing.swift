import Foundation

/// Parsing of the structures that describe the archive. Everything read here is untrusted:
/// counts and offsets are checked against the file and against each other before use.
extension ZipArchive {
    struct EndRecords {
        var endOfCentralDirectoryOffset: UInt64
        var zip64EndOffset: UInt64?
        var entryCount: UInt64
        var centralDirectoryOffset: UInt64
        var centralDirectorySize: UInt64
        var comment: [UInt8]
    }

    static func readEndRecords(_ file: ReadOnlyFile) throws(ZipError) -> EndRecords {
        let minimum = UInt64(ZipRecordSize.endOfCentralDirectory)
        guard file.size >= minimum else {
            throw ZipError(.notAZip, "not a ZIP archive: \(file.size) bytes is shorter than an end-of-central-directory record",
                           offset: 0)
        }
        let tailLength = min(file.size, minimum + 0xFFFF)
        let tailStart = file.size - tailLength
        let tail = try file.read(count: Int(tailLength), at: tailStart, what: "end of archive")

        // Search backwards; the record must end exactly at the end of the file (no trailing data).
        var found: Int?
        var sawSignatureAt: Int?
        var position = tail.count - ZipRecordSize.endOfCentralDirectory
        while position >= 0 {
            if tail[position] == 0x50, tail[position + 1] == 0x4B, tail[position + 2] == 0x05, tail[position + 3] == 0x06 {
                let commentLength = Int(tail[position + 20]) | Int(tail[position + 21]) << 8
                if position + ZipRecordSize.endOfCentralDirectory + commentLength == tail.count {
                    found = position
                    break
                }
                if sawSignatureAt == nil { sawSignatureAt = position }
            }
            position -= 1
        }
        guard let recordIndex = found else {
            if let stray = sawSignatureAt {
                throw ZipError(.invalidField,
                               "end-of-central-directory record's comment length does not reach the end of the file (trailing data)",
                               offset: tailStart + UInt64(stray))
            }
            throw ZipError(.notAZip, "not a ZIP archive: no end-of-central-directory record in the last \(tailLength) bytes",
                           offset: tailStart)
        }
        let eocdOffset = tailStart + UInt64(recordIndex)
        var reader = ByteReader(Array(tail[recordIndex...]), baseOffset: eocdOffset, what: "end-of-central-directory record")
        try reader.skip(4)
        let diskNumber = try reader.u16()
        let directoryDisk = try reader.u16()
        let entriesOnDisk = try reader.u16()
        let entryCount16 = try reader.u16()
        let directorySize32 = try reader.u32()
        let directoryOffset32 = try reader.u32()
        let commentLength = Int(try reader.u16())
        let comment = try reader.bytes(commentLength)

        var records = EndRecords(endOfCentralDirectoryOffset: eocdOffset, zip64EndOffset: nil,
                                 entryCount: UInt64(entryCount16),
                                 centralDirectoryOffset: UInt64(directoryOffset32),
                                 centralDirectorySize: UInt64(directorySize32), comment: comment)
        var directoryEnd = eocdOffset

        let needsZip64 = entryCount16 == 0xFFFF || entriesOnDisk == 0xFFFF
            || directorySize32 == 0xFFFF_FFFF || directoryOffset32 == 0xFFFF_FFFF
        let locatorSize = UInt64(ZipRecordSize.zip64Locator)
        var hasLocator = false
        if eocdOffset >= locatorSize {
            let locatorOffset = eocdOffset - locatorSize
            let locatorBytes = try file.read(count: ZipRecordSize.zip64Locator, at: locatorOffset, what: "zip64 locator")
            var locator = ByteReader(locatorBytes, baseOffset: locatorOffset, what: "zip64 end-of-central-directory locator")
            if try locator.u32() == ZipSignature.zip64Locator {
                hasLocator = true
                let zip64Disk = try locator.u32()
                let zip64Offset = try locator.u64()
                let diskCount = try locator.u32()
                guard zip64Disk == 0, diskCount <= 1 else {
                    throw ZipError(.unsupportedFeature, "multi-disk archive (\(diskCount) disks) is not supported", offset: locatorOffset)
                }
                let recordSize = UInt64(ZipRecordSize.zip64EndOfCentralDirectory)
                guard zip64Offset <= locatorOffset, locatorOffset - zip64Offset >= recordSize else {
                    throw ZipError(.outOfBounds, "zip64 end record offset \(zip64Offset) does not leave room before the locator",
                                   offset: locatorOffset + 8)
                }
                let zip64Bytes = try file.read(count: ZipRecordSize.zip64EndOfCentralDirectory, at: zip64Offset, what: "zip64 end record")
                var zip64 = ByteReader(zip64Bytes, baseOffset: zip64Offset, what: "zip64 end-of-central-directory record")
                guard try zip64.u32() == ZipSignature.zip64EndOfCentralDirectory else {
                    throw ZipError(.badSignature, "zip64 locator points at a record without the zip64 end signature",
                                   offset: zip64Offset)
                }
                let declaredSize = try zip64.u64()
                guard declaredSize >= recordSize - 12, zip64Offset + 12 + declaredSize == locatorOffset else {
                    throw ZipError(.invalidField,
                                   "zip64 end record size \(declaredSize) does not end at the locator (offset \(locatorOffset))",
                                   offset: zip64Offset + 4)
                }
                try zip64.skip(4)
                let disk64 = try zip64.u32()
                let directoryDisk64 = try zip64.u32()
                let entriesOnDisk64 = try zip64.u64()
                let entryCount64 = try zip64.u64()
                let directorySize64 = try zip64.u64()
                let directoryOffset64 = try zip64.u64()
                guard disk64 == 0, directoryDisk64 == 0, entriesOnDisk64 == entryCount64 else {
                    throw ZipError(.unsupportedFeature, "multi-disk archive is not supported", offset: zip64Offset)
                }
                if entryCount16 == 0xFFFF { records.entryCount = entryCount64 }
                if directorySize32 == 0xFFFF_FFFF { records.centralDirectorySize = directorySize64 }
                if directoryOffset32 == 0xFFFF_FFFF { records.centralDirectoryOffset = directoryOffset64 }
                guard records.entryCount == entryCount64, records.centralDirectorySize == directorySize64,
                      records.centralDirectoryOffset == directoryOffset64 else {
                    throw ZipError(.invalidField, "zip64 end record disagrees with the end-of-central-directory record",
                                   offset: zip64Offset)
                }
                records.zip64EndOffset = zip64Offset
                directoryEnd = zip64Offset
            }
        }
        if needsZip64 && !hasLocator {
            throw ZipError(.invalidField, "end record has zip64 marker values but there is no zip64 locator", offset: eocdOffset)
        }
        if !hasLocator {
            guard diskNumber == 0, directoryDisk == 0, entriesOnDisk == entryCount16 else {
                throw ZipError(.unsupportedFeature, "multi-disk archive (disk \(diskNumber)) is not supported", offset: eocdOffset)
            }
        }
        let (computedEnd, overflow) = records.centralDirectoryOffset.addingReportingOverflow(records.centralDirectorySize)
        guard !overflow, computedEnd <= directoryEnd else {
            throw ZipError(.outOfBounds,
                           "central directory (offset \(records.centralDirectoryOffset), size \(records.centralDirectorySize)) runs past its end record at \(directoryEnd)",
                           offset: eocdOffset)
        }
        guard computedEnd == directoryEnd else {
            throw ZipError(.invalidField,
                           "\(directoryEnd - computedEnd) unexplained bytes between the central directory (ends at \(computedEnd)) and its end record at \(directoryEnd)",
                           offset: computedEnd)
        }
        return records
    }

    static func readCentralDirectory(_ file: ReadOnlyFile, layout: EndRecords, limits: ZipLimits) throws(ZipError) -> [ZipEntry] {
        guard layout.entryCount <= UInt64(limits.maxEntries) else {
            throw ZipError(.limitExceeded, "archive lists \(layout.entryCount) entries; the limit is \(limits.maxEntries)",
                           offset: layout.endOfCentralDirectoryOffset)
        }
        guard layout.centralDirectorySize <= limits.maxCentralDirectorySize else {
            throw ZipError(.limitExceeded,
                           "central directory of \(layout.centralDirectorySize) bytes is larger than the limit of \(limits.maxCentralDirectorySize)",
                           offset: layout.centralDirectoryOffset)
        }
        // A count the directory cannot hold is a lie: refuse it before allocating anything for it.
        guard layout.entryCount * UInt64(ZipRecordSize.centralHeader) <= layout.centralDirectorySize else {
            throw ZipError(.invalidField,
                           "end record claims \(layout.entryCount) entries but the central directory is only \(layout.centralDirectorySize) bytes",
                           offset: layout.endOfCentralDirectoryOffset)
        }
        let directory = try file.read(count: Int(layout.centralDirectorySize), at: layout.centralDirectoryOffset,
                                      what: "central directory")
        var reader = ByteReader(directory, baseOffset: layout.centralDirectoryOffset, what: "central directory header")
        // The central records are read in order; the local headers (a pread each, most of the
        // time) are then checked, on two threads for a large directory. Whatever fails, the error
        // is the one reading entry by entry would give: for each entry in turn its central
        // record, its local header, then the running total, and the first failure wins.
        var records: [CentralRecord] = []
        records.reserveCapacity(Int(layout.entryCount))
        var totalSize: UInt64 = 0
        var stop: ZipError?
        for index in 0..<Int(layout.entryCount) {
            let recordStart = reader.position
            do throws(ZipError) {
                records.append(try readCentralRecord(&reader, directory: directory, recordStart: recordStart,
                                                     index: index, limits: limits))
            } catch {
                stop = error
                break
            }
            let (sum, overflow) = totalSize.addingReportingOverflow(records[index].uncompressedSize)
            guard !overflow, sum <= limits.maxTotalSize else {
                stop = ZipError(.limitExceeded,
                                "entries add up to more than the total size limit of \(limits.maxTotalSize) bytes",
                                entry: records[index].name, offset: records[index].localHeaderOffset)
                break
            }
            totalSize = sum
        }
        let entries = try completeEntries(records, file: file, centralDirectoryOffset: layout.centralDirectoryOffset)
        if let stop { throw stop }
        guard reader.remaining == 0 else {
            throw ZipError(.invalidField,
                           "\(reader.remaining) bytes left in the central directory after the \(layout.entryCount) entries the end record lists",
                           offset: reader.offset)
        }
        return entries
    }

    /// A central-directory record, read and checked; its local header is checked by `completeEntry`.
    struct CentralRecord {
        var index: Int
        var name: String
        var rawName: [UInt8]
        var versionMadeBy: UInt16
        var versionNeeded: UInt16
        var flags: UInt16
        var methodValue: UInt16
        var dosTime: UInt16
        var dosDate: UInt16
        var crc: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
        var centralExtra: [UInt8]
        var comment: [UInt8]
        var internalAttributes: UInt16
        var externalAttributes: UInt32
        var record: [UInt8]
        var usesZip64: Bool
    }

    private static func readCentralRecord(_ reader: inout ByteReader, directory: [UInt8], recordStart: Int, index: Int,
                                          limits: ZipLimits) throws(ZipError) -> CentralRecord {
        let headerOffset = reader.offset
        guard try reader.u32() == ZipSignature.centralHeader else {
            throw ZipError(.badSignature, "central directory entry \(index) does not start with the header signature",
                           offset: headerOffset)
        }
        let versionMadeBy = try reader.u16()
        let versionNeeded = try reader.u16()
        let flags = try reader.u16()
        let methodValue = try reader.u16()
        let dosTime = try reader.u16()
        let dosDate = try reader.u16()
        let crc = try reader.u32()
        let compressed32 = try reader.u32()
        let uncompressed32 = try reader.u32()
        let nameLength = Int(try reader.u16())
        let extraLength = Int(try reader.u16())
        let commentLength = Int(try reader.u16())
        let diskStart16 = try reader.u16()
        let internalAttributes = try reader.u16()
        let externalAttributes = try reader.u32()
        let localOffset32 = try reader.u32()
        let rawName = try reader.bytes(nameLength)
        let extraOffset = reader.offset
        let centralExtra = try reader.bytes(extraLength)
        let comment = try reader.bytes(commentLength)
        let record = Array(directory[recordStart..<reader.position])

        let utf8Flag = flags & ZipFlags.utf8 != 0
        guard let name = ZipName.decode(rawName, utf8Flag: utf8Flag) else {
            throw ZipError(.invalidField, "entry \(index) is flagged UTF-8 but its name is not valid UTF-8",
                           offset: headerOffset + UInt64(ZipRecordSize.centralHeader))
        }
        do throws(ZipError) {
            let zip64 = try Zip64Fields.parse(centralExtra, at: extraOffset,
                                              needsUncompressed: uncompressed32 == 0xFFFF_FFFF,
                                              needsCompressed: compressed32 == 0xFFFF_FFFF,
                                              needsOffset: localOffset32 == 0xFFFF_FFFF,
                                              needsDisk: diskStart16 == 0xFFFF)
            let uncompressedSize = zip64.uncompressed ?? UInt64(uncompressed32)
            let compressedSize = zip64.compressed ?? UInt64(compressed32)
            let localHeaderOffset = zip64.offset ?? UInt64(localOffset32)
            let diskStart = zip64.disk ?? UInt32(diskStart16)
            guard diskStart == 0 else {
                throw ZipError(.unsupportedFeature, "entry starts on disk \(diskStart): multi-disk archives are not supported",
                               entry: name, offset: headerOffset)
            }
            if !limits.allowUnsafeNames, let reason = ZipName.unsafeReason(name) {
                throw ZipError(.unsafeName, reason, entry: name, offset: headerOffset)
            }
            guard uncompressedSize <= limits.maxEntrySize else {
                throw ZipError(.limitExceeded,
                               "declared size \(uncompressedSize) bytes is larger than the per-entry limit of \(limits.maxEntrySize)",
                               entry: name, offset: headerOffset)
            }
            guard uncompressedSize / max(compressedSize, 1) <= limits.maxRatio else {
                throw ZipError(.limitExceeded,
                               "compression ratio \(uncompressedSize / max(compressedSize, 1)):1 is above the limit of \(limits.maxRatio):1 (possible zip bomb)",
                               entry: name, offset: headerOffset)
            }
            return CentralRecord(index: index, name: name, rawName: rawName, versionMadeBy: versionMadeBy,
                                 versionNeeded: versionNeeded, flags: flags, methodValue: methodValue, dosTime: dosTime,
                                 dosDate: dosDate, crc: crc, compressedSize: compressedSize,
                                 uncompressedSize: uncompressedSize, localHeaderOffset: localHeaderOffset,
                                 centralExtra: centralExtra, comment: comment, internalAttributes: internalAttributes,
                                 externalAttributes: externalAttributes, record: record, usesZip64: zip64.any)
        } catch {
            throw error.forEntry(name)
        }
    }

    /// From this many entries the local headers are checked on two threads.
    static let parallelLocalHeaderThreshold = 256

    /// Checks every record's local header (and data descriptor); throws the first failure in
    /// directory order, as checking them one by one would.
    static func completeEntries(_ records: [CentralRecord], file: ReadOnlyFile,
                                centralDirectoryOffset: UInt64) throws(ZipError) -> [ZipEntry] {
        let parts = records.count >= parallelLocalHeaderThreshold ? 2 : 1
        guard parts > 1 else {
            var entries: [ZipEntry] = []
            entries.reserveCapacity(records.count)
            for record in records {
                entries.append(try completeEntry(record, file: file, centralDirectoryOffset: centralDirectoryOffset))
            }
            return entries
        }
        // Each part builds its own array (one lock per part, not per entry); parts are
        // consecutive, so their arrays joined are the entries in order.
        let results = IndexedResults<Result<[ZipEntry], ZipError>>(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (records.count * part / parts)..<(records.count * (part + 1) / parts)
            var entries: [ZipEntry] = []
            entries.reserveCapacity(range.count)
            for index in range {
                do throws(ZipError) {
                    entries.append(try completeEntry(records[index], file: file, centralDirectoryOffset: centralDirectoryOffset))
                } catch {
                    results[part] = .failure(error)  // this part stops at its first failure
                    return
                }
            }
            results[part] = .success(entries)
        }
        var entries: [ZipEntry] = []
        entries.reserveCapacity(records.count)
        for part in 0..<parts {
            switch results[part]! {
            case let .success(partEntries): entries += partEntries
            case let .failure(error): throw error  // parts in order: the first failure met is the earliest
            }
        }
        return entries
    }


    private static func completeEntry(_ central: CentralRecord, file: ReadOnlyFile,
                                      centralDirectoryOffset: UInt64) throws(ZipError) -> ZipEntry {
        let name = central.name, compressedSize = central.compressedSize
        do throws(ZipError) {
            let local = try readLocalHeader(file, at: central.localHeaderOffset, name: name, rawName: central.rawName,
                                            flags: central.flags, method: central.methodValue, crc: central.crc,
                                            compressedSize: compressedSize, uncompressedSize: central.uncompressedSize,
                                            centralDirectoryOffset: centralDirectoryOffset)
            var descriptorLength = 0
            if central.flags & ZipFlags.dataDescriptor != 0 {
                do throws(ZipError) {
                    descriptorLength = try readDataDescriptor(file, at: local.dataOffset + compressedSize, name: name,
                                                              crc: central.crc, compressedSize: compressedSize,
                                                              uncompressedSize: central.uncompressedSize,
                                                              wide: central.usesZip64 || local.usesZip64,
                                                              centralDirectoryOffset: centralDirectoryOffset)
                } catch {
                    // Some writers set flag bit 3 yet fill in the local header and write no descriptor.
                    guard local.isComplete, error.kind == .headerMismatch || error.kind == .truncated else { throw error }
                }
            }
            return ZipEntry(index: central.index, name: name, rawName: central.rawName,
                            versionMadeBy: central.versionMadeBy, versionNeeded: central.versionNeeded,
                            flags: central.flags, method: ZipCompressionMethod(rawValue: central.methodValue),
                            dosTime: central.dosTime, dosDate: central.dosDate, crc32: central.crc,
                            compressedSize: compressedSize, uncompressedSize: central.uncompressedSize,
                            localHeaderOffset: central.localHeaderOffset, dataOffset: local.dataOffset,
                            dataDescriptorLength: descriptorLength, centralExtra: central.centralExtra,
                            localExtra: local.extra, comment: central.comment,
                            internalAttributes: central.internalAttributes,
                            externalAttributes: central.externalAttributes, centralRecord: central.record,
                            localHeaderRecord: local.record, usesZip64: central.usesZip64)
        } catch {
            throw error.forEntry(name)
        }
    }

    struct LocalHeader {
        /// The header as read: fixed fields, name and extra field.
        var record: [UInt8]
        var dataOffset: UInt64
        var extra: [UInt8]
        var usesZip64: Bool
        /// The local header itself carries the right CRC and sizes.
        var isComplete: Bool
    }

    /// Extra-field bytes a local header read allows for beyond the name.
    static let localExtraGuess = 96

    private static func readLocalHeader(_ file: ReadOnlyFile, at offset: UInt64, name: String, rawName: [UInt8],
                                        flags: UInt16, method: UInt16, crc: UInt32, compressedSize: UInt64,
                                        uncompressedSize: UInt64, centralDirectoryOffset: UInt64) throws(ZipError) -> LocalHeader {
        let fixed = UInt64(ZipRecordSize.localHeader)
        guard offset < centralDirectoryOffset, centralDirectoryOffset - offset >= fixed else {
            throw ZipError(.outOfBounds,
                           "local header offset \(offset) is not before the central directory at \(centralDirectoryOffset)",
                           entry: name, offset: offset)
        }
        // One read usually covers the header, the name and the extra field (guessed from the
        // central record's lengths plus room for alignment padding); a longer extra costs a second read.
        let guess = UInt64(ZipRecordSize.localHeader + rawName.count + localExtraGuess)
        var headerBytes = try file.read(count: Int(min(guess, centralDirectoryOffset - offset)), at: offset,
                                        what: "local header")
        var header = ByteReader(headerBytes, baseOffset: offset, what: "local header")
        guard try header.u32() == ZipSignature.localHeader else {
            throw ZipError(.badSignature, "no local header signature where the central directory says the entry starts",
                           entry: name, offset: offset)
        }
        try header.skip(2)
        let localFlags = try header.u16()
        let localMethod = try header.u16()
        try header.skip(4)
        let localCRC = try header.u32()
        let localCompressed = try header.u32()
        let localUncompressed = try header.u32()
        let nameLength = Int(try header.u16())
        let extraLength = Int(try header.u16())
        guard UInt64(nameLength + extraLength) <= centralDirectoryOffset - offset - fixed else {
            throw ZipError(.outOfBounds, "local header's name and extra field run into the central directory",
                           entry: name, offset: offset)
        }
        // The record is the header as read: the first read cut to length, or extended by a second one.
        let recordLength = ZipRecordSize.localHeader + nameLength + extraLength
        if headerBytes.count >= recordLength {
            headerBytes.removeLast(headerBytes.count - recordLength)
        } else {
            headerBytes += try file.read(count: recordLength - headerBytes.count, at: offset + UInt64(headerBytes.count),
                                         what: "local header name")
        }
        let record = headerBytes
        let localName = record[ZipRecordSize.localHeader..<(ZipRecordSize.localHeader + nameLength)]
        guard nameLength == rawName.count, localName.elementsEqual(rawName) else {
            let localName = ZipName.decode(Array(localName), utf8Flag: true) ?? "<not UTF-8>"
            throw ZipError(.headerMismatch, "local header names the entry '\(ZipError.printable(localName))'",
                           entry: name, offset: offset + fixed)
        }
        guard localFlags == flags else {
            throw ZipError(.headerMismatch,
                           "local header flags 0x\(String(localFlags, radix: 16)) differ from the central directory's 0x\(String(flags, radix: 16))",
                           entry: name, offset: offset + 6)
        }
        guard localMethod == method else {
            throw ZipError(.headerMismatch,
                           "local header says \(ZipCompressionMethod(rawValue: localMethod)) but the central directory says \(ZipCompressionMethod(rawValue: method))",
                           entry: name, offset: offset + 8)
        }
        let extra = extraLength == 0 ? [] : Array(record[(ZipRecordSize.localHeader + nameLength)...])
        let extraOffset = offset + fixed + UInt64(nameLength)
        let zip64 = try Zip64Fields.parse(extra, at: extraOffset, needsUncompressed: localUncompressed == 0xFFFF_FFFF,
                                          needsCompressed: localCompressed == 0xFFFF_FFFF,
                                          needsOffset: false, needsDisk: false, lenient: true)
            
        var complete = true
        if flags & ZipFlags.dataDescriptor == 0 {
            let sizes = (zip64.compressed ?? UInt64(localCompressed), zip64.uncompressed ?? UInt64(localUncompressed))
            guard localCRC == crc else {
                throw ZipError(.headerMismatch, "local header CRC \(localCRC.hex) differs from the central directory's \(crc.hex)",
                               entry: name, offset: offset + 14)
            }
            guard sizes == (compressedSize, uncompressedSize) else {
                throw ZipError(.headerMismatch,
                               "local header sizes \(sizes.0)/\(sizes.1) differ from the central directory's \(compressedSize)/\(uncompressedSize) (compressed/uncompressed)",
                               entry: name, offset: offset + 18)
            }
        } else {
            // With a data descriptor the local fields may be zero; if filled in they must still agree.
            if localCRC != 0, localCRC != crc {
                throw ZipError(.headerMismatch, "local header CRC \(localCRC.hex) differs from the central directory's \(crc.hex)",
                               entry: name, offset: offset + 14)
            }
            // Streaming writers fill the sizes in partly (Info-ZIP puts only the uncompressed one in a
            // zip64 extra); the data descriptor, checked below, carries the real ones.
            let sizes = (zip64.compressed ?? UInt64(localCompressed), zip64.uncompressed ?? UInt64(localUncompressed))
            complete = localCRC == crc && sizes == (compressedSize, uncompressedSize)
        }
        let dataOffset = extraOffset + UInt64(extraLength)
        guard compressedSize <= centralDirectoryOffset - dataOffset else {
            throw ZipError(.outOfBounds,
                           "compressed size \(compressedSize) runs past the start of the central directory at \(centralDirectoryOffset)",
                           entry: name, offset: dataOffset)
        }
        return LocalHeader(record: record, dataOffset: dataOffset, extra: extra, usesZip64: zip64.any, isComplete: complete)
    }

    private static func readDataDescriptor(_ file: ReadOnlyFile, at offset: UInt64, name: String, crc: UInt32,
                                           compressedSize: UInt64, uncompressedSize: UInt64, wide: Bool,
                                           centralDirectoryOffset: UInt64) throws(ZipError) -> Int {
        let sizeWidth = wide ? 8 : 4
        let available = centralDirectoryOffset - offset
        let wanted = min(UInt64(4 + 4 + 2 * sizeWidth), available)
        let bytes = try file.read(count: Int(wanted), at: offset, what: "data descriptor")
        var reader = ByteReader(bytes, baseOffset: offset, what: "data descriptor")
        var length = 0
        var first = try reader.u32()
        if first == ZipSignature.dataDescriptor && crc != ZipSignature.dataDescriptor {
            length += 4
            first = try reader.u32()
        }
        guard first == crc else {
            throw ZipError(.headerMismatch, "data descriptor CRC \(first.hex) differs from the central directory's \(crc.hex)",
                           entry: name, offset: offset)
        }
        let descriptorCompressed = wide ? try reader.u64() : UInt64(try reader.u32())
        let descriptorUncompressed = wide ? try reader.u64() : UInt64(try reader.u32())
        guard descriptorCompressed == compressedSize, descriptorUncompressed == uncompressedSize else {
            throw ZipError(.headerMismatch,
                           "data descriptor sizes \(descriptorCompressed)/\(descriptorUncompressed) differ from the central directory's \(compressedSize)/\(uncompressedSize)",
                           entry: name, offset: offset)
        }
        return length + 4 + 2 * sizeWidth
    }

    struct Extents {
        var entriesStart: UInt64
        var entriesEnd: UInt64
    }

    /// Entries must not share bytes: sharing is how "overlapped" zip bombs get huge output from little input.
    static func checkExtents(_ entries: [ZipEntry], centralDirectoryOffset: UInt64) throws(ZipError) -> Extents {
        guard !entries.isEmpty else { return Extents(entriesStart: 0, entriesEnd: 0) }
        // Positions in file order. Writers put the directory in file order, so usually there is
        // nothing to sort; indices keep the entries themselves from being copied.
        var order = Array(entries.indices)
        if !order.dropFirst().allSatisfy({ entries[$0 - 1].localHeaderOffset <= entries[$0].localHeaderOffset }) {
            order.sort { (entries[$0].localHeaderOffset, $0) < (entries[$1].localHeaderOffset, $1) }
        }
        for position in order.indices.dropFirst() {
            let earlier = order[position - 1], later = order[position]
            guard entries[earlier].endOffset <= entries[later].localHeaderOffset else {
                throw ZipError(.overlappingEntries,
                               "entry data (ends at \(entries[earlier].endOffset)) overlaps entry '\(ZipError.printable(entries[later].name))' starting at \(entries[later].localHeaderOffset) (possible zip bomb)",
                               entry: entries[earlier].name, offset: entries[earlier].localHeaderOffset)
            }
        }
        let first = order[0], last = order[order.count - 1]
        guard entries[last].endOffset <= centralDirectoryOffset else {
            throw ZipError(.overlappingEntries, "entry data runs into the central directory at \(centralDirectoryOffset)",
                           entry: entries[last].name, offset: entries[last].localHeaderOffset)
        }
        return Extents(entriesStart: entries[first].localHeaderOffset, entriesEnd: entries[last].endOffset)
    }

    struct SigningBlock {
        var region: ZipRegion
        var pairs: [ZipSigningBlockPair]
        var paddingBefore: UInt64
    }

    static let signingBlockMagic = Array("APK Sig Block 42".utf8)
    static let maxSigningBlockPairs = 4096

    /// Whatever lies between the last entry and the central directory must be an APK Signing Block:
    /// `u64 size | pairs (u64 length, u32 id, value) | u64 size | "APK Sig Block 42"`.
    static func readSigningBlock(_ file: ReadOnlyFile, entriesEnd: UInt64,
                                 centralDirectoryOffset: UInt64) throws(ZipError) -> SigningBlock? {
        guard centralDirectoryOffset > entriesEnd else { return nil }
        let gap = centralDirectoryOffset - entriesEnd
        guard gap >= 32 else {
            throw ZipError(.signingBlock,
                           "\(gap) unexplained bytes between the last entry and the central directory at \(centralDirectoryOffset)",
                           offset: entriesEnd)
        }
        let footerOffset = centralDirectoryOffset - 24
        let footer = try file.read(count: 24, at: footerOffset, what: "APK Signing Block footer")
        guard Array(footer[8...]) == signingBlockMagic else {
            throw ZipError(.signingBlock,
                           "\(gap) bytes between the last entry and the central directory are not an APK Signing Block (magic is not 'APK Sig Block 42')",
                           offset: footerOffset + 8)
        }
        var footerReader = ByteReader(footer, baseOffset: footerOffset, what: "APK Signing Block footer")
        let trailingSize = try footerReader.u64()
        guard trailingSize >= 24, trailingSize <= gap - 8 else {
            throw ZipError(.signingBlock,
                           "APK Signing Block size \(trailingSize) does not fit the \(gap) bytes before the central directory",
                           offset: footerOffset)
        }
        let blockStart = centralDirectoryOffset - trailingSize - 8
        guard blockStart >= entriesEnd else {
            throw ZipError(.overlappingEntries,
                           "APK Signing Block at \(blockStart) overlaps the last entry, which ends at \(entriesEnd)",
                           offset: blockStart)
        }
        // apksigner pads the entries with zeros up to a 4 KiB boundary before a block with verity digests.
        let padding = blockStart - entriesEnd
        if padding > 0 {
            guard blockStart % 4096 == 0, try isAllZero(file, ZipRegion(offset: entriesEnd, length: padding)) else {
                throw ZipError(.signingBlock,
                               "\(padding) unexplained bytes between the last entry (ends at \(entriesEnd)) and the APK Signing Block at \(blockStart)",
                               offset: entriesEnd)
            }
        }
        var headReader = ByteReader(try file.read(count: 8, at: blockStart, what: "APK Signing Block header"),
                                    baseOffset: blockStart, what: "APK Signing Block header")
        let leadingSize = try headReader.u64()
        guard leadingSize == trailingSize else {
            throw ZipError(.signingBlock,
                           "APK Signing Block's two size fields disagree (\(leadingSize) at the start, \(trailingSize) at the end)",
                           offset: blockStart)
        }
        var pairs: [ZipSigningBlockPair] = []
        var position = blockStart + 8
        while position < footerOffset {
            guard footerOffset - position >= 12 else {
                throw ZipError(.signingBlock, "APK Signing Block pair header is cut short by the block's end", offset: position)
            }
            guard pairs.count < maxSigningBlockPairs else {
                throw ZipError(.limitExceeded, "APK Signing Block has more than \(maxSigningBlockPairs) pairs", offset: position)
            }
            var pairReader = ByteReader(try file.read(count: 12, at: position, what: "APK Signing Block pair"),
                                        baseOffset: position, what: "APK Signing Block pair")
            let pairLength = try pairReader.u64()
            let id = try pairReader.u32()
            guard pairLength >= 4, pairLength <= footerOffset - position - 8 else {
                throw ZipError(.signingBlock, "APK Signing Block pair length \(pairLength) does not fit in the block",
                               offset: position)
            }
            pairs.append(ZipSigningBlockPair(id: id, value: ZipRegion(offset: position + 12, length: pairLength - 4)))
            position += 8 + pairLength
        }
        return SigningBlock(region: ZipRegion(offset: blockStart, length: centralDirectoryOffset - blockStart), pairs: pairs,
                            paddingBefore: padding)
    }
}

/// Whether a region holds only zero bytes, read through a bounded buffer.
private func isAllZero(_ file: ReadOnlyFile, _ region: ZipRegion) throws(ZipError) -> Bool {
    var offset = region.offset
    while offset < region.end {
        let count = Int(min(UInt64(ZipArchive.chunkSize), region.end - offset))
        guard try file.read(count: count, at: offset, what: "padding").allSatisfy({ $0 == 0 }) else { return false }
        offset += UInt64(count)
    }
    return true
}

/// The zip64 extended-information extra field (header 0x0001): 8-byte values, present only for
/// the header fields that hold their 0xFFFF… marker, in the order uncompressed, compressed, offset, disk.
struct Zip64Fields {
    var uncompressed: UInt64?
    var compressed: UInt64?
    var offset: UInt64?
    var disk: UInt32?

    var any: Bool { uncompressed != nil || compressed != nil || offset != nil || disk != nil }

    static let headerID: UInt16 = 0x0001

    /// `lenient` accepts a tail of fewer than 4 bytes (zipalign pads local extras with zeros).
    static func parse(_ extra: [UInt8], at baseOffset: UInt64, needsUncompressed: Bool, needsCompressed: Bool,
                      needsOffset: Bool, needsDisk: Bool, lenient: Bool = false) throws(ZipError) -> Zip64Fields {
            var reader = ByteReader(extra, baseOffset: baseOffset, what: "extra field")
            var fields = Zip64Fields()
            var found = false
            while reader.remaining >= 4 {
                let recordOffset = reader.offset
                let id = try reader.u16()
                let length = Int(try reader.u16())
                guard length <= reader.remaining else {
                    throw ZipError(.invalidField,
                                   "extra field record 0x\(String(id, radix: 16)) claims \(length) bytes but only \(reader.remaining) remain",
                                   offset: recordOffset)
                }
                let body = try reader.bytes(length)
                guard id == headerID, !found else { continue }
                found = true
                var values = ByteReader(body, baseOffset: recordOffset + 4, what: "zip64 extra field")
                if needsUncompressed { fields.uncompressed = try values.u64() }
                if needsCompressed { fields.compressed = try values.u64() }
                if needsOffset { fields.offset = try values.u64() }
                if needsDisk { fields.disk = try values.u32() }
            }
            if reader.remaining > 0 && !lenient && !extra[(extra.count - reader.remaining)...].allSatisfy({ $0 == 0 }) {
                throw ZipError(.invalidField, "extra field ends with \(reader.remaining) bytes that are not a record",
                               offset: reader.offset)
            }
            if (needsUncompressed || needsCompressed || needsOffset || needsDisk) && !found {
                throw ZipError(.invalidField, "header holds zip64 marker values but there is no zip64 extra field",
                               offset: baseOffset)
            }
            return fields
    }
}

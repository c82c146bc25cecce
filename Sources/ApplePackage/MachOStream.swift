/// Reads a Mach-O file that arrives as a stream (a ZIP entry being inflated) without holding it:
/// the first pass keeps only the fat header, each slice's header and load commands, and each
/// code signature; the second pass hashes the code pages as they flow past. Memory is the size
/// of those structures, not of the binary.
///
/// Every structure points forward (fat header → slices → load commands → signature at the end
/// of `__LINKEDIT`), so one pass finds them all; a pointer backwards into bytes already gone is
/// reported as malformed.
public struct MachOStreamReader {
    /// Hands the file's bytes, in order, to the callback; called once per pass.
    public typealias Source = ((UnsafeRawBufferPointer) throws(ApplePackageError) -> Void) throws(ApplePackageError) -> Void

    public let size: Int

    public init(size: Int) {
        self.size = size
    }

    /// The slices of the file and whether it is fat, with code pages checked, from two passes over `source`.
    public func read(_ source: Source) throws(ApplePackageError) -> (isFat: Bool, slices: [MachOSlice]) {
        var capture = Capture(size: size)
        capture.want(0..<min(size, 4096))
        try source { chunk throws(ApplePackageError) in try capture.feed(chunk) }
        try capture.finishDiscovery()
        var slices: [MachOSlice] = []
        for layout in capture.layouts {
            guard let header = capture.bytes(layout.commands) else {
                throw .truncated(structure: "Mach-O header", offset: layout.offset, needed: layout.commands.count)
            }
            let slice: MachOSlice
            do {
                slice = try MachOSlice(header: header, offset: 0, size: layout.size, pages: nil) {
                    (start, length) throws(ApplePackageError) in
                    guard let bytes = capture.bytes((layout.offset + start)..<(layout.offset + start + length)) else {
                        throw .malformed(structure: "LC_CODE_SIGNATURE", offset: start,
                                         expected: "a signature after the load commands (it points back into the file)")
                    }
                    return bytes
                }
            } catch {
                throw MachOSlice.relocated(error, by: layout.offset)
            }
            if let declared = layout.declaredCPUType, declared != slice.cpu.type {
                throw .malformed(structure: "fat header", offset: layout.entryOffset,
                                 expected: "slice CPU type \(CPU.name(type: declared, subtype: 0)) to match its Mach-O header (\(slice.cpu.name))")
            }
            slices.append(slice.relocated(to: layout.offset))
        }
        let checked = try checkPages(of: slices, source)
        return (capture.isFat, checked)
    }

    /// Second pass: every CodeDirectory's page hashes against the bytes of its slice.
    private func checkPages(of slices: [MachOSlice], _ source: Source) throws(ApplePackageError) -> [MachOSlice] {
        var jobs: [PageJob] = []
        for (sliceIndex, slice) in slices.enumerated() {
            for (directoryIndex, directory) in (slice.codeSignature?.codeDirectories ?? []).enumerated() {
                jobs.append(PageJob(slice: sliceIndex, directory: directoryIndex, start: slice.offset, directoryValue: directory,
                                    sliceSize: slice.size))
            }
        }
        guard !jobs.isEmpty else { return slices }
        var position = 0
        try source { chunk throws(ApplePackageError) in
            for index in jobs.indices { jobs[index].feed(chunk, at: position) }
            position += chunk.count
        }
        var result = slices
        for job in jobs {
            guard var signature = result[job.slice].codeSignature else { continue }
            signature = signature.replacingCodeDirectory(at: job.directory, with: job.finished())
            result[job.slice] = result[job.slice].replacingCodeSignature(signature)
        }
        return result
    }

    /// Where one slice's structures lie, as the first pass learns it.
    struct Layout {
        let offset: Int
        let size: Int
        let entryOffset: Int
        let declaredCPUType: UInt32?
        var commands: Range<Int>
        var commandsRequested = false
        var signatureRequested = false
    }

    struct Capture {
        let size: Int
        var ranges: [Range<Int>: [UInt8]] = [:]
        var layouts: [Layout] = []
        var isFat = false
        var headerParsed = false
        var position = 0
        var failure: ApplePackageError?

        init(size: Int) { self.size = size }

        /// Asks for `range`, starting it with what an overlapping range already holds: a header's
        /// first bytes are read before its full length is known, and those bytes are gone from the stream.
        mutating func want(_ range: Range<Int>) {
            let clamped = max(0, min(range.lowerBound, size))..<max(0, min(range.upperBound, size))
            guard ranges[clamped] == nil else { return }
            var seed: [UInt8] = []
            for (held, bytes) in ranges where held.lowerBound <= clamped.lowerBound && held.lowerBound + bytes.count > clamped.lowerBound {
                let from = clamped.lowerBound - held.lowerBound
                let available = bytes[from..<min(bytes.count, from + clamped.count)]
                if available.count > seed.count { seed = Array(available) }
            }
            ranges[clamped] = seed
        }

        func bytes(_ range: Range<Int>) -> [UInt8]? {
            if let exact = ranges[range], exact.count == range.count { return exact }
            for (held, bytes) in ranges where held.lowerBound <= range.lowerBound && held.upperBound >= range.upperBound && bytes.count == held.count {
                return Array(bytes[(range.lowerBound - held.lowerBound)..<(range.upperBound - held.lowerBound)])
            }
            return nil
        }

        /// Copies the wanted parts of `chunk`, then learns what else to want from them; a structure
        /// found inside the same chunk is captured before the chunk is let go.
        mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(ApplePackageError) {
            let chunkRange = position..<(position + chunk.count)
            var learned = true
            while learned {
                for (range, held) in ranges where held.count < range.count {
                    // Bytes before this chunk are gone: a range that starts there stays incomplete (a backward pointer).
                    let next = range.lowerBound + held.count
                    guard next >= chunkRange.lowerBound, next < chunkRange.upperBound else { continue }
                    let end = min(range.upperBound, chunkRange.upperBound)
                    ranges[range]!.append(contentsOf: chunk[(next - position)..<(end - position)])
                }
                learned = try discover()
            }
            position = chunkRange.upperBound
        }

        mutating func finishDiscovery() throws(ApplePackageError) {
            _ = try discover()
            if !headerParsed {
                throw .truncated(structure: "Mach-O header", offset: 0, needed: 4)
            }
        }

        /// Adds the ranges the complete ones point to; true when it asked for something new.
        mutating func discover() throws(ApplePackageError) -> Bool {
            var asked = false
            if !headerParsed, let head = bytes(0..<min(size, 4096)) {
                headerParsed = true
                let reader = ByteReader(head, endian: .big, structure: "Mach-O header")
                let magic = try reader.uint32(at: 0)
                if magic == 0xcafe_babe || magic == 0xcafe_babf {
                    isFat = true
                    for entry in try MachOFile.fatEntries(reader, fileSize: size, is64: magic == 0xcafe_babf) {
                        layouts.append(Layout(offset: entry.offset, size: entry.size, entryOffset: entry.entryOffset,
                                              declaredCPUType: entry.cpuType, commands: entry.offset..<min(entry.offset + 32, entry.offset + entry.size)))
                    }
                } else {
                    layouts.append(Layout(offset: 0, size: size, entryOffset: 0, declaredCPUType: nil, commands: 0..<min(32, size)))
                }
                for layout in layouts { want(layout.commands) }
                asked = true
            }
            for index in layouts.indices {
                var layout = layouts[index]
                if !layout.commandsRequested, let header = bytes(layout.commands), header.count >= 28 {
                    let magic = header[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                    let bigEndian = magic == 0xfeed_face || magic == 0xfeed_facf
                    let reader = ByteReader(header, endian: bigEndian ? .big : .little, structure: "Mach-O header")
                    let is64 = magic == 0xfeed_facf || magic == 0xcffa_edfe
                    let commandBytes = Int(try reader.uint32(at: 20))
                    layout.commands = layout.offset..<min(layout.offset + layout.size, layout.offset + (is64 ? 32 : 28) + commandBytes)
                    layout.commandsRequested = true
                    want(layout.commands)
                    asked = true
                } else if layout.commandsRequested, !layout.signatureRequested, let commands = bytes(layout.commands) {
                    layout.signatureRequested = true
                    if let (start, length) = Self.signatureRange(in: commands), start <= layout.size, length <= layout.size - start {
                        want((layout.offset + start)..<(layout.offset + start + length))
                        asked = true
                    }
                }
                layouts[index] = layout
            }
            return asked
        }

        /// LC_CODE_SIGNATURE's (dataoff, datasize), found by walking the commands without trusting them
        /// (the real parse afterwards reports any damage with its offset).
        static func signatureRange(in header: [UInt8]) -> (Int, Int)? {
            guard header.count >= 28 else { return nil }
            let magic = header[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let little = magic == 0xcefa_edfe || magic == 0xcffa_edfe
            let reader = ByteReader(header, endian: little ? .little : .big, structure: "load commands")
            var cursor = magic == 0xfeed_facf || magic == 0xcffa_edfe ? 32 : 28
            guard let count = try? reader.uint32(at: 16) else { return nil }
            for _ in 0..<min(Int(count), MachOFile.maximumLoadCommands) {
                guard let command = try? reader.uint32(at: cursor), let commandSize = try? reader.uint32(at: cursor + 4),
                      commandSize >= 8 else { return nil }
                if command == 0x1d, let start = try? reader.uint32(at: cursor + 8), let length = try? reader.uint32(at: cursor + 12) {
                    return (Int(start), Int(length))
                }
                cursor += Int(commandSize)
            }
            return nil
        }
    }

    /// Hashes one CodeDirectory's pages as the bytes stream past.
    struct PageJob {
        let slice: Int
        let directory: Int
        let start: Int
        var directoryValue: CodeDirectory
        let limit: Int
        let step: Int
        var page = 0
        var filled = 0
        var hasher: HashAlgorithm.Hasher?
        var mismatched: [Int] = []

        init(slice: Int, directory: Int, start: Int, directoryValue: CodeDirectory, sliceSize: Int) {
            self.slice = slice
            self.directory = directory
            self.start = start
            self.directoryValue = directoryValue
            let limit = directoryValue.codeLimit <= UInt64(sliceSize) ? Int(directoryValue.codeLimit) : -1
            self.limit = limit
            self.step = directoryValue.pageSize == 0 ? max(limit, 1) : directoryValue.pageSize
        }

        mutating func feed(_ chunk: UnsafeRawBufferPointer, at position: Int) {
            guard limit >= 0 else { return }
            var cursor = max(position, start + page * step + filled)
            let chunkEnd = position + chunk.count
            while cursor < chunkEnd, page < directoryValue.codeSlotCount {
                let pageEnd = min(start + (page + 1) * step, start + limit)
                let end = min(pageEnd, chunkEnd)
                if hasher == nil { hasher = HashAlgorithm.Hasher(directoryValue.hashAlgorithm) }
                hasher!.update(buffer: UnsafeRawBufferPointer(rebasing: chunk[(cursor - position)..<(end - position)]))
                filled += end - cursor
                cursor = end
                if cursor == pageEnd { finishPage() }
            }
        }

        private mutating func finishPage() {
            if let hasher, hasher.finish() != Array(directoryValue.codeSlotHash(page)) { mismatched.append(page) }
            hasher = nil
            filled = 0
            page += 1
        }

        func finished() -> CodeDirectory {
            var copy = directoryValue
            // Pages the stream never reached (a code limit past the end) count as differing.
            copy.mismatchedPages = limit < 0 ? Array(0..<directoryValue.codeSlotCount)
                : mismatched + Array(page..<directoryValue.codeSlotCount)
            return copy
        }
    }
}

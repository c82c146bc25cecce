/// Rewrites an archive: untouched entries are copied raw (no inflate or deflate), stored
/// entries are aligned the way zipalign does (4 bytes; stored `.so` files to a page), and
/// entries can be replaced, removed or added. The input is only read.
public struct ArchiveRepacker: Sendable {
    public struct Options: Sendable, Equatable {
        /// Alignment of stored entries' data (zipalign's argument; 4 for APKs).
        public var alignment: Int
        /// Alignment of stored `.so` files (16 KiB pages by default; nil treats them like other stored entries).
        public var pageAlignment: Int?
        /// When set, deflated entries are re-deflated at this level (CRC-checked); otherwise copied raw.
        public var recompressionLevel: Int?
        /// Level for replaced and added deflated entries.
        public var deflateLevel: Int
        public var alignmentStyle: ZipAlignmentStyle

        public init(alignment: Int = 4, pageAlignment: Int? = 16 * 1024, recompressionLevel: Int? = nil,
                    deflateLevel: Int = 9, alignmentStyle: ZipAlignmentStyle = .zipalign) {
            self.alignment = alignment
            self.pageAlignment = pageAlignment
            self.recompressionLevel = recompressionLevel
            self.deflateLevel = deflateLevel
            self.alignmentStyle = alignmentStyle
        }
    }

    /// A new entry to append after the copied ones.
    public struct NewEntry: Sendable {
        public var name: String
        public var data: [UInt8]
        public var compress: Bool

        public init(name: String, data: [UInt8], compress: Bool) {
            self.name = name
            self.data = data
            self.compress = compress
        }
    }

    /// What a repack did, for reports and the CLI.
    public struct Report: Sendable, Codable, Equatable {
        public var entries = 0
        public var copiedRaw = 0
        public var recompressed = 0
        public var replaced = 0
        public var removed = 0
        public var added = 0
        /// Entries whose data was aligned (stored ones).
        public var aligned = 0
        /// The input's APK Signing Block is not carried over: a repacked APK must be signed again.
        public var droppedSigningBlock = false
        /// Bytes before the first entry in the input (not carried over).
        public var droppedPrefixBytes: UInt64 = 0
        public var outputSize: UInt64 = 0
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The alignment an entry's data gets: none for compressed entries.
    public func alignment(forStoredEntryNamed name: String) -> Int {
        if let page = options.pageAlignment, name.hasSuffix(".so") { return page }
        return options.alignment
    }

    public func repack(_ archive: ZipArchive, to destination: String,
                       replacing replacements: [String: [UInt8]] = [:], removing removals: Set<String> = [],
                       adding additions: [NewEntry] = [],
                       insertingBeforeCentralDirectory hook: ((ZipWriterLayout) throws -> [UInt8])? = nil) throws -> Report {
        for name in replacements.keys.sorted() + removals.sorted() where archive.entry(named: name) == nil {
            throw ZipError(.invalidRequest, "no such entry to replace or remove", entry: name, archive: archive.path)
        }
        // A method or encryption nothing downstream can read would only carry a broken package forward.
        for entry in archive.entries where !removals.contains(entry.name) {
            if entry.isEncrypted {
                throw ZipError(.encrypted, "entry is encrypted; appseal does not repack encrypted entries",
                               entry: entry.name, offset: entry.localHeaderOffset, archive: archive.path)
            }
            if case .other = entry.method {
                throw ZipError(.unsupportedMethod, "compression \(entry.method) is not supported (only stored and deflated)",
                               entry: entry.name, offset: entry.localHeaderOffset, archive: archive.path)
            }
        }
        let writer = try ZipWriter(destination: destination, options: ZipWriterOptions(
            alignmentStyle: options.alignmentStyle, allowUnsafeNames: archive.limits.allowUnsafeNames,
            expectedSize: archive.file.size))
        var report = Report()
        report.droppedSigningBlock = archive.signingBlock != nil
        report.droppedPrefixBytes = archive.prefixLength
        do {
            for entry in archive.entries {
                if removals.contains(entry.name) {
                    report.removed += 1
                    continue
                }
                let stored = entry.method == .stored
                let alignment = stored ? self.alignment(forStoredEntryNamed: entry.name) : nil
                if alignment != nil { report.aligned += 1 }
                if let data = replacements[entry.name] {
                    try writer.add(name: entry.name, data: data,
                                   method: stored ? .stored : .deflated(level: options.deflateLevel),
                                   alignment: alignment, dosTime: entry.dosTime, dosDate: entry.dosDate,
                                   externalAttributes: entry.externalAttributes)
                    report.replaced += 1
                } else if let level = options.recompressionLevel, entry.method == .deflated {
                    try writer.add(name: entry.name, method: .deflated(level: level), dosTime: entry.dosTime,
                                   dosDate: entry.dosDate, externalAttributes: entry.externalAttributes,
                                   expectedSize: entry.uncompressedSize) { write in
                        try archive.stream(entry) { chunk in try write(chunk) }
                    }
                    report.recompressed += 1
                } else {
                    try writer.copyRaw(entry, from: archive, alignment: alignment)
                    report.copiedRaw += 1
                }
                report.entries += 1
            }
            for addition in additions {
                let alignment = addition.compress ? nil : self.alignment(forStoredEntryNamed: addition.name)
                if alignment != nil { report.aligned += 1 }
                try writer.add(name: addition.name, data: addition.data,
                               method: addition.compress ? .deflated(level: options.deflateLevel) : .stored,
                               alignment: alignment)
                report.added += 1
                report.entries += 1
            }
            try writer.finish(insertingBeforeCentralDirectory: hook)
        } catch {
            writer.cancel()
            throw error
        }
        report.outputSize = writer.finishedSize ?? 0
        return report
    }
}

/// A Mach-O file, thin or fat (universal), parsed from bytes it keeps.
///
/// Every count and offset is untrusted: slices must lie inside the file and not overlap the fat
/// header, load commands must fit in `sizeofcmds`, and every structure is bounds-checked first.
public struct MachOFile: Sendable {
    public let bytes: [UInt8]
    public let isFat: Bool
    public let slices: [MachOSlice]

    /// More slices than any real universal binary has; anything above is a hostile count.
    static let maximumSlices = 64
    /// Load commands a slice may declare; real binaries have well under a hundred.
    static let maximumLoadCommands = 4096

    public init(bytes: [UInt8]) throws(ApplePackageError) {
        self.bytes = bytes
        let reader = ByteReader(bytes, endian: .big, structure: "Mach-O header")
        let magic = try reader.uint32(at: 0)
        switch magic {
        case 0xcafe_babe, 0xcafe_babf:
            isFat = true
            slices = try Self.parseFat(reader, is64: magic == 0xcafe_babf)
        default:
            isFat = false
            slices = [try MachOSlice(bytes: bytes, offset: 0, size: bytes.count)]
        }
    }

    private static func parseFat(_ reader: ByteReader, is64: Bool) throws(ApplePackageError) -> [MachOSlice] {
        let structure = "fat header"
        let rawCount = try reader.uint32(at: 4)
        guard rawCount > 0, rawCount <= UInt32(maximumSlices) else {
            throw .malformed(structure: structure, offset: 4, expected: "1 to \(maximumSlices) architectures, got \(rawCount)")
        }
        let count = Int(rawCount)
        let entrySize = is64 ? 32 : 20
        let headerEnd = 8 + count * entrySize
        try reader.require(8, count * entrySize, structure: structure)
        var slices: [MachOSlice] = []
        var claimed: [Range<Int>] = []
        for index in 0..<count {
            let entry = 8 + index * entrySize
            let offset: UInt64
            let size: UInt64
            if is64 {
                offset = try reader.uint64(at: entry + 8)
                size = try reader.uint64(at: entry + 16)
            } else {
                offset = UInt64(try reader.uint32(at: entry + 8))
                size = UInt64(try reader.uint32(at: entry + 12))
            }
            let start = try reader.integer(offset, at: entry + 8, field: "slice offset")
            let length = try reader.integer(size, at: entry + (is64 ? 16 : 12), field: "slice size")
            let (sliceEnd, overflow) = start.addingReportingOverflow(length)
            guard !overflow, start >= headerEnd, sliceEnd <= reader.bytes.count, length > 0 else {
                throw .malformed(structure: structure, offset: entry,
                                 expected: "slice \(index) inside the file after the fat header, got offset \(start) size \(length) in a file of \(reader.bytes.count) bytes")
            }
            let range = start..<sliceEnd
            guard !claimed.contains(where: { $0.overlaps(range) }) else {
                throw .malformed(structure: structure, offset: entry, expected: "slice \(index) not overlapping another slice")
            }
            claimed.append(range)
            let slice = try MachOSlice(bytes: reader.bytes, offset: start, size: length)
            let declaredType = try reader.uint32(at: entry)
            guard declaredType == slice.cpu.type else {
                throw .malformed(structure: structure, offset: entry,
                                 expected: "slice \(index) CPU type \(CPU.name(type: declaredType, subtype: 0)) to match its Mach-O header (\(slice.cpu.name))")
            }
            slices.append(slice)
        }
        return slices
    }
}

/// The processor a slice runs on.
public struct CPU: Codable, Sendable, Equatable {
    public let type: UInt32
    public let subtype: UInt32
    public let name: String

    init(type: UInt32, subtype: UInt32) {
        self.type = type
        self.subtype = subtype
        self.name = CPU.name(type: type, subtype: subtype)
    }

    static func name(type: UInt32, subtype: UInt32) -> String {
        let sub = subtype & 0x00ff_ffff  // the top byte holds capability bits (pointer-auth ABI version)
        switch type {
        case 7: return "i386"
        case 0x0100_0007: return sub == 8 ? "x86_64h" : "x86_64"
        case 12:
            switch sub {
            case 6: return "armv6"
            case 9: return "armv7"
            case 11: return "armv7s"
            case 12: return "armv7k"
            case 5: return "armv4t"
            case 7: return "armv5"
            case 14: return "armv6m"
            case 15: return "armv7m"
            case 16: return "armv7em"
            default: return "arm"
            }
        case 0x0100_000c: return sub == 2 ? "arm64e" : "arm64"
        case 0x0200_000c: return "arm64_32"
        case 18: return "ppc"
        case 0x0100_0012: return "ppc64"
        default: return String(format: "cpu(0x%x/0x%x)", type, subtype)
        }
    }
}

/// One architecture's Mach-O image: header, load commands and what they say.
public struct MachOSlice: Codable, Sendable {
    public let offset: Int
    public let size: Int
    public let cpu: CPU
    public let is64Bit: Bool
    public let isBigEndian: Bool
    public let fileType: String
    public let flags: UInt32
    public let loadCommands: [LoadCommand]
    public let segments: [Segment]
    public let linkedDylibs: [LinkedDylib]
    public let installName: String?
    public let uuid: String?
    public let rpaths: [String]
    public let minimumOS: MinimumOS?
    public let encryption: EncryptionInfo?
    /// `LC_CODE_SIGNATURE`'s range, relative to the slice.
    public let codeSignatureOffset: Int?
    public let codeSignatureSize: Int?
    public let codeSignature: CodeSignature?
    /// Inconsistencies that do not stop the parse but that a reviewer should see.
    public let warnings: [String]

    public var isEncrypted: Bool { (encryption?.cryptID ?? 0) != 0 }
    public var isSigned: Bool { codeSignature != nil }

    public struct LoadCommand: Codable, Sendable, Equatable {
        public let command: UInt32
        public let name: String
        public let offset: Int
        public let size: Int
    }

    public struct Segment: Codable, Sendable, Equatable {
        public let name: String
        public let fileOffset: UInt64
        public let fileSize: UInt64
        public let sections: [String]
    }

    public struct LinkedDylib: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case load, weak, reexport, lazy, upward }
        public let path: String
        public let kind: Kind
        public let currentVersion: String
        public let compatibilityVersion: String
    }

    public struct MinimumOS: Codable, Sendable, Equatable {
        public let platform: String
        public let version: String
        public let sdk: String
        /// The load command it came from: LC_BUILD_VERSION or LC_VERSION_MIN_*.
        public let source: String
    }

    public struct EncryptionInfo: Codable, Sendable, Equatable {
        public let cryptOffset: UInt32
        public let cryptSize: UInt32
        public let cryptID: UInt32
    }

    public init(bytes: [UInt8], offset: Int, size: Int) throws(ApplePackageError) {
        self.offset = offset
        self.size = size
        var reader = ByteReader(bytes, start: offset, end: offset + size, endian: .little, structure: "Mach-O header")
        let magic = try reader.uint32(at: offset)
        switch magic {
        case 0xfeed_face: is64Bit = false; isBigEndian = false
        case 0xfeed_facf: is64Bit = true; isBigEndian = false
        case 0xcefa_edfe: is64Bit = false; isBigEndian = true
        case 0xcffa_edfe: is64Bit = true; isBigEndian = true
        default:
            throw .malformed(structure: "Mach-O header", offset: offset,
                             expected: "Mach-O magic (feedface/feedfacf/cafebabe), got \(try reader.slice(at: offset, length: 4).hexString)")
        }
        if isBigEndian { reader.endian = .big }
        let headerSize = is64Bit ? 32 : 28
        try reader.require(offset, headerSize)
        cpu = CPU(type: try reader.uint32(at: offset + 4), subtype: try reader.uint32(at: offset + 8))
        let rawFileType = try reader.uint32(at: offset + 12)
        fileType = MachOSlice.fileTypeName(rawFileType)
        let commandCount = Int(try reader.uint32(at: offset + 16))
        let commandBytes = Int(try reader.uint32(at: offset + 20))
        flags = try reader.uint32(at: offset + 24)
        guard commandCount <= MachOFile.maximumLoadCommands else {
            throw .malformed(structure: "Mach-O header", offset: offset + 16,
                             expected: "at most \(MachOFile.maximumLoadCommands) load commands, got \(commandCount)")
        }
        let commandsStart = offset + headerSize
        let commands = try reader.window(at: commandsStart, length: commandBytes, structure: "load commands")

        var loadCommands: [LoadCommand] = []
        var segments: [Segment] = []
        var dylibs: [LinkedDylib] = []
        var installName: String?
        var uuid: String?
        var rpaths: [String] = []
        var buildVersion: MinimumOS?
        var versionMin: MinimumOS?
        var encryption: EncryptionInfo?
        var signature: (offset: Int, size: Int)?
        var warnings: [String] = []

        var cursor = commandsStart
        for _ in 0..<commandCount {
            try commands.require(cursor, 8, structure: "load command")
            let command = try commands.uint32(at: cursor)
            let commandSize = Int(try commands.uint32(at: cursor + 4))
            guard commandSize >= 8, commandSize % 4 == 0 else {
                throw .malformed(structure: "load command", offset: cursor + 4,
                                 expected: "cmdsize of at least 8 and a multiple of 4, got \(commandSize)")
            }
            let body = try commands.window(at: cursor, length: commandSize, structure: MachOSlice.commandName(command))
            loadCommands.append(LoadCommand(command: command, name: MachOSlice.commandName(command), offset: cursor - offset, size: commandSize))
            switch command {
            case 0x1, 0x19:
                let segment = try MachOSlice.segment(body, at: cursor, is64: command == 0x19)
                let (segmentEnd, overflow) = segment.fileOffset.addingReportingOverflow(segment.fileSize)
                if overflow || segmentEnd > UInt64(size) {
                    // Signature-stripping tools leave __LINKEDIT's old size behind; anything else past the end is missing code.
                    guard segment.name == "__LINKEDIT", !overflow else {
                        throw .malformed(structure: "segment \(segment.name)", offset: cursor + (command == 0x19 ? 40 : 32),
                                         expected: "file range \(segment.fileOffset)+\(segment.fileSize) inside the \(size)-byte slice")
                    }
                    warnings.append("segment __LINKEDIT (\(segment.fileOffset)+\(segment.fileSize)) ends \(segmentEnd - UInt64(size)) bytes past the \(size)-byte slice: truncated, or its signature was stripped without fixing the segment")
                }
                segments.append(segment)
            case 0xc, 0x8000_0018, 0x8000_001f, 0x20, 0x8000_0023:
                dylibs.append(try MachOSlice.dylib(body, at: cursor, command: command))
            case 0xd:
                installName = try MachOSlice.dylib(body, at: cursor, command: command).path
            case 0x1b:
                let raw = try body.slice(at: cursor + 8, length: 16)
                uuid = MachOSlice.formatUUID(Array(raw))
            case 0x8000_001c:
                rpaths.append(try MachOSlice.lcString(body, at: cursor, fieldOffset: 8))
            case 0x32:
                let platform = try body.uint32(at: cursor + 8)
                buildVersion = MinimumOS(platform: MachOSlice.platformName(platform),
                                         version: MachOSlice.nibbleVersion(try body.uint32(at: cursor + 12)),
                                         sdk: MachOSlice.nibbleVersion(try body.uint32(at: cursor + 16)),
                                         source: "LC_BUILD_VERSION")
            case 0x24, 0x25, 0x2f, 0x30:
                let platform = [0x24: "macOS", 0x25: "iOS", 0x2f: "tvOS", 0x30: "watchOS"][command] ?? "unknown"
                versionMin = MinimumOS(platform: platform,
                                       version: MachOSlice.nibbleVersion(try body.uint32(at: cursor + 8)),
                                       sdk: MachOSlice.nibbleVersion(try body.uint32(at: cursor + 12)),
                                       source: MachOSlice.commandName(command))
            case 0x21, 0x2c:
                encryption = EncryptionInfo(cryptOffset: try body.uint32(at: cursor + 8),
                                            cryptSize: try body.uint32(at: cursor + 12),
                                            cryptID: try body.uint32(at: cursor + 16))
            case 0x1d:
                let dataOffset = Int(try body.uint32(at: cursor + 8))
                let dataSize = Int(try body.uint32(at: cursor + 12))
                signature = (dataOffset, dataSize)
            default:
                break
            }
            cursor += commandSize
        }
        guard cursor - commandsStart == commandBytes else {
            throw .malformed(structure: "load commands", offset: cursor,
                             expected: "\(commandCount) commands filling sizeofcmds (\(commandBytes) bytes), they fill \(cursor - commandsStart)")
        }
        self.loadCommands = loadCommands
        self.segments = segments
        self.linkedDylibs = dylibs
        self.installName = installName
        self.uuid = uuid
        self.rpaths = rpaths
        self.minimumOS = buildVersion ?? versionMin
        self.encryption = encryption
        self.codeSignatureOffset = signature?.offset
        self.codeSignatureSize = signature?.size
        self.warnings = warnings
        if let signature {
            let blob: ByteReader
            do {
                blob = try reader.window(at: offset + signature.offset, length: signature.size, structure: "code signature")
            } catch {
                throw .malformed(structure: "LC_CODE_SIGNATURE", offset: offset,
                                 expected: "a signature range inside the slice, got offset \(signature.offset) size \(signature.size) in \(size) bytes")
            }
            let signatureBytes = Array(try blob.slice(at: blob.start, length: signature.size))
            do {
                let parsed = try CodeSignature(bytes: signatureBytes)
                codeSignature = parsed.checkingCodePages(of: bytes[offset..<(offset + size)])
            } catch {
                throw MachOSlice.relocated(error, by: offset + signature.offset)
            }
        } else {
            codeSignature = nil
        }
    }

    /// Code-signature errors carry offsets inside the blob; make them offsets in the whole file.
    static func relocated(_ error: ApplePackageError, by base: Int) -> ApplePackageError {
        switch error {
        case let .truncated(structure, offset, needed): return .truncated(structure: structure, offset: base + offset, needed: needed)
        case let .malformed(structure, offset, expected): return .malformed(structure: structure, offset: base + offset, expected: expected)
        default: return error
        }
    }

    private static func segment(_ body: ByteReader, at start: Int, is64: Bool) throws(ApplePackageError) -> Segment {
        let name = try body.fixedString(at: start + 8, width: 16)
        let fileOffset: UInt64, fileSize: UInt64, sectionCount: Int, headerSize: Int, sectionSize: Int
        if is64 {
            fileOffset = try body.uint64(at: start + 40)
            fileSize = try body.uint64(at: start + 48)
            sectionCount = Int(try body.uint32(at: start + 64))
            headerSize = 72; sectionSize = 80
        } else {
            fileOffset = UInt64(try body.uint32(at: start + 32))
            fileSize = UInt64(try body.uint32(at: start + 36))
            sectionCount = Int(try body.uint32(at: start + 48))
            headerSize = 56; sectionSize = 68
        }
        // Checked against the command's own size, so a huge nsects cannot drive a huge loop.
        guard sectionCount <= (body.end - start - headerSize) / sectionSize,
              headerSize + sectionCount * sectionSize <= body.end - start else {
            throw .malformed(structure: "segment \(name)", offset: start + (is64 ? 64 : 48),
                             expected: "\(sectionCount) sections to fit in cmdsize \(body.end - start)")
        }
        var sections: [String] = []
        for index in 0..<sectionCount {
            sections.append(try body.fixedString(at: start + headerSize + index * sectionSize, width: 16))
        }
        return Segment(name: name, fileOffset: fileOffset, fileSize: fileSize, sections: sections)
    }

    private static func dylib(_ body: ByteReader, at start: Int, command: UInt32) throws(ApplePackageError) -> LinkedDylib {
        let kind: LinkedDylib.Kind = switch command {
        case 0x8000_0018: .weak
        case 0x8000_001f: .reexport
        case 0x20: .lazy
        case 0x8000_0023: .upward
        default: .load
        }
        return LinkedDylib(path: try lcString(body, at: start, fieldOffset: 8), kind: kind,
                           currentVersion: dylibVersion(try body.uint32(at: start + 16)),
                           compatibilityVersion: dylibVersion(try body.uint32(at: start + 20)))
    }

    /// An `lc_str`: an offset from the command start to a NUL-terminated string inside the command.
    private static func lcString(_ body: ByteReader, at start: Int, fieldOffset: Int) throws(ApplePackageError) -> String {
        let stringOffset = Int(try body.uint32(at: start + fieldOffset))
        guard stringOffset >= fieldOffset + 4, stringOffset < body.end - start else {
            throw .malformed(structure: commandName(try body.uint32(at: start)), offset: start + fieldOffset,
                             expected: "a string offset inside the command, got \(stringOffset)")
        }
        return try body.cString(at: start + stringOffset, structure: commandName(try body.uint32(at: start)))
    }

    static func nibbleVersion(_ value: UInt32) -> String {
        let patch = value & 0xff
        let base = "\(value >> 16).\((value >> 8) & 0xff)"
        return patch == 0 ? base : "\(base).\(patch)"
    }

    static func dylibVersion(_ value: UInt32) -> String {
        "\(value >> 16).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    static func formatUUID(_ raw: [UInt8]) -> String {
        let hex = raw.hexString.uppercased()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.map(String.init).joined(separator: "-")
    }

    static func platformName(_ platform: UInt32) -> String {
        switch platform {
        case 1: return "macOS"
        case 2: return "iOS"
        case 3: return "tvOS"
        case 4: return "watchOS"
        case 5: return "bridgeOS"
        case 6: return "Mac Catalyst"
        case 7: return "iOS Simulator"
        case 8: return "tvOS Simulator"
        case 9: return "watchOS Simulator"
        case 10: return "DriverKit"
        case 11: return "visionOS"
        case 12: return "visionOS Simulator"
        default: return "platform \(platform)"
        }
    }

    static func fileTypeName(_ type: UInt32) -> String {
        switch type {
        case 1: return "object"
        case 2: return "execute"
        case 3: return "fvmlib"
        case 4: return "core"
        case 5: return "preload"
        case 6: return "dylib"
        case 7: return "dylinker"
        case 8: return "bundle"
        case 9: return "dylib_stub"
        case 10: return "dsym"
        case 11: return "kext_bundle"
        case 12: return "fileset"
        default: return "filetype(\(type))"
        }
    }

    static func commandName(_ command: UInt32) -> String {
        commandNames[command] ?? "LC_0x" + String(command, radix: 16)
    }

    private static let commandNames: [UInt32: String] = [
            0x1: "LC_SEGMENT", 0x2: "LC_SYMTAB", 0x3: "LC_SYMSEG", 0x4: "LC_THREAD", 0x5: "LC_UNIXTHREAD",
            0xb: "LC_DYSYMTAB", 0xc: "LC_LOAD_DYLIB", 0xd: "LC_ID_DYLIB", 0xe: "LC_LOAD_DYLINKER",
            0xf: "LC_ID_DYLINKER", 0x10: "LC_PREBOUND_DYLIB", 0x11: "LC_ROUTINES", 0x12: "LC_SUB_FRAMEWORK",
            0x13: "LC_SUB_UMBRELLA", 0x14: "LC_SUB_CLIENT", 0x15: "LC_SUB_LIBRARY", 0x16: "LC_TWOLEVEL_HINTS",
            0x17: "LC_PREBIND_CKSUM", 0x8000_0018: "LC_LOAD_WEAK_DYLIB", 0x19: "LC_SEGMENT_64",
            0x1a: "LC_ROUTINES_64", 0x1b: "LC_UUID", 0x8000_001c: "LC_RPATH", 0x1d: "LC_CODE_SIGNATURE",
            0x1e: "LC_SEGMENT_SPLIT_INFO", 0x8000_001f: "LC_REEXPORT_DYLIB", 0x20: "LC_LAZY_LOAD_DYLIB",
            0x21: "LC_ENCRYPTION_INFO", 0x22: "LC_DYLD_INFO", 0x8000_0022: "LC_DYLD_INFO_ONLY",
            0x8000_0023: "LC_LOAD_UPWARD_DYLIB", 0x24: "LC_VERSION_MIN_MACOSX", 0x25: "LC_VERSION_MIN_IPHONEOS",
            0x26: "LC_FUNCTION_STARTS", 0x27: "LC_DYLD_ENVIRONMENT", 0x8000_0028: "LC_MAIN",
            0x29: "LC_DATA_IN_CODE", 0x2a: "LC_SOURCE_VERSION", 0x2b: "LC_DYLIB_CODE_SIGN_DRS",
            0x2c: "LC_ENCRYPTION_INFO_64", 0x2d: "LC_LINKER_OPTION", 0x2e: "LC_LINKER_OPTIMIZATION_HINT",
            0x2f: "LC_VERSION_MIN_TVOS", 0x30: "LC_VERSION_MIN_WATCHOS", 0x31: "LC_NOTE", 0x32: "LC_BUILD_VERSION",
            0x8000_0033: "LC_DYLD_EXPORTS_TRIE", 0x8000_0034: "LC_DYLD_CHAINED_FIXUPS", 0x8000_0035: "LC_FILESET_ENTRY",
            0x36: "LC_ATOM_INFO",
        ]
}

import Foundation

/// An embedded code signature (`LC_CODE_SIGNATURE` data): a SuperBlob of CodeDirectories,
/// requirements, entitlements (XML and DER) and the CMS signature. All fields are big-endian.
public struct CodeSignature: Codable, Sendable {
    /// The signature blob as read from the binary (not part of the JSON form).
    public private(set) var bytes: [UInt8] = []
    public let blobs: [Blob]
    public let codeDirectories: [CodeDirectory]
    public let entitlementsXML: String?
    public let entitlements: [String: PropertyListValue]?
    public let derEntitlements: PropertyListValue?
    /// Whether the DER entitlements say the same as the XML ones (nil when one of them is absent).
    public let derEntitlementsMatchXML: Bool?
    public let cms: CMSEnvelope?
    /// The CMS signature checked over the CodeDirectory in slot 0, the content it signs; nil without a CMS signature.
    public let cmsVerification: SignatureVerification?
    /// A CMS wrapper blob that holds no signature: how ad-hoc and linker signatures look.
    public let hasEmptyCMSWrapper: Bool

    public struct Blob: Codable, Sendable, Equatable {
        public let slot: UInt32
        public let kind: String
        public let magic: UInt32
        public let offset: Int
        public let length: Int
    }

    static let superBlobMagic: UInt32 = 0xfade_0cc0
    static let maximumBlobs = 64

    enum CodingKeys: String, CodingKey {
        case blobs, codeDirectories, entitlementsXML, entitlements, derEntitlements, derEntitlementsMatchXML, cms, cmsVerification
        case hasEmptyCMSWrapper
    }

    public init(bytes: [UInt8]) throws(ApplePackageError) {
        self.bytes = bytes
        let reader = ByteReader(bytes, endian: .big, structure: "code signature SuperBlob")
        let magic = try reader.uint32(at: 0)
        guard magic == Self.superBlobMagic else {
            throw .malformed(structure: "code signature SuperBlob", offset: 0,
                             expected: String(format: "magic 0xfade0cc0, got 0x%08x", magic))
        }
        let length = Int(try reader.uint32(at: 4))
        guard length >= 12, length <= bytes.count else {
            throw .malformed(structure: "code signature SuperBlob", offset: 4,
                             expected: "a length from 12 to the \(bytes.count) bytes of LC_CODE_SIGNATURE, got \(length)")
        }
        let superBlob = try reader.window(at: 0, length: length, structure: "code signature SuperBlob")
        let count = Int(try superBlob.uint32(at: 8))
        guard count <= Self.maximumBlobs, 12 + count * 8 <= length else {
            throw .malformed(structure: "code signature SuperBlob", offset: 8,
                             expected: "at most \(Self.maximumBlobs) index entries that fit in \(length) bytes, got \(count)")
        }
        var blobs: [Blob] = []
        var directories: [CodeDirectory] = []
        var entitlementsXML: String?
        var entitlements: [String: PropertyListValue]?
        var derEntitlements: PropertyListValue?
        var cms: CMSEnvelope?
        var emptyWrapper = false
        for index in 0..<count {
            let entry = 12 + index * 8
            let slot = try superBlob.uint32(at: entry)
            let blobOffset = Int(try superBlob.uint32(at: entry + 4))
            guard blobOffset >= 12 + count * 8, blobOffset <= length - 8 else {
                throw .malformed(structure: "code signature index", offset: entry + 4,
                                 expected: "blob \(index) offset after the index and inside the SuperBlob, got \(blobOffset)")
            }
            let blobMagic = try superBlob.uint32(at: blobOffset)
            let blobLength = Int(try superBlob.uint32(at: blobOffset + 4))
            guard blobLength >= 8 else {
                throw .malformed(structure: "code signature blob", offset: blobOffset + 4, expected: "a blob length of at least 8, got \(blobLength)")
            }
            let blob = try superBlob.window(at: blobOffset, length: blobLength, structure: Self.slotName(slot))
            blobs.append(Blob(slot: slot, kind: Self.slotName(slot), magic: blobMagic, offset: blobOffset, length: blobLength))
            switch (slot, blobMagic) {
            case (0, 0xfade_0c02), (0x1000...0x1004, 0xfade_0c02):
                directories.append(try CodeDirectory(blob, slot: slot))
            case (5, 0xfade_7171):
                let xml = try blob.slice(at: blobOffset + 8, length: blobLength - 8)
                entitlementsXML = String(decoding: xml, as: UTF8.self)
                do {
                    entitlements = try PropertyList.readDictionary(xml)
                } catch {
                    throw .malformed(structure: "entitlements blob", offset: blobOffset + 8, expected: "an XML property list dictionary (\(error))")
                }
            case (7, 0xfade_7172):
                let der = Array(try blob.slice(at: blobOffset + 8, length: blobLength - 8))
                derEntitlements = try DEREntitlements.decode(der, baseOffset: blobOffset + 8)
            case (0x10000, 0xfade_0b01):
                let content = Array(try blob.slice(at: blobOffset + 8, length: blobLength - 8))
                if content.isEmpty {
                    emptyWrapper = true
                } else {
                    do {
                        cms = try CMSEnvelope(der: content, structure: "code signature CMS blob")
                    } catch {
                        throw MachOSlice.relocated(error, by: blobOffset + 8)
                    }
                }
            case (0, _), (0x1000...0x1004, _), (5, _), (7, _), (0x10000, _):
                throw .malformed(structure: Self.slotName(slot), offset: blobOffset,
                                 expected: String(format: "the magic of a %@ blob, got 0x%08x", Self.slotName(slot), blobMagic))
            default:
                break
            }
        }
        guard !directories.isEmpty else {
            throw .malformed(structure: "code signature SuperBlob", offset: 12, expected: "a CodeDirectory blob (slot 0)")
        }
        self.blobs = blobs
        self.codeDirectories = directories
        self.entitlementsXML = entitlementsXML
        self.entitlements = entitlements
        self.derEntitlements = derEntitlements
        if let entitlements, let derEntitlements {
            derEntitlementsMatchXML = derEntitlements == .dictionary(entitlements)
        } else {
            derEntitlementsMatchXML = nil
        }
        self.cms = cms
        self.hasEmptyCMSWrapper = emptyWrapper
        if cms != nil, let cmsBlob = blobs.first(where: { $0.slot == 0x10000 }), let directory = blobs.first(where: { $0.slot == 0 }) {
            cmsVerification = SignatureVerification.check(der: bytes[(cmsBlob.offset + 8)..<(cmsBlob.offset + cmsBlob.length)],
                                                          detachedContent: bytes[directory.offset..<(directory.offset + directory.length)])
        } else {
            cmsVerification = nil
        }
        checkSpecialSlots()
    }

    private init(copying other: CodeSignature, directories: [CodeDirectory]) {
        bytes = other.bytes; blobs = other.blobs; codeDirectories = directories
        entitlementsXML = other.entitlementsXML; entitlements = other.entitlements
        derEntitlements = other.derEntitlements; derEntitlementsMatchXML = other.derEntitlementsMatchXML
        cms = other.cms; cmsVerification = other.cmsVerification; hasEmptyCMSWrapper = other.hasEmptyCMSWrapper
    }

    /// The blob stored in a slot, with its header, as the special-slot hashes cover it.
    public func blobBytes(slot: UInt32) -> ArraySlice<UInt8>? {
        guard let blob = blobs.first(where: { $0.slot == slot }) else { return nil }
        return bytes[blob.offset..<(blob.offset + blob.length)]
    }

    /// Records, in each CodeDirectory, whether its special slots for requirements and
    /// entitlements hash to the blobs this signature holds.
    private mutating func checkSpecialSlots() {
        var checked: [CodeDirectory] = []
        for var directory in codeDirectories {
            var mismatched: [String] = []
            for (slotIndex, blobSlot) in [(2, UInt32(2)), (5, UInt32(5)), (7, UInt32(7))] {
                guard let expected = directory.specialSlotHash(slotIndex), expected.contains(where: { $0 != 0 }) else { continue }
                guard let blob = blobBytes(slot: blobSlot) else {
                    mismatched.append(CodeDirectory.specialSlotName(slotIndex) + " (missing)")
                    continue
                }
                if directory.hashAlgorithm.digest(blob) != expected { mismatched.append(CodeDirectory.specialSlotName(slotIndex)) }
            }
            directory.mismatchedSpecialSlots = mismatched
            checked.append(directory)
        }
        self = CodeSignature(copying: self, directories: checked)
    }

    /// This signature with every CodeDirectory's page hashes checked against the slice they sign.
    func checkingCodePages(of slice: ArraySlice<UInt8>) -> CodeSignature {
        CodeSignature(copying: self, directories: codeDirectories.map { $0.checkingPages(of: slice) })
    }

    /// The CodeDirectory the OS prefers: the strongest hash type present.
    public var primaryCodeDirectory: CodeDirectory {
        codeDirectories.max { $0.hashAlgorithm.slotSize < $1.hashAlgorithm.slotSize } ?? codeDirectories[0]
    }

    static func slotName(_ slot: UInt32) -> String {
        switch slot {
        case 0: return "CodeDirectory"
        case 1: return "Info slot"
        case 2: return "Requirements"
        case 3: return "ResourceDir"
        case 4: return "Application"
        case 5: return "Entitlements"
        case 7: return "DER entitlements"
        case 0x1000...0x1004: return "alternate CodeDirectory \(slot - 0x1000)"
        case 0x10000: return "CMS signature"
        case 0x10001: return "identification"
        case 0x10002: return "ticket"
        default: return String(format: "blob slot 0x%x", slot)
        }
    }
}

/// A CodeDirectory: what is signed (page hashes of the code, hashes of special slots) and by whom.
public struct CodeDirectory: Codable, Sendable {
    public let slot: UInt32
    public let version: UInt32
    public let versionString: String
    public let flags: UInt32
    public let flagNames: [String]
    public let hashAlgorithm: HashAlgorithm
    public let hashSize: Int
    public let identifier: String
    public let teamID: String?
    public let pageSize: Int
    public let codeLimit: UInt64
    public let codeSlotCount: Int
    public let specialSlotCount: Int
    public let platform: UInt8
    public let execSegmentFlags: UInt64?
    public let runtimeVersion: String?
    /// SHA of the CodeDirectory blob, truncated to 20 bytes as `codesign -dv` shows it.
    public let cdHash: String
    /// Hex hashes of the special slots, keyed by slot number (1 Info.plist, 3 CodeResources, ...).
    public let specialSlotHashes: [Int: String]
    /// Code pages whose hash differs from the bytes of the slice; nil until checked.
    public internal(set) var mismatchedPages: [Int]?
    public internal(set) var mismatchedSpecialSlots: [String] = []

    /// Hash slots the CodeDirectory can hold before its count is hostile (a 4 GiB binary at 4 KiB pages).
    static let maximumCodeSlots = 1 << 20

    public var isAdHoc: Bool { flags & 0x2 != 0 }
    public var isLinkerSigned: Bool { flags & 0x2_0000 != 0 }
    public var hasHardenedRuntime: Bool { flags & 0x1_0000 != 0 }

    private var codeSlotHashes: [UInt8] = []

    enum CodingKeys: String, CodingKey {
        case slot, version, versionString, flags, flagNames, hashAlgorithm, hashSize, identifier, teamID, pageSize
        case codeLimit, codeSlotCount, specialSlotCount, platform, execSegmentFlags, runtimeVersion, cdHash
        case specialSlotHashes, mismatchedPages, mismatchedSpecialSlots
    }

    init(_ blob: ByteReader, slot: UInt32) throws(ApplePackageError) {
        let base = blob.start
        let length = blob.end - base
        self.slot = slot
        version = try blob.uint32(at: base + 8)
        versionString = String(format: "0x%x", version)
        flags = try blob.uint32(at: base + 12)
        flagNames = CodeDirectory.names(of: flags)
        let hashOffset = Int(try blob.uint32(at: base + 16))
        let identOffset = Int(try blob.uint32(at: base + 20))
        specialSlotCount = Int(try blob.uint32(at: base + 24))
        codeSlotCount = Int(try blob.uint32(at: base + 28))
        let codeLimit32 = UInt64(try blob.uint32(at: base + 32))
        hashSize = Int(try blob.uint8(at: base + 36))
        let hashType = try blob.uint8(at: base + 37)
        platform = try blob.uint8(at: base + 38)
        let pageShift = Int(try blob.uint8(at: base + 39))
        guard let algorithm = HashAlgorithm(codeDirectoryHashType: hashType) else {
            throw .malformed(structure: "CodeDirectory", offset: base + 37, expected: "hash type 1 to 4 (SHA-1, SHA-256, SHA-256/20, SHA-384), got \(hashType)")
        }
        hashAlgorithm = algorithm
        guard hashSize == algorithm.slotSize else {
            throw .malformed(structure: "CodeDirectory", offset: base + 36, expected: "hash size \(algorithm.slotSize) for \(algorithm.rawValue), got \(hashSize)")
        }
        guard pageShift == 0 || (pageShift >= 9 && pageShift <= 24) else {
            throw .malformed(structure: "CodeDirectory", offset: base + 39, expected: "page size 2^9 to 2^24, got 2^\(pageShift)")
        }
        pageSize = pageShift == 0 ? 0 : 1 << pageShift
        guard codeSlotCount <= Self.maximumCodeSlots, specialSlotCount <= 64 else {
            throw .malformed(structure: "CodeDirectory", offset: base + 24,
                             expected: "at most 64 special and \(Self.maximumCodeSlots) code slots, got \(specialSlotCount) and \(codeSlotCount)")
        }
        guard hashOffset >= specialSlotCount * hashSize, hashOffset <= length else {
            throw .malformed(structure: "CodeDirectory", offset: base + 16, expected: "a hash offset inside the blob after its special slots, got \(hashOffset)")
        }
        try blob.require(base + hashOffset - specialSlotCount * hashSize, (specialSlotCount + codeSlotCount) * hashSize, structure: "CodeDirectory hash slots")
        var special: [Int: String] = [:]
        for index in 1...max(1, specialSlotCount) where index <= specialSlotCount {
            let hash = try blob.slice(at: base + hashOffset - index * hashSize, length: hashSize)
            special[index] = hash.hexString
        }
        specialSlotHashes = special
        codeSlotHashes = Array(try blob.slice(at: base + hashOffset, length: codeSlotCount * hashSize))
        guard identOffset >= 44, identOffset < length else {
            throw .malformed(structure: "CodeDirectory", offset: base + 20, expected: "an identifier offset inside the blob, got \(identOffset)")
        }
        identifier = try blob.cString(at: base + identOffset, structure: "CodeDirectory identifier")

        var team: String?
        if version >= 0x20200 {
            let teamOffset = Int(try blob.uint32(at: base + 48))
            if teamOffset != 0 {
                guard teamOffset >= 52, teamOffset < length else {
                    throw .malformed(structure: "CodeDirectory", offset: base + 48, expected: "a team ID offset inside the blob, got \(teamOffset)")
                }
                team = try blob.cString(at: base + teamOffset, structure: "CodeDirectory team ID")
            }
        }
        teamID = team
        var limit = codeLimit32
        if version >= 0x20300 {
            let limit64 = try blob.uint64(at: base + 56)
            if limit64 != 0 { limit = limit64 }
        }
        codeLimit = limit
        execSegmentFlags = version >= 0x20400 ? try blob.uint64(at: base + 80) : nil
        runtimeVersion = version >= 0x20500 ? MachOSlice.nibbleVersion(try blob.uint32(at: base + 88)) : nil
        let expectedSlots = pageSize == 0 ? (limit > 0 ? 1 : 0) : Int((limit + UInt64(pageSize) - 1) / UInt64(pageSize))
        guard expectedSlots == codeSlotCount else {
            throw .malformed(structure: "CodeDirectory", offset: base + 28,
                             expected: "\(expectedSlots) code slots for a code limit of \(limit) bytes, got \(codeSlotCount)")
        }
        cdHash = Array(algorithm.digest(try blob.slice(at: base, length: length)).prefix(20)).hexString
    }

    /// The hash stored in special slot `index` (1 = Info.plist, 2 = requirements, 3 = CodeResources, 5 = entitlements, 7 = DER entitlements).
    public func specialSlotHash(_ index: Int) -> [UInt8]? {
        guard let hex = specialSlotHashes[index] else { return nil }
        return hexBytes(hex)
    }

    private func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(hexValue(high) << 4 | hexValue(low)))
        }
        return bytes
    }

    private func hexValue(_ character: UInt8) -> UInt8 {
        character >= 97 ? character - 87 : character - 48
    }

    /// The stored hash of code page `page`.
    func codeSlotHash(_ page: Int) -> ArraySlice<UInt8> {
        codeSlotHashes[(page * hashSize)..<((page + 1) * hashSize)]
    }

    func checkingPages(of slice: ArraySlice<UInt8>) -> CodeDirectory {
        var copy = self
        guard codeLimit <= UInt64(slice.count) else {
            copy.mismatchedPages = Array(0..<codeSlotCount)
            return copy
        }
        let limit = Int(codeLimit)
        let step = pageSize == 0 ? max(limit, 1) : pageSize
        var mismatched: [Int] = []
        for page in 0..<codeSlotCount {
            let start = slice.startIndex + page * step
            let end = min(start + step, slice.startIndex + limit)
            if hashAlgorithm.digest(slice[start..<end]) != Array(codeSlotHash(page)) { mismatched.append(page) }
        }
        copy.mismatchedPages = mismatched
        return copy
    }

    static func specialSlotName(_ index: Int) -> String {
        switch index {
        case 1: return "Info.plist"
        case 2: return "requirements"
        case 3: return "CodeResources"
        case 4: return "application"
        case 5: return "entitlements"
        case 6: return "rep-specific"
        case 7: return "DER entitlements"
        default: return "special slot \(index)"
        }
    }

    static func names(of flags: UInt32) -> [String] {
        let known: [(UInt32, String)] = [
            (0x1, "valid"), (0x2, "adhoc"), (0x4, "get-task-allow"), (0x8, "installer"), (0x10, "forced-lv"),
            (0x20, "invalid-allowed"), (0x100, "hard"), (0x200, "kill"), (0x400, "check-expiration"),
            (0x800, "restrict"), (0x1000, "enforcement"), (0x2000, "library-validation"),
            (0x4000, "entitlements-validated"), (0x8000, "nvram-unrestricted"), (0x1_0000, "runtime"),
            (0x2_0000, "linker-signed"),
        ]
        var names = known.filter { flags & $0.0 != 0 }.map(\.1)
        let unknown = flags & ~known.reduce(0) { $0 | $1.0 }
        if unknown != 0 { names.append(String(format: "0x%x", unknown)) }
        return names
    }
}

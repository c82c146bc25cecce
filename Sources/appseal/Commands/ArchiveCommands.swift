import ArchiveKit
import Foundation

/// `appseal archive list|check|repack`: plumbing over the ZIP layer, for scripts and for
/// checking what appseal sees in a package.
let archiveCommand = Command(
    name: "archive",
    abstract: "Inspect, verify and repack ZIP-based packages (.apk, .aab, .ipa).",
    subcommands: [archiveListCommand, archiveCheckCommand, archiveRepackCommand]
)

private let archiveListCommand = Command(
    name: "list",
    abstract: "List the entries of an archive as its central directory describes them.",
    discussion: "Also shows the APK Signing Block region when the archive has one.",
    arguments: [CommandArgument(name: "app", help: "The archive to read (.apk, .aab, .ipa, .zip).")],
    options: [.flag("json", help: "Print the listing as JSON.")],
    run: { invocation in
        let archive = try ZipArchive(path: try invocation.requiredArgument("app"))
        if invocation.flag("json") {
            try Output.json(ArchiveListing(archive))
        } else {
            Output.out(ArchiveListing(archive).table())
        }
        return .ok
    }
)

private let archiveCheckCommand = Command(
    name: "check",
    abstract: "Verify every entry: headers, sizes and CRC-32 of the inflated data.",
    discussion: "Exit 0 when the archive is sound, 3 with the reason (entry and offset) when it is not.",
    arguments: [CommandArgument(name: "app", help: "The archive to verify.")],
    options: [.flag("json", help: "Print the result as JSON.")],
    run: { invocation in
        let path = try invocation.requiredArgument("app")
        let archive = try ZipArchive(path: path)
        try archive.check()
        let bytes = archive.entries.reduce(UInt64(0)) { $0 + $1.uncompressedSize }
        if invocation.flag("json") {
            try Output.json(CheckResult(archive: path, ok: true, entries: archive.entries.count, uncompressedBytes: bytes))
        } else {
            Output.out("\(path): OK (\(archive.entries.count) entries, \(bytes) bytes verified)\n")
        }
        return .ok
    }
)

private let archiveRepackCommand = Command(
    name: "repack",
    abstract: "Rewrite an archive with zipalign-compatible alignment, copying entries raw.",
    discussion: """
    Stored entries are aligned to --align bytes and stored .so files to --page-align KiB, the way
    'zipalign -p' does; compressed entries are copied byte for byte unless --level is given, which
    re-deflates them at that level. The output is written beside OUT and renamed when complete; IN is
    never modified. An APK Signing Block in IN is not carried over: sign the output again.
    """,
    arguments: [CommandArgument(name: "in", help: "The archive to read."),
                CommandArgument(name: "out", help: "Where to write the repacked archive.")],
    options: [
        .value("align", "bytes", help: "Alignment of stored entries' data (power of two, default 4)."),
        .value("page-align", "KiB", help: "Alignment of stored .so files in KiB (4, 16 or 64; 0 = like other stored entries; default 16)."),
        .value("level", "0-9", help: "Re-deflate compressed entries at this zlib level instead of copying them raw."),
        .value("style", "zipalign|apksigner", help: "Padding style: zero bytes (zipalign, default) or an 0xD935 extra record (apksigner)."),
        .flag("json", help: "Print what was done as JSON."),
    ],
    run: { invocation in
        let input = try invocation.requiredArgument("in")
        let output = try invocation.requiredArgument("out")
        let alignment = try invocation.integer("align", default: 4, in: 1...65536)
        guard alignment & (alignment - 1) == 0 else {
            throw UsageError(message: "--align must be a power of two, got \(alignment)")
        }
        let pageKiB = try invocation.integer("page-align", default: 16, in: 0...64)
        guard pageKiB == 0 || [4, 16, 64].contains(pageKiB) else {
            throw UsageError(message: "--page-align must be 4, 16 or 64 (KiB) or 0, got \(pageKiB)")
        }
        let level: Int? = invocation.value("level") == nil ? nil : try invocation.integer("level", default: 9, in: 0...9)
        let style = ZipAlignmentStyle(rawValue: try invocation.choice("style", default: "zipalign",
                                                                     allowed: ZipAlignmentStyle.allCases.map(\.rawValue)))!
        if style == .apksigner && (alignment > 32768 || pageKiB == 64) {
            throw UsageError(message: "--style apksigner stores the alignment in 16 bits: at most 32768 bytes")
        }
        let inputURL = URL(fileURLWithPath: input).resolvingSymlinksInPath()
        let outputURL = URL(fileURLWithPath: output).resolvingSymlinksInPath()
        guard inputURL.path != outputURL.path else {
            throw UsageError(message: "<out> must differ from <in>: the input is never modified")
        }
        let archive = try ZipArchive(path: input)
        let repacker = ArchiveRepacker(options: .init(alignment: alignment, pageAlignment: pageKiB == 0 ? nil : pageKiB * 1024,
                                                       recompressionLevel: level, alignmentStyle: style))
        let report = try repacker.repack(archive, to: output)
        if invocation.flag("json") {
            try Output.json(report)
        } else {
            Output.out("\(output): \(report.entries) entries (\(report.copiedRaw) copied raw, \(report.recompressed) re-deflated, \(report.aligned) aligned), \(report.outputSize) bytes\n")
            if report.droppedSigningBlock {
                Output.err("note: the input's APK Signing Block was not carried over; sign the output again\n")
            }
            if report.droppedPrefixBytes > 0 {
                Output.err("note: \(report.droppedPrefixBytes) bytes before the first entry of the input were dropped\n")
            }
        }
        return .ok
    }
)

private struct CheckResult: Encodable {
    let archive: String
    let ok: Bool
    let entries: Int
    let uncompressedBytes: UInt64
}

/// What `archive list` prints; the JSON form is stable for scripts.
private struct ArchiveListing: Encodable {
    struct Entry: Encodable {
        let name: String
        let method: String
        let methodID: UInt16
        let compressedSize: UInt64
        let uncompressedSize: UInt64
        let crc32: String
        let localHeaderOffset: UInt64
        let dataOffset: UInt64
        let flags: UInt16
        let dataDescriptor: Bool
        let encrypted: Bool
        let zip64: Bool
        let directory: Bool
        let unixMode: String?
        let modified: String
    }

    struct Region: Encodable {
        let offset: UInt64
        let length: UInt64
        let pairIDs: [String]
    }

    let archive: String
    let fileSize: UInt64
    let entryCount: Int
    let centralDirectoryOffset: UInt64
    let centralDirectorySize: UInt64
    let endOfCentralDirectoryOffset: UInt64
    let prefixLength: UInt64
    let comment: String
    let signingBlock: Region?
    let entries: [Entry]

    init(_ archive: ZipArchive) {
        self.archive = archive.path
        fileSize = archive.fileSize
        entryCount = archive.entries.count
        centralDirectoryOffset = archive.centralDirectoryOffset
        centralDirectorySize = archive.centralDirectorySize
        endOfCentralDirectoryOffset = archive.endOfCentralDirectoryOffset
        prefixLength = archive.prefixLength
        comment = String(decoding: archive.comment, as: UTF8.self)
        signingBlock = archive.signingBlock.map { region in
            Region(offset: region.offset, length: region.length,
                   pairIDs: archive.signingBlockPairs.map { ArchiveListing.hex32($0.id) })
        }
        entries = archive.entries.map { entry in
            Entry(name: entry.name, method: entry.method.description, methodID: entry.method.rawValue,
                  compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize,
                  crc32: ArchiveListing.hex32(entry.crc32), localHeaderOffset: entry.localHeaderOffset,
                  dataOffset: entry.dataOffset, flags: entry.flags, dataDescriptor: entry.hasDataDescriptor,
                  encrypted: entry.isEncrypted, zip64: entry.usesZip64, directory: entry.isDirectory,
                  unixMode: entry.unixMode.map { String($0 & 0o7777, radix: 8) },
                  modified: ArchiveListing.dosTimestamp(date: entry.dosDate, time: entry.dosTime))
        }
    }

    func table() -> String {
        var text = "   Length  Method       Size  CRC-32    Offset      Name\n"
        for entry in entries {
            text += pad(String(entry.uncompressedSize), 9) + "  " + entry.method.padding(toLength: 8, withPad: " ", startingAt: 0)
                + pad(String(entry.compressedSize), 10) + "  " + entry.crc32.dropFirst(2) + "  "
                + pad(String(entry.localHeaderOffset), 10) + "  " + printable(entry.name) + "\n"
        }
        text += "\(entryCount) entries, \(fileSize) bytes; central directory at \(centralDirectoryOffset) (\(centralDirectorySize) bytes)\n"
        if let block = signingBlock {
            text += "APK Signing Block at \(block.offset) (\(block.length) bytes): \(block.pairIDs.joined(separator: ", "))\n"
        }
        if prefixLength > 0 { text += "\(prefixLength) bytes before the first entry\n" }
        return text
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// Entry names come from the file: never print control characters raw.
    private func printable(_ name: String) -> String {
        String(name.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }

    static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    static func dosTimestamp(date: UInt16, time: UInt16) -> String {
        let year = 1980 + Int(date >> 9), month = Int((date >> 5) & 0xF), day = Int(date & 0x1F)
        let hour = Int(time >> 11), minute = Int((time >> 5) & 0x3F), second = Int(time & 0x1F) * 2
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second)
    }
}

extension ZipError: ReportableError {
    // Every archive problem, an unreadable file included, is a problem with the input.
    var exitCode: ExitCode { .invalidInput }
    var message: String { description }
}

/// Why an archive was refused, where, and in which entry.
///
/// Every failure the reader or writer reports is one of these: the kind is stable for
/// programs (tests, the CLI's exit code), the message says what was expected and found.
public struct ZipError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// A read or write on the file failed (the message carries errno's text).
        case io
        /// No end-of-central-directory record: not a ZIP archive at all.
        case notAZip
        /// A record or data stream ends before its declared length.
        case truncated
        /// A header does not start with the signature its place requires.
        case badSignature
        /// A local header disagrees with the central directory (name, method, sizes, flags).
        case headerMismatch
        /// Two entries share bytes (the zip-bomb trick) or an entry runs into the directory.
        case overlappingEntries
        /// The same name appears twice.
        case duplicateName
        /// A name that is absolute or has `..` segments, backslashes or NUL.
        case unsafeName
        /// A size or offset points past the end of the file or of its region.
        case outOfBounds
        /// The data's CRC-32 differs from the recorded one.
        case crcMismatch
        /// The entry is encrypted; appseal does not decrypt.
        case encrypted
        /// A compression method other than stored (0) or deflated (8).
        case unsupportedMethod
        /// A safety limit (entries, size, ratio) would be passed.
        case limitExceeded
        /// The deflate stream is damaged or does not match the recorded sizes.
        case corruptData
        /// A field holds a value no valid archive has.
        case invalidField
        /// The bytes between the last entry and the central directory are not a valid APK Signing Block.
        case signingBlock
        /// A ZIP feature appseal deliberately does not handle (multi-disk archives).
        case unsupportedFeature
        /// The caller asked the writer for something it cannot do (bad alignment, finished twice).
        case invalidRequest
    }

    public var kind: Kind
    /// The archive's path as the caller gave it.
    public var archive: String?
    /// The entry's name, when the failure belongs to one entry.
    public var entry: String?
    /// The byte offset in the archive where the problem was found.
    public var offset: UInt64?
    public var message: String

    public init(_ kind: Kind, _ message: String, entry: String? = nil, offset: UInt64? = nil, archive: String? = nil) {
        self.kind = kind
        self.message = message
        self.entry = entry
        self.offset = offset
        self.archive = archive
    }

    /// `app.apk: entry 'classes.dex' at offset 1234: CRC mismatch (expected 0x…, got 0x…)`
    public var description: String {
        var location: [String] = []
        if let entry { location.append("entry '\(ZipError.printable(entry))'") }
        if let offset { location.append("at offset \(offset)") }
        var text = archive.map { "\($0): " } ?? ""
        if !location.isEmpty { text += location.joined(separator: " ") + ": " }
        return text + message
    }

    /// Names come from hostile files: control characters are shown escaped, never written raw to a terminal.
    static func printable(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The same error, attributed to an archive (kept when already set).
    func inArchive(_ path: String) -> ZipError {
        var copy = self
        if copy.archive == nil { copy.archive = path }
        return copy
    }

    func forEntry(_ name: String) -> ZipError {
        var copy = self
        if copy.entry == nil { copy.entry = name }
        return copy
    }
}

extension UInt32 {
    var hex: String { "0x" + String(self, radix: 16, uppercase: false).leftPadded(to: 8) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

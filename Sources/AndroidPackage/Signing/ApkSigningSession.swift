import ArchiveKit
import Foundation

/// One signing, in two steps over a single write of the output: `writeEntries()` lays out the
/// entries (input entries copied raw or replaced, then the additions) while the v2/v3 content
/// digest and the v1 entry digests are computed from those bytes; `finish()` adds the v1
/// signature files, the APK Signing Block, the central directory, and renames the output into
/// place. A build runs the steps as its Repackage and Sign stages; dropping the session before
/// `finish()` removes the temporary output.
public final class ApkSigningSession {
    public let input: String
    public let output: String
    private let identity: SigningIdentity
    private let options: ApkSigningOptions
    private let edits: ApkEdits
    private let archive: ZipArchive
    private let format: PackageFormat
    public let minSdk: Int
    public let schemes: Set<SignatureScheme>
    private let algorithm: SignatureAlgorithm
    private let jarProfile: JarSignatureProfile?
    /// Input entries that go to the output, in the order of their local headers.
    private let kept: [ZipEntry]
    /// Input entries that are not carried over: old signature files and (APKs) directories.
    public let strippedEntries: [String]
    /// Input entries dropped because an addition of the same name replaces them.
    public let supersededEntries: [String]
    private let tracker: ProgressTracker
    private let v1Digests = BackgroundResult<[String: [UInt8]]>()
    private let hashedWhileCopying: Set<String>
    private var inlineDigests: [String: [UInt8]] = [:]
    private let file: AtomicOutputFile
    private let contentDigest: StreamingContentDigest?
    private var writer: ApkRecordWriter
    private var state = Step.created

    private enum Step { case created, entriesWritten, finished, failed }

    /// Input entries copied raw (the others are replaced, stripped or superseded).
    public var copiedEntryCount: Int { kept.count - edits.replacements.count }
    /// The input had an APK Signing Block, which is not carried over.
    public var droppedSigningBlock: Bool { archive.signingBlock != nil }

    /// Where the output is written until `finish()` renames it to `output`.
    public var temporaryPath: String { file.temporaryPath }

    public init(input: String, output: String, identity: SigningIdentity, options: ApkSigningOptions = ApkSigningOptions(),
                edits: ApkEdits = ApkEdits()) throws {
        self.input = input
        self.output = output
        self.identity = identity
        self.options = options
        self.edits = edits
        let archive = try ApkArchive.open(input)
        self.archive = archive
        let format = options.format ?? PackageFormat.guess(path: input)
        self.format = format
        if let manifest = edits.replacements[ApkManifestLevels.manifestName], format == .apk, options.minSdk == nil {
            minSdk = try ApkManifestLevels.levels(ofManifest: manifest).minSdk
        } else {
            minSdk = try options.minSdk ?? ApkManifestLevels.minSdk(of: archive, format: format)
        }
        let schemes = options.schemes ?? ApkSigningOptions.defaultSchemes(minSdk: minSdk, format: format)
        self.schemes = schemes
        guard !schemes.isEmpty else { throw ApkSigningError.invalidOptions(reason: "every signature scheme is turned off") }
        if format == .aab, schemes != [.v1] {
            throw ApkSigningError.invalidOptions(reason: "app bundles (.aab) are signed with v1 (JAR) only; v2/v3 apply to APKs")
        }
        algorithm = try SignatureAlgorithm.suggested(for: identity.certificate.publicKey)
        let jarProfile = schemes.contains(.v1) ? try JarSignatureProfile.make(for: identity.certificate.publicKey, minSdk: minSdk) : nil
        self.jarProfile = jarProfile
        if options.isCancelled?() == true { throw ApkSigningError.cancelled }
        try Self.check(edits, against: archive, format: format)

        let added = Set(edits.additions.map(\.name))
        var kept: [ZipEntry] = []
        var stripped: [String] = []
        var superseded: [String] = []
        for entry in archive.entries.sorted(by: { $0.localHeaderOffset < $1.localHeaderOffset }) {
            if ApkSigner.isStrippedOnSigning(entry.name, format: format) {
                stripped.append(entry.name)
            } else if added.contains(entry.name) {
                superseded.append(entry.name)
            } else {
                kept.append(entry)
            }
        }
        self.kept = kept
        strippedEntries = stripped
        supersededEntries = superseded

        let digestedNames = kept.map(\.name) + edits.additions.map(\.name)
        // A manifest section cannot name an entry containing a line break or NUL (apksigner refuses them too).
        if jarProfile != nil, let unlistable = digestedNames.first(where: {
            JarSignatureFiles.isDigestedEntry($0) && $0.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 }
        }) {
            throw ApkSigningError.entry(name: unlistable.debugDescription,
                                        reason: "a name with a line break or NUL cannot be listed in META-INF/MANIFEST.MF; v1 signing is impossible")
        }
        let copied = kept.filter { edits.replacements[$0.name] == nil }
        let digested = jarProfile == nil ? [] : copied.filter { JarSignatureFiles.isDigestedEntry($0.name) }
        let signsBlock = schemes.contains(.v2) || schemes.contains(.v3)
        let copyBytes = copied.reduce(Int64(0)) { $0 + Int64($1.compressedSize) }
        let digestBytes = digested.reduce(Int64(0)) { $0 + Int64($1.uncompressedSize) }
        tracker = ProgressTracker(total: copyBytes * (signsBlock ? 2 : 1) + digestBytes, callback: options.progress)

        // v1 needs every entry's uncompressed digest: stored entries are hashed from the bytes
        // being copied; workers inflate and hash the deflated ones meanwhile.
        hashedWhileCopying = Set(digested.filter { $0.method == .stored }.map(\.name))
        file = try AtomicOutputFile(destination: output, durability: options.durability)
        if options.digestsOutput { file.fileDigest = BackgroundStreamHasher(.sha256) }
        contentDigest = signsBlock ? StreamingContentDigest([algorithm.contentDigest], parallelism: options.parallelism) : nil
        file.observer = contentDigest
        writer = ApkRecordWriter(file: file, archive: archive, alignment: format == .aab ? .none : options.alignment)
        if let jarProfile {
            let parallelism = options.parallelism
            let isCancelled = options.isCancelled
            let inflated = digested.filter { !hashedWhileCopying.contains($0.name) }
            let tracker = self.tracker
            v1Digests.start {
                try JarEntryDigester.digests(of: inflated, in: archive, algorithm: jarProfile.digest, parallelism: parallelism,
                                             tracker: tracker, isCancelled: isCancelled)
            }
        }
    }

    /// Replacements must name input entries that are kept; additions must be new, unique, and
    /// neither directories nor signature files (the signer writes those itself).
    private static func check(_ edits: ApkEdits, against archive: ZipArchive, format: PackageFormat) throws {
        for name in edits.replacements.keys.sorted() {
            guard archive.entry(named: name) != nil else {
                throw ApkSigningError.invalidOptions(reason: "cannot replace \(name.debugDescription): the input has no such entry")
            }
            if ApkSigner.isStrippedOnSigning(name, format: format) {
                throw ApkSigningError.invalidOptions(reason: "cannot replace \(name.debugDescription): signing removes it")
            }
        }
        var seen: Set<String> = []
        for addition in edits.additions {
            guard seen.insert(addition.name).inserted else {
                throw ApkSigningError.invalidOptions(reason: "entry \(addition.name.debugDescription) is added twice")
            }
            if addition.name.isEmpty || addition.name.hasSuffix("/") || ApkSigner.isStrippedOnSigning(addition.name, format: .apk) {
                throw ApkSigningError.invalidOptions(reason: "cannot add \(addition.name.debugDescription): not a file entry the signer keeps")
            }
            if edits.replacements[addition.name] != nil {
                throw ApkSigningError.invalidOptions(reason: "entry \(addition.name.debugDescription) is both replaced and added")
            }
        }
    }

    /// Writes every entry of the output: the kept input entries in their order (raw copies, or
    /// the replacement content), then the additions.
    public func writeEntries() throws {
        guard state == .created else { throw ApkSigningError.invalidOptions(reason: "internal: entries were already written") }
        state = .failed
        let signsBlock = contentDigest != nil
        let v1Hash: HashFunction? = jarProfile.map { $0.digest == .sha1 ? .sha1 : .sha256 }
        do {
            for entry in kept {
                if options.isCancelled?() == true { throw ApkSigningError.cancelled }
                if let data = edits.replacements[entry.name] {
                    try writer.writeNew(name: entry.name, data: data, compressed: entry.method != .stored,
                                        dosDate: entry.dosDate, dosTime: entry.dosTime, centralTemplate: entry.centralRecord)
                    if let v1Hash, JarSignatureFiles.isDigestedEntry(entry.name) { inlineDigests[entry.name] = Hashing.hash(data, v1Hash) }
                } else if let v1Hash, hashedWhileCopying.contains(entry.name) {
                    let hasher = Hashing.hasher(v1Hash)
                    try writer.copy(entry, dataHasher: hasher)
                    inlineDigests[entry.name] = hasher.finalize()
                    tracker.advance(Int64(entry.uncompressedSize))
                    tracker.advance(Int64(entry.compressedSize) * (signsBlock ? 2 : 1))
                } else {
                    try writer.copy(entry)
                    tracker.advance(Int64(entry.compressedSize) * (signsBlock ? 2 : 1))
                }
            }
            let (date, time) = ApkSigner.newestTimestamp(archive.entries)
            for addition in edits.additions {
                if options.isCancelled?() == true { throw ApkSigningError.cancelled }
                try writer.writeNew(name: addition.name, data: addition.data, compressed: addition.compressed,
                                    dosDate: date, dosTime: time, centralTemplate: nil)
                if let v1Hash, JarSignatureFiles.isDigestedEntry(addition.name) {
                    inlineDigests[addition.name] = Hashing.hash(addition.data, v1Hash)
                }
            }
        } catch {
            _ = try? v1Digests.wait()
            throw error
        }
        state = .entriesWritten
    }

    /// Writes the v1 signature files, the APK Signing Block and the central directory, and
    /// renames the output into place.
    public func finish() throws -> ApkSigningResult {
        guard state == .entriesWritten else { throw ApkSigningError.invalidOptions(reason: "internal: entries were not written") }
        state = .failed
        if let jarProfile {
            let digests = try v1Digests.wait().merging(inlineDigests) { inflated, _ in inflated }
            var sourceMain: JarManifestMainSection?
            if let manifest = archive.entry(named: ApkSigner.manifestEntryName) {
                sourceMain = try JarManifestMainSection(parsing: try EntryContent.readData(manifest, in: archive,
                                                                                           limit: ApkSigner.maximumSourceManifestSize))
            }
            let newer = [SignatureScheme.v2, .v3].filter(schemes.contains).map(\.rawValue)
            let hash: HashFunction = jarProfile.digest == .sha1 ? .sha1 : .sha256
            let files = JarSignatureFiles.make(entryDigests: digests, algorithm: jarProfile.digest, sourceMain: sourceMain,
                                               newerSchemes: newer, hash: { Hashing.hash($0, hash) })
            let signature = try identity.key.sign(files.signatureFile, hash: hash)
            let block = JarSignatureBlock.encode(certificates: identity.certificateChain, signer: identity.certificate,
                                                 profile: jarProfile, signature: signature)
            let name = JarSignatureFiles.safeSignerName(options.v1SignerName)
            guard !name.isEmpty else { throw ApkSigningError.invalidOptions(reason: "the v1 signer name is empty") }
            let (date, time) = ApkSigner.newestTimestamp(archive.entries)
            for (entryName, data) in [("META-INF/\(name).SF", files.signatureFile),
                                      ("META-INF/\(name).\(jarProfile.blockExtension)", block),
                                      (ApkSigner.manifestEntryName, files.manifest)] {
                try writer.addDeflated(name: entryName, data: data, dosDate: date, dosTime: time)
            }
        }

        let endRecordTemplate = try archive.readBytes(at: archive.endOfCentralDirectoryOffset, count: 22 + archive.comment.count)
        let centralDirectory = writer.centralDirectory
        guard writer.recordCount <= Int(UInt16.max), UInt64(file.offset) + UInt64(centralDirectory.count) + 65_536 < UInt64(UInt32.max) else {
            throw ApkSigningError.invalidOptions(reason: "the signed APK would need ZIP64 (over 65,535 entries or 4 GiB), which Android cannot read")
        }
        if let contentDigest {
            let pageAlignment = ApkSigningBlock.pageAlignment
            try file.write([UInt8](repeating: 0, count: (pageAlignment - file.offset % pageAlignment) % pageAlignment))
            file.observer = nil
            let blockOffset = file.offset
            contentDigest.finishSection()
            contentDigest.append(centralDirectory)
            contentDigest.finishSection()
            contentDigest.append(ApkSigner.endRecord(endRecordTemplate, entryCount: writer.recordCount,
                                                     centralDirectorySize: centralDirectory.count, centralDirectoryOffset: blockOffset))
            let digest = contentDigest.finalize()[algorithm.contentDigest]!
            var pairs: [ApkSigningBlock.Pair] = []
            for scheme in [SignatureScheme.v2, .v3] where schemes.contains(scheme) {
                let signer = try SchemeSigner.signerBlock(scheme: scheme, algorithm: algorithm, contentDigest: digest,
                                                          identity: identity, alsoSignedWithV3: schemes.contains(.v3))
                pairs.append(ApkSigningBlock.Pair(id: scheme.blockId!, value: SchemeSignerBlock.encodeSchemeBlock(signers: [signer])))
            }
            try file.write(ApkSigningBlock(pairs: pairs).encoded(padToPage: true))
        }
        let centralDirectoryOffset = file.offset
        try file.write(centralDirectory)
        try file.write(ApkSigner.endRecord(endRecordTemplate, entryCount: writer.recordCount,
                                           centralDirectorySize: centralDirectory.count, centralDirectoryOffset: centralDirectoryOffset))
        if options.isCancelled?() == true { throw ApkSigningError.cancelled }
        let outputSHA256 = file.fileDigest?.finalize().map { String(format: "%02x", $0) }.joined()
        try file.commit()
        state = .finished
        tracker.finish()
        return ApkSigningResult(output: output, schemes: schemes.sorted(), minSdk: minSdk, format: format,
                                signatureAlgorithm: algorithm.name, v1DigestAlgorithm: jarProfile?.digest,
                                entriesCopied: kept.count - edits.replacements.count, entriesRealigned: writer.realignedCount,
                                entriesStripped: strippedEntries, entriesReplaced: edits.replacements.count,
                                entriesAdded: edits.additions.count, outputSize: file.offset, outputSHA256: outputSHA256)
    }
}

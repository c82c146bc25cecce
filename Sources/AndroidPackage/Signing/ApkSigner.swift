import ArchiveKit
import Foundation

/// Signs APKs (v1 JAR, v2, v3) and app bundles (v1) the way apksigner and jarsigner do, in one
/// streaming pass: existing signatures are stripped, untouched entries are copied raw (their
/// compressed bytes are never re-encoded), stored entries are aligned, and the v2/v3 content
/// digest is computed over the written output in parallel 1 MiB chunks.
public enum ApkSigner {
    static let copyBufferSize = 1 << 20
    static let manifestEntryName = "META-INF/MANIFEST.MF"
    /// A source MANIFEST.MF larger than this is not a real manifest; refusing it bounds memory.
    static let maximumSourceManifestSize = 16 * 1024 * 1024

    public static func sign(input: String, output: String, identity: SigningIdentity,
                            options: ApkSigningOptions = ApkSigningOptions()) throws -> ApkSigningResult {
        let archive = try ApkArchive.open(input)
        let format = options.format ?? PackageFormat.guess(path: input)
        let minSdk = try options.minSdk ?? ApkManifestLevels.minSdk(of: archive, format: format)
        let schemes = options.schemes ?? ApkSigningOptions.defaultSchemes(minSdk: minSdk, format: format)
        guard !schemes.isEmpty else { throw ApkSigningError.invalidOptions(reason: "every signature scheme is turned off") }
        if format == .aab, schemes != [.v1] {
            throw ApkSigningError.invalidOptions(reason: "app bundles (.aab) are signed with v1 (JAR) only; v2/v3 apply to APKs")
        }
        let algorithm = try SignatureAlgorithm.suggested(for: identity.certificate.publicKey)
        let jarProfile = schemes.contains(.v1) ? try JarSignatureProfile.make(for: identity.certificate.publicKey, minSdk: minSdk) : nil
        if options.isCancelled?() == true { throw ApkSigningError.cancelled }

        // Which input entries go to the output, in the order their local headers appear.
        let ordered = archive.entries.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        var kept: [ZipEntry] = []
        var stripped: [String] = []
        for entry in ordered {
            if isStrippedOnSigning(entry.name, format: format) { stripped.append(entry.name) } else { kept.append(entry) }
        }
        let digested = jarProfile == nil ? [] : kept.filter { JarSignatureFiles.isDigestedEntry($0.name) }
        // A manifest section cannot name an entry containing a line break or NUL (apksigner refuses them too).
        if let unlistable = digested.first(where: { $0.name.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 } }) {
            throw ApkSigningError.entry(name: unlistable.name.debugDescription,
                                        reason: "a name with a line break or NUL cannot be listed in META-INF/MANIFEST.MF; v1 signing is impossible")
        }

        let copyBytes = kept.reduce(Int64(0)) { $0 + Int64($1.compressedSize) }
        let digestBytes = digested.reduce(Int64(0)) { $0 + Int64($1.uncompressedSize) }
        let tracker = ProgressTracker(total: copyBytes * (schemes.contains(.v2) || schemes.contains(.v3) ? 2 : 1) + digestBytes,
                                      callback: options.progress)

        // v1 needs every entry's uncompressed digest; workers inflate and hash while this
        // thread copies the records and hashes the output for v2/v3 as it is written.
        // Stored entries are hashed from the bytes being copied; the others are inflated by workers.
        let v1Digests = BackgroundResult<[String: [UInt8]]>()
        let hashedWhileCopying = Set(digested.filter { $0.method == .stored }.map(\.name))
        var storedDigests: [String: [UInt8]] = [:]
        if let jarProfile {
            let parallelism = options.parallelism
            let isCancelled = options.isCancelled
            let inflated = digested.filter { !hashedWhileCopying.contains($0.name) }
            v1Digests.start {
                try JarEntryDigester.digests(of: inflated, in: archive, algorithm: jarProfile.digest, parallelism: parallelism,
                                             tracker: tracker, isCancelled: isCancelled)
            }
        }
        let v1Hash: HashFunction? = jarProfile.map { $0.digest == .sha1 ? .sha1 : .sha256 }
        let signsBlock = schemes.contains(.v2) || schemes.contains(.v3)
        let file = try AtomicOutputFile(destination: output)
        let contentDigest = StreamingContentDigest([algorithm.contentDigest])
        if signsBlock { file.observer = contentDigest }
        var writer = ApkRecordWriter(file: file, archive: archive, alignment: format == .aab ? .none : options.alignment)
        do {
            for entry in kept {
                if options.isCancelled?() == true { throw ApkSigningError.cancelled }
                if let v1Hash, hashedWhileCopying.contains(entry.name) {
                    let hasher = Hashing.hasher(v1Hash)
                    try writer.copy(entry, dataHasher: hasher)
                    storedDigests[entry.name] = hasher.finalize()
                    tracker.advance(Int64(entry.uncompressedSize))
                } else {
                    try writer.copy(entry)
                }
                tracker.advance(Int64(entry.compressedSize) * (signsBlock ? 2 : 1))
            }
        } catch {
            _ = try? v1Digests.wait()
            throw error
        }

        if let jarProfile {
            let digests = try v1Digests.wait().merging(storedDigests) { inflated, _ in inflated }
            var sourceMain: JarManifestMainSection?
            if let manifest = archive.entry(named: manifestEntryName) {
                sourceMain = try JarManifestMainSection(parsing: try EntryContent.readData(manifest, in: archive,
                                                                                           limit: maximumSourceManifestSize))
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
            let (date, time) = newestTimestamp(archive.entries)
            for (entryName, data) in [("META-INF/\(name).SF", files.signatureFile),
                                      ("META-INF/\(name).\(jarProfile.blockExtension)", block),
                                      (manifestEntryName, files.manifest)] {
                try writer.addDeflated(name: entryName, data: data, dosDate: date, dosTime: time)
            }
        }

        let endRecordTemplate = try archive.readBytes(at: archive.endOfCentralDirectoryOffset, count: 22 + archive.comment.count)
        let centralDirectory = writer.centralDirectory
        guard writer.recordCount <= Int(UInt16.max), UInt64(file.offset) + UInt64(centralDirectory.count) + 65_536 < UInt64(UInt32.max) else {
            throw ApkSigningError.invalidOptions(reason: "the signed APK would need ZIP64 (over 65,535 entries or 4 GiB), which Android cannot read")
        }
        if signsBlock {
            try file.write(repeatElement(UInt8(0), count: (ApkSigningBlock.pageAlignment - file.offset % ApkSigningBlock.pageAlignment) % ApkSigningBlock.pageAlignment))
            file.observer = nil
            let blockOffset = file.offset
            contentDigest.finishSection()
            contentDigest.append(centralDirectory)
            contentDigest.finishSection()
            contentDigest.append(endRecord(endRecordTemplate, entryCount: writer.recordCount, centralDirectorySize: centralDirectory.count,
                                           centralDirectoryOffset: blockOffset))
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
        try file.write(endRecord(endRecordTemplate, entryCount: writer.recordCount, centralDirectorySize: centralDirectory.count,
                                 centralDirectoryOffset: centralDirectoryOffset))
        if options.isCancelled?() == true { throw ApkSigningError.cancelled }
        try file.commit()
        tracker.finish()
        return ApkSigningResult(output: output, schemes: schemes.sorted(), minSdk: minSdk, format: format, signatureAlgorithm: algorithm.name,
                                v1DigestAlgorithm: jarProfile?.digest, entriesCopied: kept.count,
                                entriesRealigned: writer.realignedCount, entriesStripped: stripped, outputSize: file.offset)
    }

    /// apksigner drops directory entries and every signature file directly in META-INF when it
    /// signs; jarsigner keeps directories in app bundles.
    static func isStrippedOnSigning(_ name: String, format: PackageFormat) -> Bool {
        if name.hasSuffix("/") { return format == .apk }
        guard name.hasPrefix("META-INF/") else { return false }
        let rest = name.dropFirst("META-INF/".count)
        return !rest.contains("/") && JarSignatureFiles.isSignatureFileName(String(rest))
    }

    /// The latest DOS date and time among the input entries, which apksigner gives its new entries.
    static func newestTimestamp(_ entries: [ZipEntry]) -> (date: UInt16, time: UInt16) {
        var newest: (date: UInt16, time: UInt16)?
        for entry in entries {
            if let current = newest, (entry.dosDate, entry.dosTime) <= (current.date, current.time) { continue }
            newest = (entry.dosDate, entry.dosTime)
        }
        return newest ?? (0x0021, 0)
    }

    /// The input's end record with the entry counts and central directory position replaced.
    static func endRecord(_ template: [UInt8], entryCount: Int, centralDirectorySize: Int, centralDirectoryOffset: Int) -> [UInt8] {
        var record = template
        func put16(_ value: Int, at index: Int) {
            record[index] = UInt8(value & 0xFF); record[index + 1] = UInt8(value >> 8 & 0xFF)
        }
        func put32(_ value: Int, at index: Int) {
            for byte in 0..<4 { record[index + byte] = UInt8(value >> (8 * byte) & 0xFF) }
        }
        put16(entryCount, at: 8)
        put16(entryCount, at: 10)
        put32(centralDirectorySize, at: 12)
        put32(centralDirectoryOffset, at: 16)
        return record
    }
}

/// A value computed on another thread; `wait` returns it or rethrows its error.
final class BackgroundResult<Value>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<Value, Error>?

    func start(_ work: @escaping @Sendable () throws -> Value) {
        group.enter()
        Thread.detachNewThread { [self] in
            result = Result { try work() }
            group.leave()
        }
    }

    /// Blocks until the work finishes; nil when it was never started.
    @discardableResult
    func wait() throws -> Value {
        group.wait()
        guard let result else { throw ApkSigningError.invalidOptions(reason: "internal: background work was not started") }
        return try result.get()
    }
}

/// Makes the v2/v3 signer block for one signer.
enum SchemeSigner {
    static func signerBlock(scheme: SignatureScheme, algorithm: SignatureAlgorithm, contentDigest: [UInt8],
                            identity: SigningIdentity, alsoSignedWithV3: Bool) throws -> [UInt8] {
        var attributes: [SchemeSignerBlock.Attribute] = []
        if scheme == .v2, alsoSignedWithV3 {
            var value = LittleEndianWriter()
            value.uint32(UInt32(SignatureScheme.v3.rawValue))
            attributes.append(.init(id: SchemeSignerBlock.strippingProtectionAttributeId, value: value.bytes))
        }
        let minSdk = UInt32(algorithm.minimumSdk)
        let maxSdk = SchemeSignerBlock.maximumSdk
        let signedData = SchemeSignerBlock.encodeSignedData(
            scheme: scheme, digests: [.init(algorithmId: algorithm.rawValue, value: contentDigest)],
            certificates: identity.certificateChain, attributes: attributes, minSdk: minSdk, maxSdk: maxSdk)
        let signature = try identity.key.sign(signedData, hash: algorithm.signatureHash)
        return SchemeSignerBlock.encodeSigner(scheme: scheme, signedData: signedData, minSdk: minSdk, maxSdk: maxSdk,
                                              signatures: [.init(algorithmId: algorithm.rawValue, value: signature)],
                                              publicKey: identity.certificate.subjectPublicKeyInfo)
    }
}

/// Reports progress without going backwards or past the total.
final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var done: Int64 = 0
    let total: Int64
    let callback: (@Sendable (Int64, Int64) -> Void)?

    init(total: Int64, callback: (@Sendable (Int64, Int64) -> Void)?) {
        self.total = max(total, 1)
        self.callback = callback
    }

    // The callback runs under the lock: the copying thread and the v1 digest workers both report,
    // and calling it after unlocking let a smaller figure arrive after a larger one.
    func advance(_ bytes: Int64) {
        guard let callback else { return }
        lock.lock()
        defer { lock.unlock() }
        done = min(total, done + bytes)
        callback(done, total)
    }

    func finish() {
        guard let callback else { return }
        lock.lock()
        defer { lock.unlock() }
        done = total
        callback(total, total)
    }
}

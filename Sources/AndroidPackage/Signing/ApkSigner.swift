import ArchiveKit
import Foundation

/// Entries a build changes while it signs: the signer writes them in its one pass instead of
/// signing an intermediate package that had them written first.
public struct ApkEdits: Sendable {
    /// A new entry, written after the input's entries (an input entry of the same name is dropped).
    public struct Addition: Sendable {
        public var name: String
        public var data: [UInt8]
        /// Deflated at level 9 when true; stored (and aligned like other stored entries) when false.
        public var compressed: Bool

        public init(name: String, data: [UInt8], compressed: Bool) {
            self.name = name
            self.data = data
            self.compressed = compressed
        }
    }

    /// Input entries whose content is replaced, in place, keeping their method (stored or
    /// deflated), time and attributes.
    public var replacements: [String: [UInt8]]
    public var additions: [Addition]

    public init(replacements: [String: [UInt8]] = [:], additions: [Addition] = []) {
        self.replacements = replacements
        self.additions = additions
    }
}

/// Signs APKs (v1 JAR, v2, v3) and app bundles (v1) the way apksigner and jarsigner do, in one
/// streaming pass: existing signatures are stripped, untouched entries are copied raw (their
/// compressed bytes are never re-encoded), stored entries are aligned, and the v2/v3 content
/// digest is computed from the bytes as they are written, in parallel 1 MiB chunks.
public enum ApkSigner {
    static let copyBufferSize = 1 << 20
    static let manifestEntryName = "META-INF/MANIFEST.MF"
    /// A source MANIFEST.MF larger than this is not a real manifest; refusing it bounds memory.
    static let maximumSourceManifestSize = 16 * 1024 * 1024

    public static func sign(input: String, output: String, identity: SigningIdentity,
                            options: ApkSigningOptions = ApkSigningOptions(), edits: ApkEdits = ApkEdits()) throws -> ApkSigningResult {
        let session = try ApkSigningSession(input: input, output: output, identity: identity, options: options, edits: edits)
        try session.writeEntries()
        return try session.finish()
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

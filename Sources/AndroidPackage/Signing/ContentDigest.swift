import ArchiveKit
import Foundation

/// A hash in progress. CryptoAdapters.swift supplies the implementation from CryptoCore.
protocol IncrementalHasher: AnyObject {
    func update(_ bytes: UnsafeRawBufferPointer)
    func finalize() -> [UInt8]
}

extension IncrementalHasher {
    func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
}

/// Collects the first error thrown by any worker and lets the others stop early.
final class WorkerFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?

    func record(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if first == nil { first = error }
    }

    var hasFailed: Bool { lock.lock(); defer { lock.unlock() }; return first != nil }

    func rethrow() throws {
        lock.lock(); defer { lock.unlock() }
        if let first { throw first }
    }
}

/// Hands out work items to worker threads one at a time.
final class WorkQueueCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        defer { next += 1 }
        return next
    }
}

/// The content digest of APK Signature Scheme v2/v3: the file's three sections (entries,
/// central directory, end record) are cut into 1 MiB chunks; each chunk is hashed as
/// 0xA5 || uint32 length || bytes, and the digest is the hash of 0x5A || uint32 chunk count ||
/// every chunk digest. Chunks are independent, so workers hash them in parallel.
enum ContentDigester {
    static let chunkSize = 1 << 20

    enum Section {
        /// Bytes of a file, read through `read(buffer, offset)`.
        case file(length: Int, read: @Sendable (UnsafeMutableRawBufferPointer, Int) throws -> Void)
        case bytes([UInt8])

        var length: Int {
            switch self {
            case let .file(length, _): return length
            case let .bytes(bytes): return bytes.count
            }
        }
    }

    struct Chunk { let section: Int; let offset: Int; let length: Int }

    static func chunks(of sections: [Section]) -> [Chunk] {
        var chunks: [Chunk] = []
        for (index, section) in sections.enumerated() {
            var offset = 0
            while offset < section.length {
                let length = min(chunkSize, section.length - offset)
                chunks.append(Chunk(section: index, offset: offset, length: length))
                offset += length
            }
        }
        return chunks
    }

    static func hashFunction(_ algorithm: ContentDigestAlgorithm) -> HashFunction? {
        switch algorithm {
        case .chunkedSHA256: return .sha256
        case .chunkedSHA512: return .sha512
        case .verityChunkedSHA256: return nil
        }
    }

    /// Digests for each requested (chunked) algorithm, reading each chunk once.
    /// `progress` receives the bytes of each finished chunk; `isCancelled` is polled per chunk.
    static func compute(_ algorithms: [ContentDigestAlgorithm], sections: [Section], parallelism: Int,
                        progress: (@Sendable (Int) -> Void)? = nil,
                        isCancelled: (@Sendable () -> Bool)? = nil) throws -> [ContentDigestAlgorithm: [UInt8]] {
        let functions = algorithms.compactMap { algorithm in hashFunction(algorithm).map { (algorithm, $0) } }
        guard !functions.isEmpty else { return [:] }
        let chunks = chunks(of: sections)
        let results = IndexedResults<[[UInt8]]>(count: chunks.count)
        let failure = WorkerFailure()
        let queue = WorkQueueCounter(count: chunks.count)
        let progressLock = NSLock()
        let workers = max(1, min(parallelism, chunks.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            while !failure.hasFailed, let index = queue.take() {
                do {
                    if isCancelled?() == true { throw ApkSigningError.cancelled }
                    let chunk = chunks[index]
                    let view: UnsafeRawBufferPointer
                    switch sections[chunk.section] {
                    case let .file(_, read):
                        let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<chunk.length])
                        try read(slice, chunk.offset)
                        view = UnsafeRawBufferPointer(slice)
                    case let .bytes(bytes):
                        let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<chunk.length])
                        bytes.withUnsafeBytes { source in
                            slice.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[chunk.offset..<(chunk.offset + chunk.length)]))
                        }
                        view = UnsafeRawBufferPointer(slice)
                    }
                    results[index] = functions.map { chunkDigest(view, function: $0.1) }
                    if let progress {
                        progressLock.lock(); progress(chunk.length); progressLock.unlock()
                    }
                } catch {
                    failure.record(error)
                }
            }
        }
        try failure.rethrow()
        var output: [ContentDigestAlgorithm: [UInt8]] = [:]
        for (position, (algorithm, function)) in functions.enumerated() {
            output[algorithm] = topLevelDigest(chunkCount: chunks.count, function: function) { results[$0]![position] }
        }
        return output
    }

    /// One chunk's digest: hash(0xA5 || uint32 length || bytes).
    static func chunkDigest(_ bytes: UnsafeRawBufferPointer, function: HashFunction) -> [UInt8] {
        var prefix = LittleEndianWriter()
        prefix.raw([0xA5])
        prefix.uint32(UInt32(bytes.count))
        let hasher = Hashing.hasher(function)
        hasher.update(prefix.bytes)
        hasher.update(bytes)
        return hasher.finalize()
    }

    static func chunkDigest(_ bytes: [UInt8], function: HashFunction) -> [UInt8] {
        bytes.withUnsafeBytes { chunkDigest($0, function: function) }
    }

    /// The digest over the chunk digests: hash(0x5A || uint32 chunk count || each chunk's digest in order).
    static func topLevelDigest(chunkCount: Int, function: HashFunction, chunk: (Int) -> [UInt8]) -> [UInt8] {
        let top = Hashing.hasher(function)
        var header = LittleEndianWriter()
        header.raw([0x5A])
        header.uint32(UInt32(chunkCount))
        top.update(header.bytes)
        for index in 0..<chunkCount { top.update(chunk(index)) }
        return top.finalize()
    }
}

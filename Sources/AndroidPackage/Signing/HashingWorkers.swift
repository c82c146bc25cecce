import ArchiveKit
import Foundation

/// The v2/v3 content digest computed while the output is written: every byte of a section is
/// fed in order, each full 1 MiB chunk is handed to worker threads that hash it (chunks are
/// independent), and the top-level digest is taken over the chunk digests in chunk order, so
/// the result does not depend on which worker finished first. The signer never reads its
/// output back. Sections are closed with `finishSection()`.
final class StreamingContentDigest {
    private let functions: [(ContentDigestAlgorithm, HashFunction)]
    private let results = IndexedResults<[[UInt8]]>(count: 0)
    private let workers: BoundedWorkers
    private var chunk: [UInt8] = []
    private var chunkCount = 0

    init(_ algorithms: [ContentDigestAlgorithm], parallelism: Int) {
        functions = algorithms.compactMap { algorithm in ContentDigester.hashFunction(algorithm).map { (algorithm, $0) } }
        let threads = max(1, parallelism)
        workers = BoundedWorkers(threads: threads, capacity: threads + 1, name: "appseal-content-digest")
        chunk.reserveCapacity(ContentDigester.chunkSize)
    }

    /// A signing that stops early (an error, a cancel) must not leave the threads waiting.
    deinit { workers.finish() }

    func append(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, ContentDigester.chunkSize - chunk.count)
            chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
            offset += count
            if chunk.count == ContentDigester.chunkSize { submitChunk() }
        }
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// Ends the current section: a partial last chunk is hashed as it is.
    func finishSection() {
        if !chunk.isEmpty { submitChunk() }
    }

    private func submitChunk() {
        let index = chunkCount
        let bytes = chunk
        let functions = self.functions
        let results = self.results
        chunkCount += 1
        chunk = []
        chunk.reserveCapacity(ContentDigester.chunkSize)
        workers.submit {
            results[index] = functions.map { ContentDigester.chunkDigest(bytes, function: $0.1) }
        }
    }

    /// Waits for the workers and returns each algorithm's digest.
    func finalize() -> [ContentDigestAlgorithm: [UInt8]] {
        finishSection()
        workers.finish()
        var result: [ContentDigestAlgorithm: [UInt8]] = [:]
        for (position, (algorithm, function)) in functions.enumerated() {
            result[algorithm] = ContentDigester.topLevelDigest(chunkCount: chunkCount, function: function) { index in
                results[index]![position]
            }
        }
        return result
    }
}

/// A plain hash of a whole stream (the output file's SHA-256 for the build report), computed
/// on its own thread from copies of the bytes in the order they were given.
final class BackgroundStreamHasher {
    private let hasher: IncrementalHasher
    private let workers = BoundedWorkers(threads: 1, capacity: 4, name: "appseal-file-digest")
    private var digest: [UInt8]?

    init(_ function: HashFunction) { hasher = Hashing.hasher(function) }

    deinit { workers.finish() }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let copy = [UInt8](bytes)
        let hasher = self.hasher
        workers.submit { copy.withUnsafeBytes { hasher.update($0) } }
    }

    func finalize() -> [UInt8] {
        if let digest { return digest }
        workers.finish()
        let value = hasher.finalize()
        digest = value
        return value
    }
}

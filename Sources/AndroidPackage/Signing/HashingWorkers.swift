import Foundation

/// Dedicated threads running submitted jobs, at most `capacity` waiting: `submit` blocks while
/// the queue is full, so the bytes jobs hold stay bounded. With one thread, jobs run in order.
/// Dedicated threads rather than Dispatch's pool: the v1 digest workers already occupy that
/// pool, and hashing jobs queued behind them would stall the copying thread. The threads keep
/// the pool alive, so its owner must call `finish()` (the owners below do in `deinit` too).
final class BoundedWorkers: @unchecked Sendable {
    // @unchecked: every field below is read and written under `condition` only.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var running = 0
    private var closed = false
    private var alive = 0
    private let capacity: Int

    init(threads: Int, capacity: Int, name: String) {
        self.capacity = max(1, capacity)
        alive = max(1, threads)
        for index in 0..<alive {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        while jobs.count >= capacity { condition.wait() }
        jobs.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Runs what was submitted to the end and stops the threads; later submissions are a bug.
    func finish() {
        condition.lock()
        closed = true
        condition.broadcast()
        while alive > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                running += 1
                condition.broadcast()
                condition.unlock()
                job()
                condition.lock()
                running -= 1
                condition.broadcast()
            } else if closed {
                break
            } else {
                condition.wait()
            }
        }
        alive -= 1
        condition.broadcast()
        condition.unlock()
    }

}

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

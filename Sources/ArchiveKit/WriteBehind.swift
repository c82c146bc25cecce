import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Performs an `OutputFile`'s writes on a thread of its own, in the order they are handed over,
/// so the caller goes on building headers and reading small entries while the kernel copies the
/// large ranges. Every write lands at an explicit offset and no two overlap, so the caller only
/// ever waits to reuse a buffer, to read or patch the file, and to finish it.
final class WriteBehind {
    private let workers = BoundedWorkers(threads: 1, capacity: 8, name: "appseal-write")
    /// Shared with the jobs; they hold it, not `self`, so the last release of this object never
    /// happens on the worker thread (whose `finish()` would then wait for itself).
    private let state: WriteState
    private let copier: RangeCopier

    /// `path` names the output in errors.
    init(descriptor: Int32, path: String, durable: Bool, buffers: Int) {
        state = WriteState(buffers: buffers)
        copier = RangeCopier(descriptor: descriptor, path: path, durable: durable)
    }

    deinit { workers.finish() }

    /// Writes `buffer[0..<count]` at `offset`; the buffer is busy until then.
    func write(buffer: UnsafeMutableRawBufferPointer, index: Int, count: Int, at offset: UInt64) {
        let (state, copier) = (state, copier)
        state.setBusy(index)
        workers.submit {
            if !state.hasFailed {
                do throws(ZipError) {
                    try copier.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), at: offset)
                } catch {
                    state.fail(error)
                }
            }
            state.setFree(index)
        }
    }

    /// Copies `range` of `source` to `offset`; `entries` names where each entry of the range
    /// starts, so a failure names the entry it met.
    func copy(from source: ReadOnlyFile, range: ZipRegion, to offset: UInt64, entries: [(offset: UInt64, name: String)]) {
        let (state, copier) = (state, copier)
        workers.submit {
            guard !state.hasFailed else { return }
            do throws(ZipError) {
                try copier.copy(from: source, range: range, to: offset)
            } catch {
                let failed = error.offset ?? range.offset
                state.fail(entries.last(where: { $0.offset <= failed }).map { error.forEntry($0.name) } ?? error)
            }
        }
    }

    /// Waits until buffer `index` may be filled again; throws the first failure so far.
    func waitForBuffer(_ index: Int) throws(ZipError) {
        try state.waitUntilFree(index)
    }

    /// Throws the first failure so far, without waiting.
    func checkFailure() throws(ZipError) {
        if let failure = state.failure { throw failure }
    }

    /// Waits until everything handed over is written; throws the first failure.
    func drain() throws(ZipError) {
        workers.waitUntilIdle()
        try checkFailure()
    }
}

/// The buffers' state and the first failure, under one lock.
private final class WriteState: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition` only.
    private let condition = NSCondition()
    private var busy: [Bool]
    private var firstFailure: ZipError?

    init(buffers: Int) { busy = Array(repeating: false, count: buffers) }

    var failure: ZipError? {
        condition.lock()
        defer { condition.unlock() }
        return firstFailure
    }

    var hasFailed: Bool { failure != nil }

    func fail(_ error: ZipError) {
        condition.lock()
        if firstFailure == nil { firstFailure = error }
        condition.unlock()
    }

    func setBusy(_ index: Int) {
        condition.lock()
        busy[index] = true
        condition.unlock()
    }

    func setFree(_ index: Int) {
        condition.lock()
        busy[index] = false
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilFree(_ index: Int) throws(ZipError) {
        condition.lock()
        while busy[index] { condition.wait() }
        let failure = firstFailure
        condition.unlock()
        if let failure { throw failure }
    }
}

/// The worker thread's side of the copying: writes, and ranges of another file spliced through
/// a pipe of its own (or read and written where splice does not apply).
private final class RangeCopier: @unchecked Sendable {
    // @unchecked: used from the write-behind thread only.
    private let descriptor: Int32
    private let path: String
    private let durable: Bool
    /// Made on first use; dropped when splice fails or does not apply to these files.
    private lazy var splicePipe: SplicePipe? = SplicePipe()
    /// For files splice cannot copy between; made when first needed.
    private var scratch: UnsafeMutableRawBufferPointer?

    /// Where durable outputs ask the kernel to start writing back: every 8 MiB of a copy.
    private static let writebackStep: UInt64 = 8 << 20

    init(descriptor: Int32, path: String, durable: Bool) {
        self.descriptor = descriptor
        self.path = path
        self.durable = durable
    }

    deinit { scratch?.deallocate() }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(ZipError) {
        try OutputFile.writeAll(bytes, to: descriptor, at: offset, path: path)
        startWriteback(offset, UInt64(bytes.count))
    }

    func copy(from source: ReadOnlyFile, range: ZipRegion, to destination: UInt64) throws(ZipError) {
        var offset = range.offset
        var written = destination
        while offset < range.end, let pipe = splicePipe {
            let count = min(range.end - offset, RangeCopier.writebackStep)
            let outcome: SplicePipe.Outcome
            do {
                outcome = try pipe.copy(from: source.descriptor, at: offset, to: descriptor, at: written, count: count,
                                        destinationPath: path)
            } catch {
                splicePipe = nil  // it may still hold bytes
                throw error
            }
            guard outcome == .copied else {
                splicePipe = nil  // not for these files: plain reads and writes from now on
                break
            }
            startWriteback(written, count)
            offset += count
            written += count
        }
        while offset < range.end {
            let scratch = self.scratch ?? UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
            self.scratch = scratch
            let count = Int(min(UInt64(scratch.count), range.end - offset))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<count])
            try source.read(into: chunk, at: offset, what: "entry data")
            try write(UnsafeRawBufferPointer(chunk), at: written)
            offset += UInt64(count)
            written += UInt64(count)
        }
    }

    /// For a durable output, asks the kernel to start writing a range back now, so the fsync in
    /// `commit` finds most data already on its way to disk. (On Linux, POSIX_FADV_DONTNEED starts
    /// writeback of dirty pages without waiting for it.) An atomic output leaves it to the kernel.
    private func startWriteback(_ offset: UInt64, _ length: UInt64) {
        guard durable else { return }
        _ = posix_fadvise(descriptor, off_t(offset), off_t(length), POSIX_FADV_DONTNEED)
    }
}

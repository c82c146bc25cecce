import CAppsealShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a finished package output is put in place. Either way it is written to a temporary file
/// beside the destination and renamed only when complete, so a crash, kill or cancel of appseal
/// leaves the old file or the whole new one, never a partial one.
public enum OutputDurability: String, Sendable, Equatable, Codable {
    /// Rename without fsync, as zipalign and apksigner leave their outputs: the kernel writes
    /// the data back on its own schedule. A power loss within that window (typically up to 30 s
    /// on Linux) can leave an empty or partial file under the new name.
    case atomic
    /// fsync the file before the rename and its folder after it: the output survives a power loss
    /// once appseal has returned.
    case durable

    /// The environment variable that asks for `.durable` (`APPSEAL_DURABLE=1`).
    public static let environmentVariable = "APPSEAL_DURABLE"

    /// `.durable` when `APPSEAL_DURABLE` is `1`, `true` or `yes`; otherwise `.atomic`.
    public static var fromEnvironment: OutputDurability {
        guard let value = getenv(environmentVariable) else { return .atomic }
        return ["1", "true", "yes"].contains(String(cString: value).lowercased()) ? .durable : .atomic
    }
}

/// A new file created beside its destination and written through a bounded buffer. It becomes
/// the destination only in `commit()` (rename; with `.durable` also fsync of the file before and
/// of the folder after); until then, and when dropped without committing, it is removed.
final class OutputFile {
    let destination: String
    let temporaryPath: String
    let durability: OutputDurability
    private var descriptor: Int32
    /// Bytes not yet written: `storage[0..<buffered]`. Small entries are read straight into it.
    private let storage: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private static let bufferLimit = 1 << 20
    /// A range of another file appended but not yet copied; it follows the buffered bytes.
    /// Adjacent ranges merge, so a run of untouched entries costs one copy.
    private var pendingCopy: (source: ReadOnlyFile, range: ZipRegion)?
    /// The length the file was preallocated to (0 when it was not).
    private var preallocated: UInt64 = 0
    /// Bytes written so far (buffered and pending ones included).
    private(set) var position: UInt64 = 0

    /// `sizeHint`, the size the file will probably reach, is preallocated: ext4 then maps blocks
    /// once instead of reserving them page by page as data arrives. A file that ends up shorter is
    /// cut to its length in `commit()`.
    init(destination: String, durability: OutputDurability, sizeHint: UInt64? = nil) throws(ZipError) {
        self.destination = destination
        self.durability = durability
        let slash = destination.lastIndex(of: "/")
        let folder = slash.map { String(destination[..<$0]) } ?? "."
        let base = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        var template = Array("\(folder.isEmpty ? "/" : folder)/.\(base).appseal-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw ZipError(.io, "cannot create a temporary file beside the output: \(ReadOnlyFile.errnoText())",
                           archive: destination)
        }
        descriptor = fd
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: OutputFile.bufferLimit, alignment: 4096)
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // mkostemp makes 0600; an archive is not secret, give it the usual 0644 (less the umask).
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o644 & ~mask)
        // Best effort: a file system without fallocate, or too little space for the guess, just
        // writes as it goes (a real shortage then fails the write that meets it).
        if let sizeHint, sizeHint > 0, sizeHint <= UInt64(Int64.max), appseal_fallocate(fd, 0, Int64(sizeHint)) == 0 {
            preallocated = sizeHint
        }
    }

    deinit {
        discard()
        storage.deallocate()
    }

    func write(_ bytes: [UInt8]) throws(ZipError) {
        try bytes.withZipBytes { (raw) throws(ZipError) in try write(raw) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ZipError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        try copyPending()
        if buffered + bytes.count > OutputFile.bufferLimit { try flushBuffer() }
        if bytes.count >= OutputFile.bufferLimit {
            try writeAll(bytes, at: position)
        } else {
            (storage.baseAddress! + buffered).copyMemory(from: base, byteCount: bytes.count)
            buffered += bytes.count
        }
        position += UInt64(bytes.count)
    }

    /// Appends a range of another file. The copy is deferred so that a range starting where the
    /// previous one ended extends it; `copyPending` then copies large ranges inside the kernel
    /// (`SplicePipe`) and reads small ones into the buffer, so many small entries cost few system calls.
    func append(from source: ReadOnlyFile, range: ZipRegion) throws(ZipError) {
        guard range.end <= source.size else {
            throw ZipError(.truncated, "entry data needs \(range.length) bytes but the file ends at \(source.size)",
                           offset: range.offset)
        }
        guard range.length > 0 else { return }
        if let pending = pendingCopy, pending.source === source, pending.range.end == range.offset {
            pendingCopy = (source, ZipRegion(offset: pending.range.offset, length: pending.range.length + range.length))
        } else {
            try copyPending()
            pendingCopy = (source, range)
        }
        position += range.length
    }

    /// Copies the pending range to its place after the buffered bytes.
    private func copyPending() throws(ZipError) {
        guard let (source, range) = pendingCopy else { return }
        pendingCopy = nil
        var offset = range.offset
        let end = range.end
        var written = position - range.length  // where the range goes in this file
        if range.length >= OutputFile.kernelCopyThreshold, let pipe = splicePipe {
            try flushBuffer(endingAt: written)
            while offset < end {
                let count = min(end - offset, OutputFile.writebackStep)
                let outcome: SplicePipe.Outcome
                do {
                    outcome = try pipe.copy(from: source.descriptor, at: offset, to: descriptor, at: written, count: count)
                } catch {
                    splicePipe = nil  // it may still hold bytes
                    throw error
                }
                guard outcome == .copied else {
                    splicePipe = nil  // not for these files: plain reads and writes from now on
                    break
                }
                offset += count
                written += count
                startWriteback(upTo: written)
            }
        }
        // The rest (small ranges, or files splice cannot copy between) is read straight into the buffer.
        while offset < end {
            if buffered == OutputFile.bufferLimit { try flushBuffer(endingAt: written) }
            let count = Int(min(UInt64(OutputFile.bufferLimit - buffered), end - offset))
            let free = UnsafeMutableRawBufferPointer(rebasing: storage[buffered..<(buffered + count)])
            try source.read(into: free, at: offset, what: "entry data")
            buffered += count
            written += UInt64(count)
            offset += UInt64(count)
        }
    }

    /// From this length a range is spliced rather than read into the buffer and written again:
    /// the two system calls cost less than the second copy of its bytes.
    static let kernelCopyThreshold: UInt64 = 16 * 1024
    /// Made on first use; dropped when splice fails or does not apply to these files.
    private lazy var splicePipe: SplicePipe? = SplicePipe()

    /// Rewrites bytes already written (a local header completed once its data is known).
    func patch(_ bytes: [UInt8], at offset: UInt64) throws(ZipError) {
        try flush()
        try bytes.withZipBytes { (raw) throws(ZipError) in try writeAll(raw, at: offset) }
    }

    /// Writes everything appended so far to the file.
    func flush() throws(ZipError) {
        try copyPending()
        try flushBuffer()
    }

    /// Writes the buffered bytes, which end at `end` (at `position` unless a pending copy follows them).
    private func flushBuffer(endingAt end: UInt64? = nil) throws(ZipError) {
        guard buffered > 0 else { return }
        let end = end ?? position
        try writeAll(UnsafeRawBufferPointer(rebasing: storage[0..<buffered]), at: end - UInt64(buffered))
        buffered = 0
        startWriteback(upTo: end)
    }

    /// Where asynchronous writeback was last asked for.
    private var writebackRequested: UInt64 = 0
    private static let writebackStep: UInt64 = 8 << 20

    /// For a durable output, asks the kernel to start writing what has been written so far, so
    /// the fsync in `commit` finds most data already on its way to disk instead of starting all of
    /// it at the end. (On Linux, POSIX_FADV_DONTNEED starts writeback of dirty pages without
    /// waiting for it.) An atomic output leaves writeback to the kernel, as zipalign does.
    private func startWriteback(upTo end: UInt64) {
        guard durability == .durable, end >= writebackRequested + OutputFile.writebackStep else { return }
        _ = posix_fadvise(descriptor, off_t(writebackRequested), off_t(end - writebackRequested), POSIX_FADV_DONTNEED)
        writebackRequested = end
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(ZipError) {
        guard descriptor >= 0 else { throw ZipError(.invalidRequest, "output was already closed", archive: destination) }
        var done = 0
        while done < bytes.count {
            let wrote = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if wrote < 0 {
                if errno == EINTR { continue }
                throw ZipError(.io, "write failed: \(ReadOnlyFile.errnoText())", offset: offset + UInt64(done),
                               archive: destination)
            }
            done += wrote
        }
    }

    /// Atomically puts the file at the destination (made durable first when asked).
    func commit() throws(ZipError) {
        try flush()
        if preallocated > position, ftruncate(descriptor, off_t(position)) != 0 {
            throw ZipError(.io, "cannot cut the preallocated file to its length: \(ReadOnlyFile.errnoText())",
                           archive: destination)
        }
        guard durability == .atomic || fsync(descriptor) == 0 else {
            throw ZipError(.io, "fsync failed: \(ReadOnlyFile.errnoText())", archive: destination)
        }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, destination) == 0 else {
            let text = ReadOnlyFile.errnoText()
            unlink(temporaryPath)
            throw ZipError(.io, "cannot move the finished archive into place: \(text)", archive: destination)
        }
        guard durability == .durable else { return }
        let folder = destination.lastIndex(of: "/").map { String(destination[..<$0]) } ?? "."
        let folderDescriptor = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// Closes and removes the temporary file (nothing happens after a commit).
    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
    }

    var isOpen: Bool { descriptor >= 0 }
}

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

/// A new file created beside its destination and written through bounded buffers. It becomes
/// the destination only in `commit()` (rename; with `.durable` also fsync of the file before and
/// of the folder after); until then, and when dropped without committing, it is removed.
/// The writes themselves happen behind the caller (`WriteBehind`): a failure surfaces at a later
/// call, `flush()` at the latest, naming the entry whose bytes it met.
final class OutputFile {
    let destination: String
    let temporaryPath: String
    let durability: OutputDurability
    private var descriptor: Int32
    /// Two buffers: one is filled while the other is being written.
    private let buffers: [UnsafeMutableRawBufferPointer]
    private var current = 0
    /// Bytes not yet handed over: `buffers[current][0..<buffered]`, which belong at `bufferStart`.
    /// Small entries are read straight into it.
    private var buffered = 0
    private var bufferStart: UInt64 = 0
    private static let bufferLimit = 1 << 20
    /// A range of another file appended but not yet copied; it follows the buffered bytes.
    /// Adjacent ranges merge, so a run of untouched entries costs one copy.
    private var pendingCopy: (source: ReadOnlyFile, range: ZipRegion, entries: [(offset: UInt64, name: String)])?
    /// The length the file was preallocated to (0 when it was not).
    private var preallocated: UInt64 = 0
    private let behind: WriteBehind
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
        buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: OutputFile.bufferLimit, alignment: 4096) }
        behind = WriteBehind(descriptor: fd, path: destination, durable: durability == .durable, buffers: buffers.count)
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
        // The write-behind thread is idle now (discard drained it) and no longer uses the buffers.
        for buffer in buffers { buffer.deallocate() }
    }

    func write(_ bytes: [UInt8]) throws(ZipError) {
        try bytes.withZipBytes { (raw) throws(ZipError) in try write(raw) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ZipError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        try checkOpen()
        try behind.checkFailure()
        try copyPending()
        if buffered + bytes.count > OutputFile.bufferLimit { try handOverBuffer() }
        if bytes.count >= OutputFile.bufferLimit {
            // The caller's bytes are only valid during this call: written here and now (at their
            // own offset, so beside whatever the write-behind thread is doing).
            try OutputFile.writeAll(bytes, to: descriptor, at: position, path: destination)
        } else {
            if buffered == 0 { bufferStart = position }
            (buffers[current].baseAddress! + buffered).copyMemory(from: base, byteCount: bytes.count)
            buffered += bytes.count
        }
        position += UInt64(bytes.count)
    }

    /// Appends a range of another file. The copy is deferred so that a range starting where the
    /// previous one ended extends it; `copyPending` then has large ranges copied inside the kernel
    /// (`SplicePipe`, behind the caller) and reads small ones into the buffer, so many small
    /// entries cost few system calls. `entry` names the bytes in errors.
    func append(from source: ReadOnlyFile, range: ZipRegion, entry: String) throws(ZipError) {
        guard range.end <= source.size else {
            throw ZipError(.truncated, "entry data needs \(range.length) bytes but the file ends at \(source.size)",
                           offset: range.offset)
        }
        guard range.length > 0 else { return }
        try checkOpen()
        // Tested and extended in place: a copy of the pending range held across the append would
        // share its entries' storage, and every append would copy it.
        if pendingCopy?.source === source, pendingCopy?.range.end == range.offset {
            pendingCopy!.range = ZipRegion(offset: pendingCopy!.range.offset, length: pendingCopy!.range.length + range.length)
            pendingCopy!.entries.append((range.offset, entry))
        } else {
            try copyPending()
            pendingCopy = (source, range, [(range.offset, entry)])
        }
        position += range.length
    }

    /// From this length a range is spliced rather than read into the buffer and written again:
    /// the two system calls cost less than the second copy of its bytes.
    static let kernelCopyThreshold: UInt64 = 16 * 1024

    /// Hands the pending range over, or reads it into the buffer after the bytes already there.
    private func copyPending() throws(ZipError) {
        guard let (source, range, entries) = pendingCopy else { return }
        pendingCopy = nil
        var written = position - range.length  // where the range goes in this file (it ends at `position`)
        if range.length >= OutputFile.kernelCopyThreshold {
            try handOverBuffer()
            behind.copy(from: source, range: range, to: written, entries: entries)
            return
        }
        var offset = range.offset
        while offset < range.end {
            if buffered == OutputFile.bufferLimit { try handOverBuffer() }
            if buffered == 0 { bufferStart = written }
            let count = Int(min(UInt64(OutputFile.bufferLimit - buffered), range.end - offset))
            let free = UnsafeMutableRawBufferPointer(rebasing: buffers[current][buffered..<(buffered + count)])
            do throws(ZipError) {
                try source.read(into: free, at: offset, what: "entry data")
            } catch {
                let failed = error.offset ?? offset
                throw entries.last(where: { $0.offset <= failed }).map { error.forEntry($0.name) } ?? error
            }
            buffered += count
            written += UInt64(count)
            offset += UInt64(count)
        }
    }

    /// Has the buffered bytes written behind, and switches to the other buffer once it is free.
    private func handOverBuffer() throws(ZipError) {
        guard buffered > 0 else { return }
        behind.write(buffer: buffers[current], index: current, count: buffered, at: bufferStart)
        current = (current + 1) % buffers.count
        buffered = 0
        try behind.waitForBuffer(current)
    }

    /// Rewrites bytes already written (a local header completed once its data is known).
    func patch(_ bytes: [UInt8], at offset: UInt64) throws(ZipError) {
        try flush()
        try bytes.withZipBytes { (raw) throws(ZipError) in try OutputFile.writeAll(raw, to: descriptor, at: offset, path: destination) }
    }

    /// Writes everything appended so far to the file, and waits for it.
    func flush() throws(ZipError) {
        try checkOpen()
        try copyPending()
        try handOverBuffer()
        try behind.drain()
    }

    private func checkOpen() throws(ZipError) {
        guard descriptor >= 0 else { throw ZipError(.invalidRequest, "output was already closed", archive: destination) }
    }

    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, at offset: UInt64,
                         path: String) throws(ZipError) {
        var done = 0
        while done < bytes.count {
            let wrote = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if wrote < 0 {
                if errno == EINTR { continue }
                throw ZipError(.io, "write failed: \(ReadOnlyFile.errnoText())", offset: offset + UInt64(done),
                               archive: path)
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
        try? behind.drain()  // nothing may still be writing to the descriptor
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
    }

    var isOpen: Bool { descriptor >= 0 }
}

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
    /// Bytes written so far (buffered ones included).
    private(set) var position: UInt64 = 0

    init(destination: String, durability: OutputDurability) throws(ZipError) {
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
        if buffered + bytes.count > OutputFile.bufferLimit { try flush() }
        if bytes.count >= OutputFile.bufferLimit {
            try writeAll(bytes, at: position)
        } else {
            (storage.baseAddress! + buffered).copyMemory(from: base, byteCount: bytes.count)
            buffered += bytes.count
        }
        position += UInt64(bytes.count)
    }

    /// Appends a range of another file. Large ranges are copied inside the kernel (sendfile),
    /// small ones through the buffer, so many small entries still cost few system calls.
    func append(from source: ReadOnlyFile, range: ZipRegion) throws(ZipError) {
        var offset = range.offset
        let end = range.end
        guard end <= source.size else {
            throw ZipError(.truncated, "entry data needs \(range.length) bytes but the file ends at \(source.size)",
                           offset: range.offset)
        }
        if range.length >= OutputFile.kernelCopyThreshold {
            try flush()
            if lseek(descriptor, off_t(position), SEEK_SET) >= 0 {
                var sourceOffset = off_t(offset)
                while offset < end {
                    let count = Int(min(end - offset, OutputFile.writebackStep))
                    let copied = sendfile(descriptor, source.descriptor, &sourceOffset, count)
                    if copied < 0 {
                        if errno == EINTR { continue }
                        break  // not supported between these files: finish with plain reads and writes
                    }
                    if copied == 0 {
                        throw ZipError(.truncated, "file ended while copying entry data (it shrank?)", offset: offset)
                    }
                    offset += UInt64(copied)
                    position += UInt64(copied)
                    startWriteback()
                }
            }
        }
        // The rest (small ranges, or a file sendfile cannot copy from) is read straight into the buffer.
        while offset < end {
            if buffered == OutputFile.bufferLimit { try flush() }
            let count = Int(min(UInt64(OutputFile.bufferLimit - buffered), end - offset))
            let free = UnsafeMutableRawBufferPointer(rebasing: storage[buffered..<(buffered + count)])
            try source.read(into: free, at: offset, what: "entry data")
            buffered += count
            position += UInt64(count)
            offset += UInt64(count)
        }
    }

    static let kernelCopyThreshold: UInt64 = 256 * 1024

    /// Rewrites bytes already written (a local header completed once its data is known).
    func patch(_ bytes: [UInt8], at offset: UInt64) throws(ZipError) {
        try flush()
        try bytes.withZipBytes { (raw) throws(ZipError) in try writeAll(raw, at: offset) }
    }

    func flush() throws(ZipError) {
        guard buffered > 0 else { return }
        let start = position - UInt64(buffered)
        try writeAll(UnsafeRawBufferPointer(rebasing: storage[0..<buffered]), at: start)
        buffered = 0
        startWriteback()
    }

    /// Where asynchronous writeback was last asked for.
    private var writebackRequested: UInt64 = 0
    private static let writebackStep: UInt64 = 8 << 20

    /// For a durable output, asks the kernel to start writing what has been written so far, so
    /// the fsync in `commit` finds most data already on its way to disk instead of starting all of
    /// it at the end. (On Linux, POSIX_FADV_DONTNEED starts writeback of dirty pages without
    /// waiting for it.) An atomic output leaves writeback to the kernel, as zipalign does.
    private func startWriteback() {
        guard durability == .durable, position - writebackRequested >= OutputFile.writebackStep else { return }
        _ = posix_fadvise(descriptor, off_t(writebackRequested), off_t(position - writebackRequested), POSIX_FADV_DONTNEED)
        writebackRequested = position
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

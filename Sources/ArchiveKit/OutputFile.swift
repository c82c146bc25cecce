#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new file created beside its destination and written through a bounded buffer. It becomes
/// the destination only in `commit()` (fsync, rename, fsync of the folder); until then, and when
/// dropped without committing, it is removed.
final class OutputFile {
    let destination: String
    let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    /// Bytes written so far (buffered ones included).
    private(set) var position: UInt64 = 0

    init(destination: String) throws(ZipError) {
        self.destination = destination
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
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // mkostemp makes 0600; an archive is not secret, give it the usual 0644 (less the umask).
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o644 & ~mask)
        buffer.reserveCapacity(bufferLimit)
    }

    deinit { discard() }

    func write(_ bytes: [UInt8]) throws(ZipError) {
        try bytes.withZipBytes { (raw) throws(ZipError) in try write(raw) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ZipError) {
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try writeAll(bytes, at: position)
        } else {
            buffer.append(contentsOf: bytes)
        }
        position += UInt64(bytes.count)
    }

    func writeZeros(_ count: Int) throws(ZipError) {
        try write([UInt8](repeating: 0, count: count))
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
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: OutputFile.copyChunk, alignment: 16)
        defer { chunk.deallocate() }
        while offset < end {
            let count = Int(min(UInt64(chunk.count), end - offset))
            let slice = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<count])
            try source.read(into: slice, at: offset, what: "entry data")
            try write(UnsafeRawBufferPointer(slice))
            offset += UInt64(count)
        }
    }

    static let kernelCopyThreshold: UInt64 = 256 * 1024
    static let copyChunk = 256 * 1024

    /// Rewrites bytes already written (a local header completed once its data is known).
    func patch(_ bytes: [UInt8], at offset: UInt64) throws(ZipError) {
        try flush()
        try bytes.withZipBytes { (raw) throws(ZipError) in try writeAll(raw, at: offset) }
    }

    func flush() throws(ZipError) {
        guard !buffer.isEmpty else { return }
        let start = position - UInt64(buffer.count)
        try buffer.withZipBytes { (raw) throws(ZipError) in try writeAll(raw, at: start) }
        buffer.removeAll(keepingCapacity: true)
        startWriteback()
    }

    /// Where asynchronous writeback was last asked for.
    private var writebackRequested: UInt64 = 0
    private static let writebackStep: UInt64 = 8 << 20

    /// Asks the kernel to start writing what has been written so far, so the fsync in `commit`
    /// finds most data already on its way to disk instead of starting all of it at the end.
    /// (On Linux, POSIX_FADV_DONTNEED starts writeback of dirty pages without waiting for it.)
    private func startWriteback() {
        guard position - writebackRequested >= OutputFile.writebackStep else { return }
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

    /// Makes the file durable and atomically puts it at the destination.
    func commit() throws(ZipError) {
        try flush()
        guard fsync(descriptor) == 0 else {
            throw ZipError(.io, "fsync failed: \(ReadOnlyFile.errnoText())", archive: destination)
        }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, destination) == 0 else {
            let text = ReadOnlyFile.errnoText()
            unlink(temporaryPath)
            throw ZipError(.io, "cannot move the finished archive into place: \(text)", archive: destination)
        }
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

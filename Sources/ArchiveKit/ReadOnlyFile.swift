#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one read-only file descriptor. All reads are positional (`pread`), so one open
/// archive can serve many threads at once without a shared file position.
final class ReadOnlyFile: @unchecked Sendable {
    // @unchecked: the descriptor and size never change after init, and pread keeps no state.
    let descriptor: Int32
    let size: UInt64
    let path: String

    init(path: String) throws(ZipError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ZipError(.io, "cannot open: \(ReadOnlyFile.errnoText())", archive: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let text = ReadOnlyFile.errnoText()
            close(fd)
            throw ZipError(.io, "cannot stat: \(text)", archive: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ZipError(.io, "not a regular file", archive: path)
        }
        descriptor = fd
        size = UInt64(info.st_size)
        self.path = path
    }

    deinit { close(descriptor) }

    /// Fills `buffer` with the bytes at `offset`; a range past the end of the file is `truncated`.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64, what: String) throws(ZipError) {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(buffer.count))
        guard !overflow, end <= size else {
            throw ZipError(.truncated, "\(what) needs \(buffer.count) bytes but the file ends at \(size)", offset: offset)
        }
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if got < 0 {
                if errno == EINTR { continue }
                throw ZipError(.io, "read failed: \(ReadOnlyFile.errnoText())", offset: offset + UInt64(done))
            }
            if got == 0 {
                throw ZipError(.truncated, "\(what): file ended while reading (it shrank?)", offset: offset + UInt64(done))
            }
            done += got
        }
    }

    func read(count: Int, at offset: UInt64, what: String) throws(ZipError) -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: ZipError?
        // Uninitialized: the read fills every byte, or the array is dropped.
        let result = [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
            do throws(ZipError) {
                try read(into: UnsafeMutableRawBufferPointer(storage), at: offset, what: what)
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return result
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

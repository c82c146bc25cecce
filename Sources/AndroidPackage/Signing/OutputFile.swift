import ArchiveKit
import Foundation

/// A file written beside its destination and renamed over it only when complete, so a failed
/// or cancelled signing never leaves a half-written APK. Writes are buffered; `offset` is the
/// number of bytes written so far. With `.durable` the file is fsynced before the rename and
/// its folder after it; `.atomic` (the default, as apksigner) leaves writeback to the kernel.
final class AtomicOutputFile {
    let destination: String
    let temporaryPath: String
    let durability: OutputDurability
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private(set) var offset: Int = 0
    /// Sees every byte written while set (the signer's content digest of the entries section).
    var observer: StreamingContentDigest?
    /// Sees every byte of the file, in order, when set (the output's SHA-256 for reports).
    var fileDigest: BackgroundStreamHasher?
    static let bufferSize = 1 << 20

    init(destination: String, durability: OutputDurability = .fromEnvironment) throws {
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        self.destination = destination
        self.durability = durability
        self.temporaryPath = folder + "/." + url.lastPathComponent + ".appseal-\(UUID().uuidString.prefix(8)).tmp"
        let fd = open(temporaryPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ApkSigningError.io(path: destination, reason: "cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
        }
        descriptor = fd
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        close(descriptor)
        if !committed { unlink(temporaryPath) }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        observer?.append(bytes)
        fileDigest?.update(bytes)
        if buffer.count + bytes.count > Self.bufferSize { try flush() }
        if bytes.count >= Self.bufferSize {
            try writeFully(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        offset += bytes.count
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeFully($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let result = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if result < 0 {
                if errno == EINTR { continue }
                throw ApkSigningError.io(path: temporaryPath, reason: "write failed: \(String(cString: strerror(errno)))")
            }
            done += result
        }
    }

    /// Renames the finished file over the destination (fsynced first, and the folder after,
    /// when durable).
    func commit() throws {
        try flush()
        if durability == .durable {
            guard fsync(descriptor) == 0 else {
                throw ApkSigningError.io(path: temporaryPath, reason: "fsync failed: \(String(cString: strerror(errno)))")
            }
        }
        guard rename(temporaryPath, destination) == 0 else {
            throw ApkSigningError.io(path: destination, reason: "cannot rename the finished file into place: \(String(cString: strerror(errno)))")
        }
        committed = true
        if durability == .durable {
            let folder = URL(fileURLWithPath: destination).deletingLastPathComponent().path
            let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if folderDescriptor >= 0 {
                fsync(folderDescriptor)
                close(folderDescriptor)
            }
        }
    }
}

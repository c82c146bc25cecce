import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so a reader sees either the old content or the new, never a mix: the bytes go
/// to a temp file in the same folder, which is synced, renamed over the destination, and the
/// folder synced so the rename itself survives a crash.
public enum AtomicFile {
    /// Private keys, passwords, passphrases.
    public static let secretPermissions: mode_t = 0o600
    /// Everything else the workspace keeps.
    public static let defaultPermissions: mode_t = 0o644

    public static func write(_ bytes: Data, to destination: URL,
                             permissions: mode_t = defaultPermissions) throws(WorkspaceError) {
        let writer = try AtomicFileWriter(destination: destination, permissions: permissions)
        try writer.write(bytes)
        try writer.commit()
    }

    /// Streams a large output: `produce` writes through the writer; the destination appears
    /// only if `produce` returns, and any error leaves no temp file behind.
    public static func write(to destination: URL, permissions: mode_t = defaultPermissions,
                             _ produce: (AtomicFileWriter) throws -> Void) throws {
        let writer = try AtomicFileWriter(destination: destination, permissions: permissions)
        try produce(writer)
        try writer.commit()
    }

    /// Syncs a folder so that entries created or renamed in it are durable.
    public static func syncDirectory(_ directory: URL) throws(WorkspaceError) {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .writeFailed(path: directory.path, operation: "open folder", reason: WorkspaceError.reason(errno: errno))
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw .writeFailed(path: directory.path, operation: "fsync folder", reason: WorkspaceError.reason(errno: errno))
        }
    }
}

/// One pending atomic write. Dropping it without `commit()` removes the temp file.
public final class AtomicFileWriter {
    public let destination: URL
    let temporary: URL
    private var descriptor: Int32
    private var committed = false

    init(destination: URL, permissions: mode_t) throws(WorkspaceError) {
        self.destination = destination
        let folder = destination.deletingLastPathComponent()
        let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
        temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(suffix)")
        descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            throw .writeFailed(path: destination.path, operation: "create temp file", reason: WorkspaceError.reason(errno: errno))
        }
        // The umask must not widen or narrow what the caller asked for (0600 stays 0600).
        guard fchmod(descriptor, permissions) == 0 else {
            let reason = WorkspaceError.reason(errno: errno)
            discard()
            throw .writeFailed(path: destination.path, operation: "chmod", reason: reason)
        }
    }

    public func write(_ bytes: Data) throws(WorkspaceError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            failure = writeAll(buffer)
        }
        if failure != 0 {
            throw .writeFailed(path: destination.path, operation: "write", reason: WorkspaceError.reason(errno: failure))
        }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) throws(WorkspaceError) {
        let failure = writeAll(buffer)
        if failure != 0 {
            throw .writeFailed(path: destination.path, operation: "write", reason: WorkspaceError.reason(errno: failure))
        }
    }

    /// Returns 0 or the errno of the failed write; retries short writes and EINTR.
    private func writeAll(_ buffer: UnsafeRawBufferPointer) -> Int32 {
        guard var cursor = buffer.baseAddress else { return 0 }
        var remaining = buffer.count
        while remaining > 0 {
            let written = Glibc.write(descriptor, cursor, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if written == 0 { return EIO }
            cursor += written
            remaining -= written
        }
        return 0
    }

    /// fsync, rename over the destination, fsync the folder.
    public func commit() throws(WorkspaceError) {
        precondition(!committed, "AtomicFileWriter committed twice")
        guard fsync(descriptor) == 0 else {
            let reason = WorkspaceError.reason(errno: errno)
            discard()
            throw .writeFailed(path: destination.path, operation: "fsync", reason: reason)
        }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            let reason = WorkspaceError.reason(errno: errno)
            discard()
            throw .writeFailed(path: destination.path, operation: "close", reason: reason)
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = WorkspaceError.reason(errno: errno)
            discard()
            throw .writeFailed(path: destination.path, operation: "rename", reason: reason)
        }
        committed = true
        try AtomicFile.syncDirectory(destination.deletingLastPathComponent())
    }

    private func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporary.path)
    }

    deinit {
        if !committed { discard() }
    }
}

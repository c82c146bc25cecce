import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (`flock`) on a file. Each instance opens its own file
/// description, so it excludes other processes and other threads of this process alike.
/// The lock is released when the value is dropped (the descriptor is closed).
public final class FileLock {
    public let path: String
    private let descriptor: Int32

    /// Blocks until the lock is held.
    public init(path: String) throws(WorkspaceError) {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .lockFailed(path: path, reason: WorkspaceError.reason(errno: errno))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = WorkspaceError.reason(errno: errno)
            close(descriptor)
            throw .lockFailed(path: path, reason: reason)
        }
    }

    deinit {
        // Closing the last descriptor of the open file description releases the flock.
        close(descriptor)
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `build.log`: one JSON object per line, appended with O_APPEND and one write per line so a
/// reader following the file never sees half a line from a writer that is still running.
public final class BuildLog: @unchecked Sendable {
    public static let fileName = "build.log"
    public let url: URL
    private let descriptor: Int32
    private let lock = NSLock()
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(BuildLog.timeText(date))
        }
        return encoder
    }()

    public init(url: URL) throws(WorkspaceError) {
        self.url = url
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .writeFailed(path: url.path, operation: "open log", reason: String(cString: strerror(errno)))
        }
    }

    /// Appends one entry. A failing log write must not fail the build it describes, so the
    /// first failure is remembered for the report instead of thrown.
    public func append(_ entry: LogEntry) {
        guard var line = try? encoder.encode(entry) else { return }
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 {
                    if writeFailure == nil { writeFailure = String(cString: strerror(errno)) }
                    return
                }
                offset += written
            }
        }
    }

    /// The reason the first log write failed, if one did.
    public private(set) var writeFailure: String?

    public func sync() { _ = fsync(descriptor) }

    deinit { close(descriptor) }

    /// Milliseconds matter in a log: `2026-12-03T12:00:00.123Z`.
    static func timeText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Parses build.log lines; lines that are not entries (a torn last line) are skipped.
    public static func parse(_ data: Data) -> [LogEntry] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = formatter.date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad time"))
            }
            return date
        }
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(LogEntry.self, from: Data($0)) }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one JSON dialect of every workspace file: pretty, sorted keys (stable diffs),
/// unescaped slashes, ISO-8601 dates in whole seconds, and a trailing newline.
public enum WorkspaceJSON {
    /// Workspace files are small records; anything larger is treated as corrupt rather than loaded.
    public static let maximumFileSize = 256 * 1024 * 1024

    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// `date` cut to whole seconds, so what is stored reads back equal.
    public static func timestamp(_ date: Date = Date()) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    public static func encode<T: Encodable>(_ value: T, path: String) throws(WorkspaceError) -> Data {
        do {
            var data = try makeEncoder().encode(value)
            data.append(0x0A)
            return data
        } catch {
            throw .writeFailed(path: path, operation: "encode JSON", reason: "\(error)")
        }
    }

    /// Writes `value` atomically.
    public static func write<T: Encodable>(_ value: T, to url: URL,
                                           permissions: mode_t = AtomicFile.defaultPermissions) throws(WorkspaceError) {
        try AtomicFile.write(encode(value, path: url.path), to: url, permissions: permissions)
    }

    /// Reads and decodes a file; a missing file is an error.
    public static func read<T: Decodable>(_ type: T.Type, from url: URL) throws(WorkspaceError) -> T {
        guard let value = try readIfPresent(type, from: url) else {
            throw .unreadable(path: url.path, reason: "no such file")
        }
        return value
    }

    /// Reads and decodes a file, or nil when it does not exist.
    public static func readIfPresent<T: Decodable>(_ type: T.Type, from url: URL) throws(WorkspaceError) -> T? {
        guard let data = try readBytesIfPresent(url) else { return nil }
        do {
            return try makeDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw .corrupted(path: url.path, reason: describe(error))
        } catch {
            throw .corrupted(path: url.path, reason: "\(error)")
        }
    }

    /// The bytes of a file, nil when it does not exist, bounded by `maximumFileSize`.
    public static func readBytesIfPresent(_ url: URL, limit: Int = maximumFileSize) throws(WorkspaceError) -> Data? {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw .unreadable(path: url.path, reason: WorkspaceError.reason(errno: errno))
        }
        defer { close(descriptor) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: url.path, reason: WorkspaceError.reason(errno: errno))
            }
            if count == 0 { break }
            guard data.count + count <= limit else {
                throw .corrupted(path: url.path, reason: "larger than \(limit) bytes")
            }
            data.append(contentsOf: chunk[0..<count])
        }
        return data
    }

    /// A decoding error as one line naming the key path, not Foundation's debug dump.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
        }
        switch error {
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case let .keyNotFound(key, context):
            return "missing '\(key.stringValue)' in \(path(context.codingPath))"
        case let .typeMismatch(_, context):
            return "\(path(context.codingPath)) has the wrong type: \(context.debugDescription)"
        case let .valueNotFound(_, context):
            return "\(path(context.codingPath)) is null"
        @unknown default:
            return "\(error)"
        }
    }
}

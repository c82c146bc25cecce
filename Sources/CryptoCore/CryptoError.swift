import COpenSSL
import CAppsealShim

/// A failed cryptographic operation: what was attempted and every reason OpenSSL queued.
///
/// The text never contains secret material: reasons come from OpenSSL's error strings
/// (which name algorithms and structures, not values) or from appseal's own messages.
/// Errors compare by `code` and `operation` only, so tests need not match OpenSSL's wording.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The bytes or text given are not what the operation reads (bad DER/PEM, wrong length).
        case invalidInput
        /// A password or passphrase did not open the container.
        case wrongPassword
        /// A signature, MAC, tag or chain did not verify.
        case verificationFailed
        /// The input is well formed but uses something appseal does not handle.
        case unsupported
        /// OpenSSL failed where the input was not at fault (allocation, provider, RNG).
        case library
    }

    public let code: Code
    /// The operation, e.g. "PKCS12 parse" or "certificate sign".
    public let operation: String
    /// Every reason, oldest first.
    public let reasons: [String]

    public init(_ code: Code, operation: String, reasons: [String]) {
        self.code = code
        self.operation = operation
        self.reasons = reasons
    }

    public var description: String {
        reasons.isEmpty ? operation : "\(operation): \(reasons.joined(separator: "; "))"
    }

    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool {
        lhs.code == rhs.code && lhs.operation == rhs.operation
    }

    /// Drains OpenSSL's whole error queue into one error, adding `message` (appseal's own) first.
    static func drainingQueue(_ code: Code, operation: String, message: String? = nil) -> CryptoError {
        var reasons: [String] = message.map { [$0] } ?? []
        reasons.append(contentsOf: OpenSSLErrorQueue.drain())
        if reasons.isEmpty { reasons = ["unknown OpenSSL failure"] }
        return CryptoError(code, operation: operation, reasons: reasons)
    }

    static func invalid(_ operation: String, _ message: String) -> CryptoError {
        OpenSSLErrorQueue.clear()
        return CryptoError(.invalidInput, operation: operation, reasons: [message])
    }
}

enum OpenSSLErrorQueue {
    /// Empties the thread's queue so an operation reports only its own failures.
    static func clear() { ERR_clear_error() }

    /// Every queued error as "library: reason (detail)", oldest first; the queue is left empty.
    static func drain() -> [String] {
        var reasons: [String] = []
        while true {
            var file: UnsafePointer<CChar>?
            var line: Int32 = 0
            var function: UnsafePointer<CChar>?
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(&file, &line, &function, &data, &flags)
            if code == 0 { break }
            var text: String
            if let reason = ERR_reason_error_string(code) {
                text = String(cString: reason)
            } else {
                text = "error 0x" + String(code, radix: 16)
            }
            if let library = ERR_lib_error_string(code) {
                text = "\(String(cString: library)): \(text)"
            }
            if let data, flags & ERR_TXT_STRING != 0 {
                let detail = String(cString: data)
                if !detail.isEmpty { text += " (\(detail))" }
            }
            if reasons.last != text { reasons.append(text) }
        }
        return reasons
    }
}

/// Throws the drained queue unless `result` is OpenSSL's success value (1 or positive).
@inline(__always)
func check(_ result: Int32, _ operation: String, _ code: CryptoError.Code = .library) throws {
    if result <= 0 { throw CryptoError.drainingQueue(code, operation: operation) }
}

/// Unwraps a pointer OpenSSL returned, throwing the drained queue when it is NULL.
@inline(__always)
func require<T>(_ pointer: T?, _ operation: String, _ code: CryptoError.Code = .library) throws -> T {
    guard let pointer else { throw CryptoError.drainingQueue(code, operation: operation) }
    return pointer
}

import COpenSSL
import CAppsealShim
import Foundation

/// Owns one memory BIO: either a read-only view of bytes (kept alive by the owner) or a growable sink.
final class MemoryBIO {
    let pointer: OpaquePointer
    /// The bytes a read-only BIO points into; held so they outlive the BIO.
    private let source: UnsafeMutableRawBufferPointer?

    /// A BIO reading a private copy of `bytes`.
    init(reading bytes: Data, operation: String) throws {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        _ = bytes.copyBytes(to: copy.bindMemory(to: UInt8.self))
        guard let count = Int32(exactly: bytes.count),
              let bio = BIO_new_mem_buf(copy.baseAddress, count) else {
            copy.deallocate()
            throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "input of \(bytes.count) bytes cannot be read")
        }
        source = copy
        pointer = bio
    }

    /// An empty BIO that collects what OpenSSL writes.
    init(operation: String) throws {
        pointer = try require(BIO_new(BIO_s_mem()), operation)
        source = nil
    }

    /// What has been written so far.
    var contents: Data {
        var start: UnsafeMutablePointer<CChar>?
        let length = appseal_BIO_get_mem_data(pointer, &start)
        guard let start, length > 0 else { return Data() }
        return Data(bytes: start, count: Int(length))
    }

    /// Bytes still unread in a reading BIO (used to reject trailing data).
    var pendingCount: Int { Int(BIO_ctrl_pending(pointer)) }

    deinit {
        BIO_free(pointer)
        if let source {
            source.initializeMemory(as: UInt8.self, repeating: 0)
            source.deallocate()
        }
    }
}

/// Runs an i2d-style writer into a memory BIO and returns the bytes.
func writeToData(_ operation: String, _ body: (OpaquePointer) -> Int32) throws -> Data {
    OpenSSLErrorQueue.clear()
    let bio = try MemoryBIO(operation: operation)
    try check(body(bio.pointer), operation)
    return bio.contents
}

/// Runs an i2d function (`int i2d_X(const X *, unsigned char **)`) and returns its DER.
func derEncoding(_ operation: String, _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> Data {
    OpenSSLErrorQueue.clear()
    var buffer: UnsafeMutablePointer<UInt8>?
    let length = encode(&buffer)
    guard length > 0, let buffer else { throw CryptoError.drainingQueue(.library, operation: operation) }
    defer { appseal_OPENSSL_free(buffer) }
    return Data(bytes: buffer, count: Int(length))
}

/// Runs a d2i function over all of `der`, rejecting trailing bytes (the decoded value is freed then).
func decodeDER<T>(_ der: Data, _ operation: String,
                  decode: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> T?,
                  free: (T) -> Void) throws -> T {
    OpenSSLErrorQueue.clear()
    guard !der.isEmpty else { throw CryptoError.invalid(operation, "no bytes") }
    return try der.withUnsafeBytes { raw -> T in
        let base = raw.bindMemory(to: UInt8.self).baseAddress!
        var cursor: UnsafePointer<UInt8>? = base
        guard let value = decode(&cursor, der.count) else {
            throw CryptoError.drainingQueue(.invalidInput, operation: operation, message: "not valid DER")
        }
        let consumed = cursor.map { $0 - base } ?? 0
        guard consumed == der.count else {
            free(value)
            throw CryptoError.invalid(operation, "\(der.count - consumed) bytes of trailing data after offset \(consumed)")
        }
        return value
    }
}

import CAppsealShim
import CZlib
import Foundation

/// Compresses the three small v1 signature files the way apksigner does (raw deflate, level 9,
/// zlib's default memory level and strategy), so our output matches its bytes. ArchiveKit's
/// deflater is internal to that module, and these entries are built in memory, so this is the
/// one place AndroidPackage talks to zlib directly.
enum SignatureEntryDeflate {
    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard appseal_deflateInit2(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK else {
            throw ApkSigningError.io(path: "zlib", reason: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 64
        var output = [UInt8](repeating: 0, count: bound)
        var mutableInput = input
        let status: Int32 = mutableInput.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw ApkSigningError.io(path: "zlib", reason: "deflate did not finish (status \(status))")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    static func crc32(of input: [UInt8]) -> UInt32 {
        input.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }
}

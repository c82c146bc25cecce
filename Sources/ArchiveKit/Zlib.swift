import CAppsealShim
import CZlib

/// CRC-32 (ISO-HDLC, the ZIP one) through zlib's table-driven implementation.
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var pointer = base.assumingMemoryBound(to: UInt8.self)
        var left = buffer.count
        // zlib's length is a 32-bit uInt: feed huge buffers in slices.
        while left > 0 {
            let slice = min(left, 1 << 30)
            value = UInt32(truncatingIfNeeded: crc32(uLong(value), pointer, uInt(slice)))
            pointer += slice
            left -= slice
        }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc.value
    }
}

/// Owns one raw-deflate decompression stream (zlib `inflate` with -15 window bits: no zlib header).
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws(ZipError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = appseal_inflateInit2(stream, -MAX_WBITS)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZipError(.io, "zlib inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    enum Step {
        case needsInput
        case produced(Int)
        case finished(Int)
    }

    var pendingInput: Int { Int(stream.pointee.avail_in) }

    func supply(_ input: UnsafeRawBufferPointer) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
    }

    /// Inflates as much as fits into `output`; says how many bytes were written and whether the stream ended.
    func inflate(into output: UnsafeMutableRawBufferPointer) throws(ZipError) -> Step {
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let inputBefore = stream.pointee.avail_in
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_STREAM_END:
            return .finished(produced)
        case Z_OK:
            return .produced(produced)
        case Z_BUF_ERROR:
            // No progress was possible: zlib wants more input than it has.
            if produced == 0, stream.pointee.avail_in == inputBefore, inputBefore > 0 {
                throw ZipError(.corruptData, "deflate stream made no progress")
            }
            return produced > 0 ? .produced(produced) : .needsInput
        default:
            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw ZipError(.corruptData, "deflate data is damaged: \(reason)")
        }
    }
}

/// Owns one raw-deflate compression stream.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int) throws(ZipError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = appseal_deflateInit2(stream, Int32(level), Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZipError(.invalidRequest, "zlib deflateInit2 failed for level \(level) (\(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` (all of it) and hands every full or final output chunk to `sink`.
    func compress(_ input: UnsafeRawBufferPointer, finish: Bool, scratch: UnsafeMutableRawBufferPointer,
                  sink: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        while true {
            stream.pointee.next_out = scratch.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(scratch.count)
            let status = deflate(stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw ZipError(.io, "zlib deflate failed (\(status))")
            }
            let produced = scratch.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: scratch[0..<produced])) }
            if finish {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return
            }
        }
    }
}

import CAppsealShim
import CZlib
import ArchiveKit
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

/// Reads an entry's uncompressed bytes for digests. Stored and deflated entries go through
/// ArchiveKit (CRC-checked); Android and apksig inflate any method other than stored, so an
/// entry with an unknown method number is inflated here from its raw bytes the same way.
enum EntryContent {
    static func stream(_ entry: ZipEntry, in archive: ZipArchive, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard case .other = entry.method else {
            try archive.stream(entry, body)
            return
        }
        var stream = z_stream()
        guard appseal_inflateInit2(&stream, -15) == Z_OK else {
            throw ApkSigningError.entry(name: entry.name, reason: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { output.deallocate() }
        var produced: UInt64 = 0
        var finished = false
        try archive.streamRaw(entry) { raw in
            guard !finished, let base = raw.baseAddress else { return }
            stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(raw.count)
            while stream.avail_in > 0, !finished {
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(output.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw ApkSigningError.entry(name: entry.name, reason: "\(entry.method) data does not inflate (zlib status \(status))")
                }
                let count = output.count - Int(stream.avail_out)
                produced += UInt64(count)
                guard produced <= entry.uncompressedSize else {
                    throw ApkSigningError.entry(name: entry.name, reason: "inflates to more than the declared \(entry.uncompressedSize) bytes")
                }
                try body(UnsafeRawBufferPointer(rebasing: output[0..<count]))
                if status == Z_STREAM_END { finished = true }
            }
        }
        guard finished, produced == entry.uncompressedSize else {
            throw ApkSigningError.entry(name: entry.name, reason: "inflated \(produced) bytes, the directory says \(entry.uncompressedSize)")
        }
    }

    static func readData(_ entry: ZipEntry, in archive: ZipArchive, limit: Int) throws -> [UInt8] {
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw ApkSigningError.entry(name: entry.name, reason: "\(entry.uncompressedSize) bytes is too large here")
        }
        var data: [UInt8] = []
        data.reserveCapacity(Int(entry.uncompressedSize))
        do {
            try stream(entry, in: archive) { data.append(contentsOf: $0) }
        } catch let error as ApkSigningError {
            throw error
        } catch {
            throw ApkSigningError.entry(name: entry.name, reason: "\(error)")
        }
        return data
    }
}

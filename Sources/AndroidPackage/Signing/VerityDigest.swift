import Foundation

/// VERITY_CHUNKED_SHA256: the root of an fs-verity style Merkle tree over the same data as the
/// chunked digests (entries, central directory, end record pointing at the signing block),
/// followed by that data's length as a little-endian int64. Each 4 KiB page (the last one
/// zero-padded) is hashed as SHA-256(8 zero salt bytes || page); each level's hashes, padded
/// to whole pages, are hashed the same way until one page remains, whose salted hash is the root.
enum VerityDigest {
    static let pageSize = 4096
    static let salt = [UInt8](repeating: 0, count: 8)

    static func compute(sections: [ContentDigester.Section]) throws -> [UInt8] {
        var level: [UInt8] = []
        var page = [UInt8]()
        page.reserveCapacity(pageSize)
        var total = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ContentDigester.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        for section in sections {
            var offset = 0
            while offset < section.length {
                let count = min(buffer.count, section.length - offset)
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                switch section {
                case let .file(_, read): try read(slice, offset)
                case let .bytes(bytes):
                    bytes.withUnsafeBytes { slice.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
                }
                let view = UnsafeRawBufferPointer(slice)
                var index = 0
                while index < count {
                    let take = min(pageSize - page.count, count - index)
                    page.append(contentsOf: view[index..<(index + take)])
                    index += take
                    if page.count == pageSize {
                        level += hashPage(page)
                        page.removeAll(keepingCapacity: true)
                    }
                }
                offset += count
                total += count
            }
        }
        if !page.isEmpty || total == 0 { level += hashPage(page) }
        while level.count > pageSize {
            var next: [UInt8] = []
            var start = 0
            while start < level.count {
                next += hashPage(Array(level[start..<min(start + pageSize, level.count)]))
                start += pageSize
            }
            level = next
        }
        var result = hashPage(level)
        var length = LittleEndianWriter()
        length.uint64(UInt64(total))
        result += length.bytes
        return result
    }

    private static func hashPage(_ bytes: [UInt8]) -> [UInt8] {
        let hasher = Hashing.hasher(.sha256)
        hasher.update(salt)
        hasher.update(bytes)
        if bytes.count < pageSize { hasher.update([UInt8](repeating: 0, count: pageSize - bytes.count)) }
        return hasher.finalize()
    }
}

import Foundation

/// How stored (uncompressed) entries are aligned while they are copied.
public enum ApkAlignment: Sendable, Equatable, Codable {
    /// Every stored entry's data on a 4-byte boundary and stored `.so` files on
    /// `nativeLibraryPageSize` (16 KiB suits Android 15's 16 KiB pages and also passes
    /// `zipalign -c -p 4`). Entries are re-aligned with the 0xD935 extra field.
    case align(nativeLibraryPageSize: Int)
    /// Exactly what apksigner does: keep each entry's alignment as it was in the input (an
    /// unaligned entry stays unaligned), re-aligning moved entries to their declared 0xD935
    /// multiple, or 4 (4096 for `.so`). Reproduces apksigner's output byte for byte.
    case apksignerCompatible
    /// Copy local headers unchanged.
    case none

    public static let `default` = ApkAlignment.align(nativeLibraryPageSize: 16384)
}

/// The 0xD935 extra field apksigner and zipalign -a write: uint16 alignment multiple followed
/// by zero padding, so the data after the local header starts on that multiple.
enum AlignmentExtraField {
    static let headerId: UInt16 = 0xD935
    /// Header (4) plus the alignment multiple (2).
    static let minimumSize = 6
    static let commonPageSize = 4096

    /// The multiple an entry declares in its 0xD935 field, if any.
    static func declaredMultiple(in extra: [UInt8]) -> Int? {
        var index = 0
        while extra.count - index >= 4 {
            let id = UInt16(extra[index]) | UInt16(extra[index + 1]) << 8
            let size = Int(UInt16(extra[index + 2]) | UInt16(extra[index + 3]) << 8)
            index += 4
            guard size <= extra.count - index else { return nil }
            if id == headerId {
                guard size >= 2 else { return nil }
                return Int(UInt16(extra[index]) | UInt16(extra[index + 1]) << 8)
            }
            index += size
        }
        return nil
    }

    /// A new extra field: every existing field except old alignment padding (id 0 size 0, or
    /// 0xD935), then a 0xD935 field sized so data starting after it is aligned.
    /// `extraStart` is the file offset where the extra field will begin.
    static func realigned(_ original: [UInt8], extraStart: Int, multiple: Int) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while original.count - index >= 4 {
            let id = UInt16(original[index]) | UInt16(original[index + 1]) << 8
            let size = Int(UInt16(original[index + 2]) | UInt16(original[index + 3]) << 8)
            guard size <= original.count - index - 4 else { break }
            if !(id == 0 && size == 0) && id != headerId {
                result += original[index..<(index + 4 + size)]
            }
            index += 4 + size
        }
        let dataMinimumStart = extraStart + result.count + minimumSize
        let padding = (multiple - dataMinimumStart % multiple) % multiple
        var writer = LittleEndianWriter()
        writer.uint16(headerId)
        writer.uint16(UInt16(2 + padding))
        writer.uint16(UInt16(multiple))
        writer.zeros(padding)
        return result + writer.bytes
    }

    /// The extra field an entry gets in the output, or nil to keep its local header as it is.
    /// - Parameters:
    ///   - inputHeaderOffset/outputHeaderOffset: where the local header is in input and output.
    ///   - headerSizeBeforeExtra: 30 + name length.
    static func outputExtra(policy: ApkAlignment, isStored: Bool, name: String, extra: [UInt8],
                            inputHeaderOffset: Int, outputHeaderOffset: Int, headerSizeBeforeExtra: Int) -> [UInt8]? {
        guard isStored else { return nil }
        switch policy {
        case .none:
            return nil
        case .apksignerCompatible:
            let multiple = declaredMultiple(in: extra) ?? (name.hasSuffix(".so") ? commonPageSize : 4)
            guard multiple > 1, inputHeaderOffset % multiple != outputHeaderOffset % multiple else { return nil }
            let inputDataStart = inputHeaderOffset + headerSizeBeforeExtra + extra.count
            guard inputDataStart % multiple == 0 else { return nil }
            return realigned(extra, extraStart: outputHeaderOffset + headerSizeBeforeExtra, multiple: multiple)
        case let .align(pageSize):
            let multiple = name.hasSuffix(".so") ? pageSize : 4
            let outputDataStart = outputHeaderOffset + headerSizeBeforeExtra + extra.count
            guard outputDataStart % multiple != 0 else { return nil }
            return realigned(extra, extraStart: outputHeaderOffset + headerSizeBeforeExtra, multiple: multiple)
        }
    }
}

import Foundation
import CZlib

/// A hand-rolled ZIP builder for the malformed-archive suite: every field can be set to a lie,
/// which the real writer (rightly) refuses to do.
struct TestZip {
    struct Entry {
        var name: [UInt8]
        var data: [UInt8]
        var method: UInt16 = 0
        var flags: UInt16 = 0
        /// Bytes stored for the entry; computed from `data` and `method` when nil.
        var stored: [UInt8]? = nil
        var crc: UInt32? = nil
        var declaredUncompressed: UInt32? = nil
        var localName: [UInt8]? = nil
        var localMethod: UInt16? = nil
        var localFlags: UInt16? = nil
        var centralOffset: UInt32? = nil
        /// Sets flag bit 3, zeroes the local CRC and sizes and writes a data descriptor after the data.
        var descriptor: DescriptorStyle? = nil

        enum DescriptorStyle { case withSignature, withoutSignature }

        init(_ name: String, _ data: [UInt8], method: UInt16 = 0) {
            self.name = Array(name.utf8)
            self.data = data
            self.method = method
        }
    }

    var entries: [Entry]
    /// Raw bytes inserted between the last entry and the central directory.
    var beforeDirectory: [UInt8] = []
    var declaredCount: UInt16? = nil
    var comment: [UInt8] = []
    var trailing: [UInt8] = []

    init(_ entries: [Entry]) { self.entries = entries }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    static func rawDeflate(_ bytes: [UInt8]) -> [UInt8] {
        let script = "import sys, zlib\nc = zlib.compressobj(9, zlib.DEFLATED, -15)\nsys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try! process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try! input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(result)
    }

    /// The archive bytes, plus where each local header landed.
    func build() -> (bytes: [UInt8], offsets: [Int]) {
        var out: [UInt8] = []
        var central: [UInt8] = []
        var offsets: [Int] = []
        for entry in entries {
            let stored = entry.stored ?? (entry.method == 8 ? TestZip.rawDeflate(entry.data) : entry.data)
            let crc = entry.crc ?? TestZip.crc(entry.data)
            let uncompressed = entry.declaredUncompressed ?? UInt32(entry.data.count)
            let offset = out.count
            offsets.append(offset)
            let localName = entry.localName ?? entry.name
            let flags = entry.descriptor == nil ? entry.flags : entry.flags | 0x0008
            let hidden = entry.descriptor != nil
            out.le32(0x0403_4B50); out.le16(20); out.le16(entry.localFlags ?? flags)
            out.le16(entry.localMethod ?? entry.method); out.le16(0); out.le16(0x21)
            out.le32(hidden ? 0 : crc); out.le32(hidden ? 0 : UInt32(stored.count)); out.le32(hidden ? 0 : uncompressed)
            out.le16(UInt16(localName.count)); out.le16(0)
            out += localName
            out += stored
            if let style = entry.descriptor {
                if style == .withSignature { out.le32(0x0807_4B50) }
                out.le32(crc); out.le32(UInt32(stored.count)); out.le32(uncompressed)
            }
            central.le32(0x0201_4B50); central.le16(0x031E); central.le16(20); central.le16(flags)
            central.le16(entry.method); central.le16(0); central.le16(0x21)
            central.le32(crc); central.le32(UInt32(stored.count)); central.le32(uncompressed)
            central.le16(UInt16(entry.name.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0)
            central.le32(0o100644 << 16); central.le32(entry.centralOffset ?? UInt32(offset))
            central += entry.name
        }
        out += beforeDirectory
        let directoryOffset = out.count
        out += central
        let count = declaredCount ?? UInt16(entries.count)
        out.le32(0x0605_4B50); out.le16(0); out.le16(0); out.le16(count); out.le16(count)
        out.le32(UInt32(central.count)); out.le32(UInt32(directoryOffset)); out.le16(UInt16(comment.count))
        out += comment
        out += trailing
        return (out, offsets)
    }
}

extension Array where Element == UInt8 {
    mutating func le16(_ value: UInt16) { append(UInt8(value & 0xFF)); append(UInt8(value >> 8)) }
    mutating func le32(_ value: UInt32) { for shift in [0, 8, 16, 24] { append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
    mutating func le64(_ value: UInt64) { le32(UInt32(value & 0xFFFF_FFFF)); le32(UInt32(value >> 32)) }

    mutating func put16(_ value: UInt16, at index: Int) { self[index] = UInt8(value & 0xFF); self[index + 1] = UInt8(value >> 8) }
    mutating func put32(_ value: UInt32, at index: Int) {
        for (i, shift) in [0, 8, 16, 24].enumerated() { self[index + i] = UInt8((value >> UInt32(shift)) & 0xFF) }
    }

    func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}

import ArchiveKit
import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

// Feeds arbitrary bytes to the ZIP reader as a file: open, list, verify every entry, read the
// signing block; archives it accepts are repacked and the output read back. Any ZipError is an
// expected outcome; a crash, hang or sanitizer report is a bug.

/// The input lives in one unlinked temporary file, rewritten per run and reopened through /proc.
private let inputDescriptor: Int32 = {
    var template = Array("/tmp/fuzz-zip-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    return fd
}()
private let inputPath = "/proc/self/fd/\(inputDescriptor)"

/// Small limits keep each run fast without hiding parser paths.
private let limits = ZipLimits(maxEntries: 4096, maxEntrySize: 1 << 20, maxTotalSize: 8 << 20,
                               maxInMemoryEntrySize: 1 << 20, maxCentralDirectorySize: 1 << 20)

// libFuzzer's driver links against this name; the same function is also handed to it explicitly.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZipReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    precondition(inputDescriptor >= 0, "cannot create the fuzz input file")
    precondition(ftruncate(inputDescriptor, 0) == 0)
    var written = 0
    while written < size {
        let result = pwrite(inputDescriptor, data + written, size - written, off_t(written))
        precondition(result > 0, "pwrite of the fuzz input failed")
        written += result
    }
    guard let archive = try? ZipArchive(path: inputPath, limits: limits) else { return 0 }
    for entry in archive.entries {
        _ = archive.entry(named: entry.name)
        _ = try? archive.readData(entry)
    }
    if let block = archive.signingBlock {
        _ = try? archive.readBytes(at: block.offset, count: Int(min(block.length, 4096)))
    }
    repackAndCompare(archive)
    return 0
}

/// Whatever the reader accepts, the repacker must turn into an archive the reader accepts again,
/// with the same entries; a difference is a writer bug, so it stops the run like a crash.
private func repackAndCompare(_ archive: ZipArchive) {
    guard (try? ArchiveRepacker().repack(archive, to: outputPath)) != nil else { return }
    defer { unlink(outputPath) }
    let output: ZipArchive
    do {
        output = try ZipArchive(path: outputPath, limits: limits)
    } catch {
        fatalError("repacked output does not open: \(error)")
    }
    precondition(output.entries.count == archive.entries.count, "repack changed the entry count")
    for (before, after) in zip(archive.entries, output.entries) {
        precondition(before.rawName == after.rawName && before.crc32 == after.crc32
                     && before.compressedSize == after.compressedSize && before.uncompressedSize == after.uncompressedSize
                     && before.method == after.method, "repack changed entry '\(before.name)'")
        precondition(after.method != .stored || after.dataOffset % 4 == 0, "stored entry '\(after.name)' not aligned")
    }
}

private let outputPath = "/tmp/fuzz-zip-repack-\(getpid()).zip"

exit(appseal_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzzZipReader(data, size) })

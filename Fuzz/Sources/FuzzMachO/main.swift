import ApplePackage
import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// Feeds arbitrary bytes to the Mach-O reader (fat and thin, load commands, the embedded code
/// signature and its page hashes), to the code-signature reader on its own, and to the
/// provisioning-profile reader (BER CMS envelope). Any ApplePackageError is an expected outcome;
/// a crash, hang or sanitizer report is a bug.
/// swift-corelibs-foundation leaks the CFError it builds when a property list fails to parse
/// (CFPropertyListCreateWithData's error path); that leak is upstream's, so LeakSanitizer ignores
/// only stacks through that function and keeps reporting every other leak.
private let leakSuppressions: StaticString = "leak:CFPropertyListCreateWithData\n"

@_cdecl("__lsan_default_suppressions")
public func lsanDefaultSuppressions() -> UnsafePointer<CChar> {
    UnsafeRawPointer(leakSuppressions.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMachO(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? MachOFile(bytes: bytes) {
        for slice in file.slices { _ = slice.codeSignature?.primaryCodeDirectory }
    }
    _ = try? CodeSignature(bytes: bytes)
    _ = try? ProvisioningProfile(bytes: bytes)
    return 0
}

exit(appseal_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzzMachO(data, size) })

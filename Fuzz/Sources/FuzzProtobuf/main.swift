import AndroidPackage
import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// Feeds arbitrary bytes to the protobuf wire reader through the AAB manifest reader (aapt2's
/// XmlNode). A thrown ProtobufError is an expected outcome; a crash or hang is a bug. Whatever
/// parses must yield manifest facts without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let root = try? ProtoXmlDocument.root(bytes: bytes) {
        _ = AndroidManifestInfo(root: root)
    }
    return 0
}

exit(appseal_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzzProtobuf(data, size) })

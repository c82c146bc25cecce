import AndroidPackage
import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// Feeds arbitrary bytes to the binary XML reader and the resources.arsc reader. A thrown error
/// is an expected outcome. For input that parses, the writer must be stable (writing what it read
/// back gives the same bytes), an edit must produce a document that parses again, and the
/// manifest facts must be derivable; a crash, hang or failed precondition is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAXML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let table = try? ResourceTable(bytes: bytes) {
        for id in [UInt32(0x7f01_0000), 0x7f02_0000, 0x0001_0000] {
            _ = table.name(of: id)
            _ = table.string(for: id)
        }
    }
    guard var document = try? BinaryXMLDocument(bytes: bytes) else { return 0 }
    _ = AndroidManifestInfo(document: document)
    let written = document.encoded()
    guard let reread = try? BinaryXMLDocument(bytes: written) else {
        preconditionFailure("a document that parsed was written into bytes that do not parse")
    }
    precondition(reread.encoded() == written, "writing is not stable")
    if let root = document.root {
        do {
            try document.setAttribute(on: [root.name], .android(AndroidAttribute.usesCleartextTraffic, .boolean(false)))
            try document.appendChild(to: [root.name], NewElement(name: "provider", attributes: [
                .android(AndroidAttribute.name, .string("io.appseal.Fuzz")),
            ]))
            precondition((try? BinaryXMLDocument(bytes: document.encoded())) != nil, "an edited document does not parse")
        } catch {
            // Edits may be refused (styled strings in the resource-map region); that is reported, not a bug.
        }
    }
    return 0
}

exit(appseal_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzzAXML(data, size) })

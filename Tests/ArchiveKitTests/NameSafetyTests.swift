@testable import ArchiveKit
import Testing

/// Entry names are judged by their bytes, as the file system that extracts them sees them.
@Suite("ArchiveKit: unsafe names by their bytes")
struct NameSafetyTests {
    @Test(arguments: [
        ("", "empty"), ("a\u{0}b", "NUL"), ("a\\b", "backslash"), ("/etc/passwd", "absolute"), ("C:/x", "drive letter"),
        ("../x", "'..'"), ("a/../b", "'..'"), ("a/..", "'..'"),
        // A combining mark makes "\\\u{301}" and "/\u{301}" single Characters; the bytes still hold '\' and '/'.
        ("a\\\u{301}b", "backslash"), ("/\u{301}etc/passwd", "absolute"), ("x/\u{301}/../y", "'..'"),
    ])
    func unsafeNamesAreNamed(_ name: String, _ reason: String) {
        #expect(ZipName.unsafeReason(name)?.contains(reason) == true, "\(name.debugDescription)")
    }

    @Test(arguments: ["classes.dex", "res/a..b.xml", "a/.../b", "..x/y", "x/..\u{301}/y", "é/ü.png", "a/./b", "lib/arm64-v8a/libx.so"])
    func safeNamesPass(_ name: String) {
        #expect(ZipName.unsafeReason(name) == nil, "\(name.debugDescription)")
    }
}

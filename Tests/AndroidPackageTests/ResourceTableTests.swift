import Foundation
import Testing
import TestSupport
@testable import AndroidPackage

@Suite("resources.arsc")
struct ResourceTableTests {
    @Test("every fixture table indexes and names its strings", .needsFixtures,
          arguments: Fixtures.available ? Fixtures.files(under: "other/arsc").map(Fixtures.relativePath) : [])
    func fixtureTables(name: String) throws {
        let table = try ResourceTable(bytes: Array(try Fixtures.data(name)))
        #expect(!table.packageNames.isEmpty)
    }

    /// Cross-checks against `aapt dump resources`: every `spec resource 0x… pkg:type/name` line.
    @Test("names and string values agree with aapt dump resources", .needsFixtures,
          arguments: ["apk/apps/a2dp.Vol_137.apk", "apk/apps/apktool-sparse.apk", "apk/apps/com.politedroid_6.apk"])
    func agreesWithAapt(apk: String) throws {
        let dump = try ProcessRunner.run("aapt", ["dump", "--values", "resources", Fixtures.url(apk).path])
        try #require(dump.succeeded, "\(dump.stderr)")
        let arsc = try ProcessRunner.run("unzip", ["-p", Fixtures.url(apk).path, "resources.arsc"])
        let table = try ResourceTable(bytes: Array(arsc.stdoutData))
        var checkedNames = 0
        var checkedStrings = 0
        let lines = dump.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var inDefaultConfig = false
        var currentResource: UInt32?
        for line in lines {
            if line.hasPrefix("config ") { inDefaultConfig = line.hasPrefix("config (default)") }
            if line.hasPrefix("spec resource 0x") {
                let parts = line.split(separator: " ")
                let id = UInt32(parts[2].dropFirst(2), radix: 16)!
                let qualified = parts[3].dropLast()  // "pkg:type/name:" without the colon
                let expected = qualified.split(separator: ":", maxSplits: 1).last.map(String.init)
                #expect(table.name(of: id) == expected, "0x\(String(id, radix: 16))")
                checkedNames += 1
            }
            if line.hasPrefix("resource 0x") {
                currentResource = UInt32(line.split(separator: " ")[1].dropFirst(2), radix: 16)
            }
            // A string value in the default configuration: (string8) "text" or (string16) "text".
            if inDefaultConfig, let id = currentResource, line.hasPrefix("(string"),
               let open = line.firstIndex(of: "\""), line.hasSuffix("\"") {
                let text = String(line[line.index(after: open)..<line.index(before: line.endIndex)])
                if !text.contains("\\") {
                    #expect(table.string(for: id) == text, "0x\(String(id, radix: 16))")
                    checkedStrings += 1
                }
                currentResource = nil
            }
        }
        #expect(checkedNames > 0)
        #expect(checkedStrings > 0)
    }

    /// Debian's aapt misreads 16-bit entry offsets and compact entries, so these are checked
    /// against the values the apps were built from (the library's strings.xml, the sample's name).
    @Test("16-bit offsets and compact entries", .needsFixtures)
    func newerEntryForms() throws {
        let library = try ResourceTable(bytes: Array(try Fixtures.data("other/arsc/apktool-shared_library-library.resources.arsc")))
        #expect(library.packageNames.map(\.id) == [0])
        #expect(library.name(of: 0x0002_0002) == "string/upgrade_button")
        #expect(library.string(for: 0x0002_0002) == "Upgrade")
        #expect(library.value(of: 0x0003_0000) == .string("res/drawable/size_48x48.jpg"))
        #expect(library.value(of: 0x0001_0000) == .bag)
        let compact = try ResourceTable(bytes: Array(try Fixtures.data("other/arsc/androguard-compact-entry.resources.arsc")))
        #expect(compact.name(of: 0x7f01_0000) == "string/app_name")
        #expect(compact.string(for: 0x7f01_0000) == "erev0s.com-CompactEntry")
        #expect(compact.name(of: 0x7f01_0001) == nil)
    }

    @Test("framework attribute IDs appseal writes are the platform's", .enabled(if: FileManager.default.fileExists(
        atPath: "/usr/share/android-framework-res/framework-res.apk"), "android-framework-res is not installed"))
    func frameworkAttributeIDs() throws {
        let dump = try ProcessRunner.run("aapt", ["dump", "resources", "/usr/share/android-framework-res/framework-res.apk"])
        for (id, name) in AndroidAttribute.names {
            #expect(dump.stdout.contains("spec resource 0x\(hex8(id)) android:attr/\(name):"), "0x\(hex8(id)) \(name)")
        }
    }

    @Test("truncated and foreign tables give typed errors", .needsFixtures)
    func malformed() throws {
        let bytes = Array(try Fixtures.data("other/arsc/androguard-compact-entry.resources.arsc"))
        for length in 0..<bytes.count {
            #expect(throws: ResourceTableError.self) { try ResourceTable(bytes: Array(bytes[0..<length])) }
        }
        #expect(throws: ResourceTableError.malformed(offset: 0, reason: "not a resource table (chunk type 0x3)")) {
            try ResourceTable(bytes: [3, 0, 8, 0, 8, 0, 0, 0])
        }
    }
}

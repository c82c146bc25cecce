import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("CodeResources rules and nested code")
struct CodeResourcesTests {
    static func plist(fileHash: [UInt8], cdhash: [UInt8]) -> [UInt8] {
        func data(_ bytes: [UInt8]) -> String { "<data>\(Data(bytes).base64EncodedString())</data>" }
        return Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <plist version="1.0"><dict>
        <key>files2</key><dict>
          <key>a.png</key><dict><key>hash2</key>\(data(fileHash))</dict>
          <key>en.lproj/Localizable.strings</key><dict><key>hash2</key>\(data(fileHash))<key>optional</key><true/></dict>
          <key>Frameworks/Kit.framework</key><dict><key>cdhash</key>\(data(cdhash))<key>requirement</key><string>anchor apple generic</string></dict>
          <key>gone.txt</key><dict><key>hash2</key>\(data(fileHash))</dict>
        </dict>
        <key>rules2</key><dict>
          <key>^.*</key><true/>
          <key>^Info\\.plist$</key><dict><key>omit</key><true/><key>weight</key><real>20</real></dict>
          <key>^(.*/)?\\.DS_Store$</key><dict><key>omit</key><true/><key>weight</key><real>2000</real></dict>
        </dict>
        </dict></plist>
        """.utf8)
    }

    @Test("files by SHA-256, nested bundles by cdhash, omit rules, optional and missing entries")
    func check() throws {
        let content = Array("png".utf8)
        let cdhash = [UInt8](repeating: 0xab, count: 20)
        let resources = try CodeResources(plist: Self.plist(fileHash: HashAlgorithm.sha256.digest(content), cdhash: cdhash))
        #expect(resources.version == 2)
        let files = ["a.png", "Info.plist", ".DS_Store", "extra.bin", "Frameworks/Kit.framework/Kit",
                     "Frameworks/Kit.framework/Info.plist", "PlugIns/Share.appex/Share", "App", "SC_Info/App.sinf"]
        let seal = try resources.check(
            files: files, excluding: ["App"],
            nestedCDHashes: ["Frameworks/Kit.framework": [cdhash.hexString], "PlugIns/Share.appex": ["00"]],
            digest: { path throws(ApplePackageError) in
                (HashAlgorithm.sha1.digest(content), HashAlgorithm.sha256.digest(path == "a.png" ? content : []), nil)
            })
        #expect(seal.verifiedCount == 1)
        #expect(seal.verifiedNestedCount == 1)
        #expect(seal.unsealed == ["PlugIns/Share.appex", "extra.bin"])
        #expect(seal.missing == ["gone.txt"])
        #expect(seal.modified == [])

        let other = try resources.check(
            files: files, excluding: ["App"], nestedCDHashes: ["Frameworks/Kit.framework": ["cd"]],
            digest: { _ throws(ApplePackageError) in ([], [], nil) })
        #expect(other.modified == ["Frameworks/Kit.framework", "a.png"])
    }

    @Test("a version 1 seal (files/rules, SHA-1 data values) is checked by SHA-1")
    func versionOne() throws {
        let content = Array("hello".utf8)
        let plist = Array("""
        <plist version="1.0"><dict><key>files</key><dict>
        <key>hello.txt</key><data>\(Data(HashAlgorithm.sha1.digest(content)).base64EncodedString())</data>
        </dict><key>rules</key><dict><key>^</key><true/></dict></dict></plist>
        """.utf8)
        let resources = try CodeResources(plist: plist)
        #expect(resources.version == 1)
        let seal = try resources.check(files: ["hello.txt"], excluding: [], nestedCDHashes: [:],
                                       digest: { _ throws(ApplePackageError) in (HashAlgorithm.sha1.digest(content), [], nil) })
        #expect(seal.verifiedCount == 1 && seal.isIntact)
    }
}

import Testing
@testable import ApplePackage

/// Apple's DER entitlements (code-signature slot 7), built here element by element as the format
/// defines them: `[APPLICATION 16] { INTEGER 1, [CONTEXT 16] { SEQUENCE { UTF8String, value } ... } }`.
@Suite("DER entitlements")
struct DEREntitlementsTests {
    static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        let length: [UInt8] = content.count < 0x80 ? [UInt8(content.count)]
            : content.count < 0x100 ? [0x81, UInt8(content.count)] : [0x82, UInt8(content.count >> 8), UInt8(content.count & 0xff)]
        return [tag] + length + content
    }
    static func utf8(_ text: String) -> [UInt8] { element(0x0c, Array(text.utf8)) }
    static func pair(_ key: String, _ value: [UInt8]) -> [UInt8] { element(0x30, utf8(key) + value) }
    static func dictionary(_ pairs: [[UInt8]]) -> [UInt8] { element(0xb0, pairs.flatMap { $0 }) }

    static let sample: [UInt8] = element(0x70, element(0x02, [1]) + dictionary([
        pair("application-identifier", utf8("TEAM.com.example.app")),
        pair("get-task-allow", element(0x01, [0xff])),
        pair("keychain-access-groups", element(0x30, utf8("TEAM.com.example.app") + utf8("TEAM.shared"))),
        pair("com.example.count", element(0x02, [0x01, 0x00])),
        pair("com.example.nested", dictionary([pair("enabled", element(0x01, [0x00]))])),
    ]))

    @Test("a dictionary of strings, booleans, integers, arrays and nested dictionaries")
    func decodes() throws {
        let value = try DEREntitlements.decode(Self.sample, baseOffset: 100)
        #expect(value == .dictionary([
            "application-identifier": .string("TEAM.com.example.app"),
            "get-task-allow": .boolean(true),
            "keychain-access-groups": .array([.string("TEAM.com.example.app"), .string("TEAM.shared")]),
            "com.example.count": .integer(256),
            "com.example.nested": .dictionary(["enabled": .boolean(false)]),
        ]))
    }

    @Test("the same entitlements as an XML plist compare equal, a changed one does not")
    func matchesXML() throws {
        let xml = Array("""
        <plist version="1.0"><dict>
        <key>application-identifier</key><string>TEAM.com.example.app</string>
        <key>get-task-allow</key><true/>
        <key>keychain-access-groups</key><array><string>TEAM.com.example.app</string><string>TEAM.shared</string></array>
        <key>com.example.count</key><integer>256</integer>
        <key>com.example.nested</key><dict><key>enabled</key><false/></dict>
        </dict></plist>
        """.utf8)
        let der = try DEREntitlements.decode(Self.sample, baseOffset: 0)
        #expect(der == .dictionary(try PropertyList.readDictionary(xml)))
        let changed = Array(String(decoding: xml, as: UTF8.self).replacingOccurrences(of: "<true/>", with: "<false/>").utf8)
        #expect(der != .dictionary(try PropertyList.readDictionary(changed)))
    }

    @Test("wrong version, wrong outer tag, a non-string key and every prefix are refused with offsets in the blob")
    func refusesMalformed() {
        let wrongVersion = Self.element(0x70, Self.element(0x02, [2]) + Self.dictionary([]))
        #expect(throws: ApplePackageError.malformed(structure: "DER entitlements", offset: 40, expected: "[APPLICATION 16] { INTEGER 1, dictionary }")) {
            try DEREntitlements.decode(wrongVersion, baseOffset: 40)
        }
        let badKey = Self.element(0x70, Self.element(0x02, [1]) + Self.dictionary([Self.element(0x30, Self.element(0x02, [1]) + Self.utf8("x"))]))
        #expect(throws: ApplePackageError.self) { try DEREntitlements.decode(badKey, baseOffset: 0) }
        for length in 0..<Self.sample.count {
            do {
                _ = try DEREntitlements.decode(Array(Self.sample[0..<length]), baseOffset: 1000)
                Issue.record("accepted a \(length)-byte prefix")
            } catch {
                #expect((error.offset ?? -1) >= 1000 && (error.offset ?? -1) <= 1000 + length, "\(error)")
            }
        }
    }
}

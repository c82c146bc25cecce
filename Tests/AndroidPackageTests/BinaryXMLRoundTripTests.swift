import Foundation
import Testing
import TestSupport
@testable import AndroidPackage

@Suite("Binary XML reading and writing")
struct BinaryXMLRoundTripTests {
    /// Manifests whose header claims more bytes than the file has; the size field is written
    /// back as the real size (Android ignores the field), everything else is unchanged.
    static let normalisedSize: Set<String> = ["other/axml/androguard-AndroidManifestWrongFilesize.xml"]

    @Test("unchanged documents encode to the input", .needsFixtures,
          arguments: ManifestFixtures.accepted)
    func roundTrip(manifest: ManifestFixtures.Manifest) throws {
        let document = try BinaryXMLDocument(bytes: manifest.bytes)
        let encoded = document.encoded()
        if Self.normalisedSize.contains(manifest.name) {
            #expect(encoded.count == manifest.bytes.count)
            #expect(Array(encoded[0..<4]) == Array(manifest.bytes[0..<4]))
            #expect(Array(encoded[4..<8]) == [UInt8](littleEndian: UInt32(manifest.bytes.count)))
            let restIdentical = encoded[8...] == manifest.bytes[8...]
            #expect(restIdentical)
        } else {
            let identical = encoded == manifest.bytes
            #expect(identical, "\(encoded.count) bytes written for \(manifest.bytes.count), first difference at \(firstDifference(encoded, manifest.bytes))")
        }
        #expect(document.root != nil)
    }

    func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }
}

extension [UInt8] {
    init(littleEndian value: UInt32) {
        self = (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}

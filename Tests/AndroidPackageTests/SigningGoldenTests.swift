import AndroidPackage
import Foundation
import Testing
import TestSupport

/// apksigner signing the AOSP golden inputs with rsa-2048 reproduces the golden outputs byte
/// for byte (SOURCES.md); appseal in apksigner-compatible mode must do the same.
/// Not listed: golden-pinsapp-signed.apk (signed with verity digests and a generated
/// pinlist.meta, apksig features appseal does not write) and the verity/no-verity goldens,
/// whose unsigned inputs are not among the fixtures.
@Suite("Signing: byte-exact golden outputs", .needsFixtures)
struct SigningGoldenTests {
    struct Golden: CustomStringConvertible, Sendable {
        let input: String
        let output: String
        let schemes: Set<SignatureScheme>?
        var description: String { output }
    }

    static let goldens: [Golden] = [
        Golden(input: "golden-aligned-in.apk", output: "golden-aligned-v1-out.apk", schemes: [.v1]),
        Golden(input: "golden-aligned-in.apk", output: "golden-aligned-v2-out.apk", schemes: [.v2]),
        Golden(input: "golden-aligned-in.apk", output: "golden-aligned-v3-out.apk", schemes: [.v3]),
        Golden(input: "golden-aligned-in.apk", output: "golden-aligned-v1v2-out.apk", schemes: [.v1, .v2]),
        Golden(input: "golden-aligned-in.apk", output: "golden-aligned-v2v3-out.apk", schemes: [.v2, .v3]),
        Golden(input: "golden-aligned-in.apk", output: "golden-aligned-v1v2v3-out.apk", schemes: nil),
        Golden(input: "golden-unaligned-in.apk", output: "golden-unaligned-v1-out.apk", schemes: [.v1]),
        Golden(input: "golden-unaligned-in.apk", output: "golden-unaligned-v1v2v3-out.apk", schemes: nil),
        Golden(input: "golden-legacy-aligned-in.apk", output: "golden-legacy-aligned-v1v2v3-out.apk", schemes: nil),
    ]

    static func identity() throws -> SigningIdentity {
        try SigningIdentity.load(keyFile: Fixtures.url("other/signing-keys/rsa-2048.pk8").path,
                                 certificateFile: Fixtures.url("other/signing-keys/rsa-2048.x509.pem").path)
    }

    @Test(arguments: goldens)
    func reproducesGoldenOutput(_ golden: Golden) throws {
        let folder = try TemporaryDirectory()
        let output = folder.url.appendingPathComponent("out.apk").path
        let options = ApkSigningOptions(schemes: golden.schemes, alignment: .apksignerCompatible, v1SignerName: "rsa-2048")
        _ = try ApkSigner.sign(input: Fixtures.url("apk/apksig/" + golden.input).path, output: output,
                               identity: try Self.identity(), options: options)
        let produced = try Data(contentsOf: URL(fileURLWithPath: output))
        let expected = try Fixtures.data("apk/apksig/" + golden.output)
        let firstDifference = zip(produced, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(produced == expected,
                "\(golden.output): \(produced.count) bytes vs \(expected.count), first difference at \(firstDifference.map(String.init) ?? "end")")
    }
}

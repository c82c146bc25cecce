import Foundation
import TestSupport

/// The binary manifests the tests run over: every file in other/axml plus the AndroidManifest.xml
/// inside every fixture APK, de-duplicated by content.
enum ManifestFixtures {
    struct Manifest: Sendable, CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        var description: String { name }
    }

    /// Manifests that are malformed on purpose and must be rejected, with the reason.
    static let rejected: Set<String> = [
        "other/axml/androguard-AndroidManifest_StringNotTerminated.xml",
        "other/axml/androguard-AndroidManifest_WrongChunkStart.xml",
        // Byte-identical to StringNotTerminated except for the size field: the same unterminated strings.
        "other/axml/androguard-AndroidManifestWrongFilesize.xml",
    ]

    static let all: [Manifest] = {
        guard Fixtures.available else { return [] }
        var seen = Set<[UInt8]>()
        var found: [Manifest] = []
        func add(_ name: String, _ bytes: [UInt8]) {
            guard !bytes.isEmpty, seen.insert(bytes).inserted else { return }
            found.append(Manifest(name: name, bytes: bytes))
        }
        for file in Fixtures.files(under: "other/axml") {
            add(Fixtures.relativePath(file), Array((try? Data(contentsOf: file)) ?? Data()))
        }
        for file in Fixtures.files(under: "apk", extensions: ["apk"]) {
            guard let result = try? ProcessRunner.run("unzip", ["-p", file.path, "AndroidManifest.xml"]),
                  result.succeeded else { continue }
            add(Fixtures.relativePath(file) + "!AndroidManifest.xml", Array(result.stdoutData))
        }
        return found
    }()

    static var accepted: [Manifest] { all.filter { !rejected.contains($0.name) } }
}

import Testing

extension Trait where Self == ConditionTrait {
    /// Skips, saying why, only when the shared fixtures folder is absent.
    static var needsFixtures: Self { .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)) }
}

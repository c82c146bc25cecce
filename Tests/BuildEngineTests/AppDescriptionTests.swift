import BuildEngine
import Foundation
import Testing
import TestSupport

/// The Upload step's description comes from the same inspectors as `appseal inspect --json`.
@Suite("App description for the console", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct AppDescriptionTests {
    private func engine() throws -> (Engine, TemporaryDirectory) {
        let folder = try TemporaryDirectory(prefix: "appseal-describe")
        return (Engine(workspace: try Workspace.open(at: folder.path("ws"))), folder)
    }

    private func inspectJSON(_ fixture: String) throws -> [String: Any] {
        let result = try ProcessRunner.appseal(["inspect", "--json", Fixtures.url(fixture).path])
        #expect(result.succeeded, "\(result.combined)")
        return try #require(JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
    }

    @Test func androidFrameworksSignaturesAndProblemsMatchInspect() throws {
        let fixture = "apk/apps/apktool-issue1244.apk"
        let (engine, folder) = try engine()
        _ = folder
        let description = try engine.describe(path: Fixtures.url(fixture).path)
        let json = try inspectJSON(fixture)
        let frameworks = try #require(json["frameworks"] as? [[String: String]])
        #expect(description.frameworks == frameworks.map { "\($0["name"]!) — \($0["evidence"]!)" })
        #expect(description.frameworks.contains { $0.hasPrefix("Unity — ") })
        let schemes = try #require(json["signatureSchemes"] as? [String])
        #expect(description.signatures.first == "schemes: \(schemes.joined(separator: ", "))")
        let problems = try #require(json["problems"] as? [[String: String]])
        #expect(description.problems == problems.map { "\($0["severity"]!): \($0["message"]!)" })
        #expect(description.facts.appID == json["packageName"] as? String)
    }

    @Test func iosFrameworksAndProblemsMatchInspect() throws {
        let fixture = "ipa/fastlane-with_swift_twice.ipa"
        let (engine, folder) = try engine()
        _ = folder
        let description = try engine.describe(path: Fixtures.url(fixture).path)
        let json = try inspectJSON(fixture)
        let frameworks = try #require(json["frameworks"] as? [[String: Any]])
        #expect(description.frameworks.count == frameworks.count)
        #expect(description.frameworks.first?.hasPrefix("Swift — Frameworks/libswiftCore.dylib") == true)
        #expect(description.problems == (json["problems"] as? [String]))
    }

    @Test func aCorruptAppIsInvalidInput() throws {
        let (engine, folder) = try engine()
        let broken = folder.path("broken.apk")
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: broken))
        #expect(throws: BuildFailure.self) { try engine.describe(path: broken) }
    }
}

import Foundation
import Testing
import TestSupport
@testable import BuildEngine

/// The `fusion-set` commands run as the real binary against a fresh workspace.
@Suite("fusion-set command line")
struct FusionSetCommandTests {
    let folder: TemporaryDirectory
    var workspace: String { folder.path("ws") }

    init() throws { folder = try TemporaryDirectory(prefix: "appseal-fusion") }

    @discardableResult
    func appseal(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try ProcessRunner.appseal(["--workspace", workspace] + arguments, stdin: stdin)
    }

    func createdID(_ result: ProcessResult) throws -> String {
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        return try #require(object["id"] as? String)
    }

    @Test func createShowEditDuplicateDeleteRoundTrip() throws {
        let created = try appseal(["fusion-set", "create", "--name", "Secure Communication — production",
                                   "--feature", "mobile-client-certificates:keyType=ec-p384,hosts=api.example.com|*.example.org",
                                   "--feature", "block-cleartext-traffic", "--annotate", "prod", "--annotate", "owner: mobile-team",
                                   "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let id = try createdID(created)
        #expect(FusionSetID.isValid(id))
        let file = try String(contentsOfFile: "\(workspace)/fusion-sets/\(id).json", encoding: .utf8)
        #expect(file.contains("\"keyType\" : \"ec-p384\""))
        #expect(!file.contains("validityDays"), "defaults are not stored")

        let shown = try appseal(["fusion-set", "show", id])
        #expect(shown.status == 0)
        for line in ["Fusion Set \(id)", "  Name:        Secure Communication — production", "  Platform:    android",
                     "  Annotations: prod; owner: mobile-team", "    Mobile Client Certificates (mobile-client-certificates)",
                     "      keyType = ec-p384", "      validityDays = 365  (default)", "      hosts = api.example.com|*.example.org",
                     "    Block Cleartext Traffic (block-cleartext-traffic)", "  Builds:      (none yet)"] {
            #expect(shown.stdout.contains(line + "\n"), "show lacks '\(line)'")
        }
        #expect(shown.stdout.contains("android: not enforced: connections the runtime cannot reach: Flutter's dart:io"))

        let edited = try appseal(["fusion-set", "edit", String(id.prefix(8)), "--remove-feature", "block-cleartext-traffic",
                                  "--feature", "mobile-client-certificates:validityDays=30", "--remove-annotation", "prod",
                                  "--name", "renamed", "--json"])
        #expect(edited.status == 0, "\(edited.stderr)")
        let editedObject = try #require(try JSONSerialization.jsonObject(with: edited.stdoutData) as? [String: Any])
        let features = try #require(editedObject["features"] as? [String: [String: Any]])
        #expect(Set(features.keys) == [FeatureID.mobileClientCertificates])
        #expect(features[FeatureID.mobileClientCertificates]?["validityDays"] as? Int == 30)
        #expect(features[FeatureID.mobileClientCertificates]?["keyType"] as? String == "ec-p384")
        #expect(editedObject["annotations"] as? [String] == ["owner: mobile-team"])

        let copy = try appseal(["fusion-set", "duplicate", "renamed", "--json"])
        #expect(copy.status == 0)
        let copyID = try createdID(copy)
        #expect(copyID != id)
        let listed = try appseal(["fusion-set", "list", "--json"])
        let names = try #require(try JSONSerialization.jsonObject(with: listed.stdoutData) as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names == ["renamed", "renamed (copy)"])

        #expect(try appseal(["fusion-set", "delete", copyID]).status == 0)
        let gone = try appseal(["fusion-set", "show", copyID])
        #expect(gone.status == 3)
        #expect(gone.stderr == "error: no Fusion Set '\(copyID)' in this workspace (see 'appseal fusion-set list')\n")
    }

    @Test(arguments: [
        (["--feature", "mobile-client-certificates:keyType=dsa"],
         "error: feature 'mobile-client-certificates' option 'keyType': 'dsa' is not allowed; allowed: ec-p256, ec-p384, rsa-2048, rsa-3072\n"),
        (["--feature", "no-such-feature"],
         "error: unknown feature 'no-such-feature'; known features: mobile-client-certificates, certificate-pinning, trusted-domains, block-cleartext-traffic, enforce-minimum-tls-version\n"),
        (["--feature", "trusted-domains:domains=api.example.com"],
         "error: feature 'trusted-domains' needs one of these features in the same set: mobile-client-certificates, certificate-pinning\n"),
        (["--feature", "block-cleartext-traffic", "--feature", "block-cleartext-traffic"],
         "error: feature 'block-cleartext-traffic' is given twice; put all its options in one --feature\n"),
    ])
    func invalidCreateIsExitThreeAndWritesNothing(extra: [String], message: String) throws {
        let result = try appseal(["fusion-set", "create", "--name", "n"] + extra)
        #expect(result.status == 3)
        #expect(result.stderr == message)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(workspace)/fusion-sets")) ?? []
        #expect(files.filter { $0.hasSuffix(".json") }.isEmpty)
    }

    @Test func namesAreUniqueAndPlatformIsChecked() throws {
        #expect(try appseal(["fusion-set", "create", "--name", "one", "--feature", "block-cleartext-traffic"]).status == 0)
        let clash = try appseal(["fusion-set", "create", "--name", "one"])
        #expect(clash.status == 3)
        #expect(clash.stderr.contains("a Fusion Set named 'one' already exists"))
        let platform = try appseal(["fusion-set", "create", "--name", "two", "--platform", "windows"])
        #expect(platform.status == 2)
        #expect(platform.stderr.contains("--platform must be one of android, ios, any, got 'windows'"))
    }

    @Test func unavailableFeaturesWarnAtCreate() throws {
        let result = try appseal(["fusion-set", "create", "--name", "tls", "--platform", "any", "--feature", "mobile-client-certificates",
                                  "--feature", "enforce-minimum-tls-version:version=1.3"])
        #expect(result.status == 0)
        #expect(!result.stderr.contains("is not available on android"), "\(result.stderr)")
        #expect(result.stderr.contains("warning: feature 'enforce-minimum-tls-version' is not available on ios: the iOS build engine is not built yet"))
    }

    @Test func exportImportKeepsTheSetAndRejectsClashesSchemasAndUnknownFeatures() throws {
        let id = try createdID(try appseal(["fusion-set", "create", "--name", "shared", "--json",
                                            "--feature", "mobile-client-certificates:scope=per-app"]))
        let exported = try appseal(["fusion-set", "export", id])
        #expect(exported.status == 0)

        let again = try appseal(["fusion-set", "import", "-"], stdin: exported.stdoutData)
        #expect(again.status == 3)
        #expect(again.stderr.contains("a Fusion Set with ID \(id) is already in this workspace; import with --new-id"))

        let other = try TemporaryDirectory(prefix: "appseal-other")
        let exportFile = other.path("set.json")
        try exported.stdoutData.write(to: URL(fileURLWithPath: exportFile))
        let imported = try ProcessRunner.appseal(["--workspace", other.path("ws"), "fusion-set", "import", exportFile, "--json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try createdID(imported) == id)
        let renamed = try appseal(["fusion-set", "import", exportFile, "--new-id", "--name", "shared 2", "--json"])
        #expect(renamed.status == 0, "\(renamed.stderr)")
        #expect(try createdID(renamed) != id)

        var object = try #require(try JSONSerialization.jsonObject(with: exported.stdoutData) as? [String: Any])
        object["schema"] = 2
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: exportFile))
        let newer = try appseal(["fusion-set", "import", exportFile, "--new-id"])
        #expect(newer.status == 3)
        #expect(newer.stderr == "error: \(exportFile): Fusion Set schema 2 is not supported (this appseal reads schema 1)\n")

        object["schema"] = 1
        object["features"] = ["quantum-shield": [String: Any]()]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: exportFile))
        let unknown = try appseal(["fusion-set", "import", exportFile, "--new-id", "--name", "x"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.hasPrefix("error: unknown feature 'quantum-shield'; known features: "))

        try Data("not json".utf8).write(to: URL(fileURLWithPath: exportFile))
        let garbage = try appseal(["fusion-set", "import", exportFile])
        #expect(garbage.status == 3)
        #expect(garbage.stderr.hasPrefix("error: \(exportFile): not a Fusion Set file"))
    }

    @Test func listReportsADamagedFileAndKeepsTheRest() throws {
        #expect(try appseal(["fusion-set", "create", "--name", "good"]).status == 0)
        let damaged = "\(workspace)/fusion-sets/\(String(repeating: "a", count: 32)).json"
        try Data("{\"schema\": 1, \"id\": 5}".utf8).write(to: URL(fileURLWithPath: damaged))
        let listed = try appseal(["fusion-set", "list"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("good"))
        #expect(listed.stderr.contains("warning: skipped \(damaged): "))
    }

    @Test func concurrentCreatesOfOneNameLeaveExactlyOne() throws {
        let results = try (0..<4).map { _ in
            try Process.launch(Project.appsealBinary.path, ["--workspace", workspace, "fusion-set", "create", "--name", "race"])
        }.map { process -> Int32 in
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(results.filter { $0 == 0 }.count == 1)
        #expect(results.filter { $0 == 3 }.count == 3)
    }

    @Test func catalogListsEveryFeatureWithAvailability() throws {
        let result = try appseal(["fusion-set", "catalog", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        let features = try #require(object["features"] as? [[String: Any]])
        #expect(features.compactMap { $0["id"] as? String } == FeatureCatalog.standard.featureIDs)
        let pinning = try #require(features.first { $0["id"] as? String == FeatureID.certificatePinning })
        let availability = try #require(pinning["availability"] as? [String: String])
        #expect(availability["android"] == "available")
        #expect(availability["ios"]?.hasPrefix("unavailable: ") == true)
    }
}

extension Process {
    /// Starts a program with its output discarded.
    static func launch(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

import AndroidPackage
import ArchiveKit
import CryptoCore
import Foundation
import Testing
import TestSupport
@testable import BuildEngine

@Suite("Build failures, cancellation and concurrency", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct BuildFailureTests {
    static let app = "apk/apps/hello-world.apk"

    /// Nothing but the record and the log may remain of a build that did not finish.
    func expectNoOutputs(_ fixture: BuildFixture, build id: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(fixture.workspace)/builds/\(id)").sorted()
        #expect(names == ["build.json", "build.log"], sourceLocation: sourceLocation)
    }

    @Test func unknownFusionSetIsInvalidInputAndStartsNoBuild() throws {
        let fixture = try BuildFixture()
        let result = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", String(repeating: "0", count: 32), "--debug-sign"])
        #expect(result.status == 3)
        #expect(result.stderr == "error: no Fusion Set '\(String(repeating: "0", count: 32))' in this workspace (see 'appseal fusion-set list')\n")
        #expect(fixture.buildFolders().isEmpty)
    }

    @Test func iOSSetOnAnAPKFailsInValidate() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("ios", platform: "ios", features: ["block-cleartext-traffic"])
        let result = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("failed in validate: Fusion Set \(setID) 'ios' is for ios apps; "))
        let id = try #require(fixture.buildFolders().first)
        #expect(try fixture.record(id)["status"] as? String == "failed")
        try expectNoOutputs(fixture, build: id)
    }

    @Test func anySetOnAnIPASaysTheIOSEngineIsNotBuilt() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("any", platform: "any", features: ["mobile-client-certificates"])
        let result = try fixture.appseal(["build", Fixtures.url("ipa/very-capable-app.ipa").path, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("the iOS build engine is not built yet"), "\(result.stderr)")
    }

    @Test func aHandEditedSetThatBreaksAFeatureRequirementFailsInValidateWithTheReason() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("tls", features: ["mobile-client-certificates", "enforce-minimum-tls-version:version=1.3"])
        let file = "\(fixture.workspace)/fusion-sets/\(setID).json"
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        var features = try #require(object["features"] as? [String: Any])
        features["mobile-client-certificates"] = nil
        object["features"] = features
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: file))
        let result = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("feature 'enforce-minimum-tls-version' needs one of these features in the same set: "
            + "mobile-client-certificates (on Android the pins and the TLS minimum travel in the sealed runtime configuration"),
            "\(result.stderr)")
    }

    @Test func invalidOptionInAHandEditedSetIsNamed() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("edited", features: ["mobile-client-certificates"])
        let file = "\(fixture.workspace)/fusion-sets/\(setID).json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "\"mobile-client-certificates\" : {\n\n    }", with: "\"mobile-client-certificates\" : { \"keyType\" : \"dsa-1024\" }")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("feature 'mobile-client-certificates' option 'keyType': 'dsa-1024' is not allowed; allowed: ec-p256, ec-p384, rsa-2048, rsa-3072"),
                "\(result.stderr)")
    }

    @Test(arguments: ["garbage", "missing"])
    func unreadableOrCorruptAppIsInvalidInput(kind: String) throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let path = fixture.folder.path("broken.apk")
        if kind == "garbage" { try Data("PK\u{3}\u{4} definitely not a zip".utf8).write(to: URL(fileURLWithPath: path)) }
        let result = try fixture.appseal(["build", path, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("failed in inspect: \(path) cannot be read as an .apk"), "\(result.stderr)")
        let id = try #require(fixture.buildFolders().first)
        try expectNoOutputs(fixture, build: id)
        #expect(try fixture.issued().isEmpty, "nothing was issued for an app that could not be read")
    }

    @Test func fullDiskFailsTheBuildCleanlyAndRevokesItsCertificate() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        // 1000 blocks is far below the 1.7 MB output: the write fails with EFBIG, like a full disk.
        let command = "ulimit -f 1000; exec \"$0\" \"$@\""
        let result = try ProcessRunner.run("/bin/sh", ["-c", command, Project.appsealBinary.path, "--workspace", fixture.workspace,
                                                       "build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 4, "\(result.combined)")
        #expect(result.stderr.contains("File too large"), "\(result.stderr)")
        let id = try #require(fixture.buildFolders().first)
        let record = try fixture.record(id)
        #expect(record["status"] as? String == "failed")
        try expectNoOutputs(fixture, build: id)
        let issued = try fixture.issued()
        #expect(issued.count == 1)
        #expect(issued.first?["status"] as? String == "revoked")
        // The workspace still works: the next build succeeds.
        #expect(try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign"]).status == 0)
    }

    @Test func cancellationLeavesNoOutputAndRecordsTheBuildAsCancelled() async throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let engine = Engine(workspace: try Workspace.open(at: fixture.workspace))
        var request = BuildRequest(inputPath: Fixtures.url(Self.app).path, fusionSet: setID, signing: .debugKey)
        // The build waits before Embed until the test has asked it to cancel.
        let reached = DispatchSemaphore(value: 0), cancelled = DispatchSemaphore(value: 0)
        request.beforeStage = { stage in
            if stage == .embed {
                reached.signal()
                cancelled.wait()
            }
        }
        let handle = try engine.startBuild(request)
        await Task.detached {
            reached.wait()
            handle.cancel()
            cancelled.signal()
        }.value
        var stages: [BuildStage] = []
        var last: BuildEvent.Kind?
        for await event in handle.events {
            if case let .stageFinished(stage, _, _) = event.kind { stages.append(stage) }
            last = event.kind
        }
        let record = await handle.result()
        #expect(record.status == .cancelled)
        #expect(record.outputPath == nil)
        guard case let .finished(final)? = last else { Issue.record("the last event is not .finished"); return }
        #expect(final.status == .cancelled)
        #expect(stages == [.inspect, .validate, .credentials])
        try expectNoOutputs(fixture, build: record.id)
        #expect(try fixture.issued().first?["status"] as? String == "revoked")
        let log = try engine.log(ofBuild: record.id)
        #expect(log.last?.message == "build cancelled; no output was written")
    }

    @Test func twoBuildsInOneProcessDoNotInterfere() async throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let engine = Engine(workspace: try Workspace.open(at: fixture.workspace))
        let apps = ["apk/apps/hello-world.apk", "apk/apps/apktool-issue636.apk"]
        let handles = try apps.map {
            try engine.startBuild(BuildRequest(inputPath: Fixtures.url($0).path, fusionSet: setID, signing: .debugKey))
        }
        var records: [BuildRecord] = []
        for handle in handles {
            for await _ in handle.events {}
            records.append(await handle.result())
        }
        #expect(records.map(\.status) == [.succeeded, .succeeded], "\(records.map(\.failure))")
        #expect(Set(records.map(\.id)).count == 2)
        for record in records {
            let output = try #require(record.outputPath)
            #expect(try ProcessRunner.run("apksigner", ["verify", output]).status == 0)
        }
        let issued = try fixture.issued()
        #expect(Set(issued.compactMap { $0["buildID"] as? String }) == Set(records.map(\.id)))
    }

    @Test func twoBuildsInTwoProcessesDoNotInterfere() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        let processes = try ["apk/apps/hello-world.apk", "apk/apps/apktool-issue3533.apk"].map {
            try Process.launch(Project.appsealBinary.path, ["--workspace", fixture.workspace, "build", Fixtures.url($0).path,
                                                            "--fusion-set", setID, "--debug-sign"])
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0])
        let list = try fixture.appseal(["builds", "list", "--json"])
        let records = try #require(try JSONSerialization.jsonObject(with: list.stdoutData) as? [[String: Any]])
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["status"] as? String == "succeeded" })
        #expect(try fixture.issued().count == 2)
        for record in records {
            let output = try #require(record["outputPath"] as? String)
            #expect(try ProcessRunner.run("apksigner", ["verify", output]).status == 0)
        }
    }

    @Test func buildsCommandsShowTheRecordAndTheLog() throws {
        let fixture = try BuildFixture()
        let setID = try fixture.createSet("prod", features: ["mobile-client-certificates"])
        #expect(try fixture.appseal(["build", Fixtures.url(Self.app).path, "--fusion-set", setID, "--debug-sign"]).status == 0)
        let id = try #require(fixture.buildFolders().first)
        let list = try fixture.appseal(["builds", "list"])
        #expect(list.stdout.contains("\(id)  succeeded  "))
        let show = try fixture.appseal(["builds", "show", id])
        #expect(show.stdout.contains("  Status:       succeeded\n"))
        #expect(show.stdout.contains("  App:          de.rhab.helloworld (android)\n"))
        let log = try fixture.appseal(["builds", "log", id, "--follow"])
        #expect(log.status == 0)
        #expect(log.stdout.contains(" info    Runtime: added classes2.dex ("), "\(log.stdout)")
        #expect(log.stdout.contains(" warning Runtime: ") == false)
        let raw = try fixture.appseal(["builds", "log", id, "--json"])
        #expect(raw.stdout.split(separator: "\n").allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        let summary = try fixture.appseal(["fusion-set", "show", setID])
        #expect(summary.stdout.contains("  Builds:      1\n    \(id)  succeeded  "))
        let missing = try fixture.appseal(["builds", "show", "20000101-000000-00000000"])
        #expect(missing.status == 3)
        #expect(missing.stderr == "error: no build '20000101-000000-00000000' in this workspace (see 'appseal builds list')\n")
    }
}

@Suite("Block Cleartext Traffic and a network security config", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct NetworkSecurityConfigTests {
    /// hello-world.apk with `android:networkSecurityConfig="@xml/network_security_config"` added.
    static func appWithNetworkSecurityConfig(in folder: TemporaryDirectory) throws -> String {
        try RuntimeTestApps.derive("apk/apps/hello-world.apk", into: folder, name: "with-nsc.apk") { document in
            try document.setAttribute(on: ["manifest", "application"],
                                      .android(AndroidAttribute.networkSecurityConfig, .reference(0x7f0f_0001)))
        }
    }

    @Test func buildRefusesToClaimCleartextBlockingTheAppsOwnConfigOverrides() throws {
        let fixture = try BuildFixture()
        let app = try Self.appWithNetworkSecurityConfig(in: fixture.folder)
        let setID = try fixture.createSet("cleartext", features: ["block-cleartext-traffic"])
        let result = try fixture.appseal(["build", app, "--fusion-set", setID, "--debug-sign"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("Block Cleartext Traffic: the app has its own network security config (android:networkSecurityConfig=@0x7f0f0001)"),
                "\(result.stderr)")
        let other = try fixture.createSet("certificate only", features: ["mobile-client-certificates"])
        #expect(try fixture.appseal(["build", app, "--fusion-set", other, "--debug-sign"]).status == 0)
    }
}

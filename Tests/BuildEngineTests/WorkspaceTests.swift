import Foundation
import Testing
import TestSupport
@testable import BuildEngine

@Suite("Workspace")
struct WorkspaceTests {
    private func manifestText(_ folder: TemporaryDirectory, _ sub: String = "ws") throws -> String {
        try String(contentsOfFile: folder.path("\(sub)/workspace.json"), encoding: .utf8)
    }

    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func createsOnFirstUseWithSchemaAndPrivateFolder() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("nested/ws"))
        #expect(workspace.schema == Workspace.currentSchema)
        #expect(try manifestText(folder, "nested/ws") == "{\n  \"schema\" : 1\n}\n")
        #expect(try permissions(folder.path("nested/ws")) == 0o700)
        let again = try Workspace.open(at: folder.path("nested/ws"))
        #expect(again.root == workspace.root)
    }

    @Test func pathsFollowTheDesign() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let root = workspace.root.path
        #expect(workspace.caDirectory.path == root + "/ca")
        #expect(workspace.fusionSetsDirectory.path == root + "/fusion-sets")
        let digest = String(repeating: "ab", count: 32)
        #expect(try workspace.appDirectory(sha256: digest).path == root + "/apps/" + digest)
        #expect(try workspace.buildDirectory(id: "20261203-120000-3f6c").path == root + "/builds/20261203-120000-3f6c")
        #expect(try workspace.fusionSetFile(id: "3f6c0e9a").path == root + "/fusion-sets/3f6c0e9a.json")
    }

    @Test(arguments: ["", "..", "../escape", "a/b", ".hidden", "sp ace", String(repeating: "x", count: 129)])
    func hostileNamesAreRejected(name: String) throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        #expect(throws: WorkspaceError.self) { try workspace.buildDirectory(id: name) }
        #expect(throws: WorkspaceError.self) { try workspace.fusionSetFile(id: name) }
    }

    @Test(arguments: ["", "AB" + String(repeating: "0", count: 62), String(repeating: "0", count: 63), "../" + String(repeating: "0", count: 61)])
    func appDigestMustBeLowercaseSHA256Hex(digest: String) throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        #expect(throws: WorkspaceError.self) { try workspace.appDirectory(sha256: digest) }
    }

    @Test func newerSchemaIsRefusedAndLeftAlone() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("ws"), withIntermediateDirectories: true)
        let original = "{\"schema\": 7, \"future\": true}"
        try original.write(toFile: folder.path("ws/workspace.json"), atomically: false, encoding: .utf8)
        let error = #expect(throws: WorkspaceError.self) { try Workspace.open(at: folder.path("ws")) }
        #expect(error == .newerSchema(path: folder.url.standardizedFileURL.path + "/ws/workspace.json", found: 7, supported: 1))
        #expect(error?.description.contains("nothing was changed") == true)
        #expect(try manifestText(folder) == original)
    }

    @Test(arguments: [
        ("{\"schema\": 1", "not valid JSON"),
        ("[1]", "'schema' must be a positive integer"),
        ("{\"schema\": \"1\"}", "'schema' must be a positive integer"),
        ("{\"schema\": true}", "'schema' must be a positive integer"),
        ("{\"schema\": 1.5}", "'schema' must be a positive integer"),
        ("{\"schema\": 0}", "'schema' must be a positive integer"),
        ("{}", "'schema' must be a positive integer"),
    ])
    func corruptedManifestIsRefusedAndLeftAlone(content: String, reason: String) throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("ws/ca"), withIntermediateDirectories: true)
        try content.write(toFile: folder.path("ws/workspace.json"), atomically: false, encoding: .utf8)
        let error = #expect(throws: WorkspaceError.self) { try Workspace.open(at: folder.path("ws")) }
        guard case let .corrupted(path, found)? = error else {
            Issue.record("expected corrupted, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("/ws/workspace.json"))
        #expect(found == reason)
        #expect(try manifestText(folder) == content)
    }

    @Test func nonEmptyFolderWithoutManifestIsNotTakenOver() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("ws"), withIntermediateDirectories: true)
        try "notes".write(toFile: folder.path("ws/notes.txt"), atomically: false, encoding: .utf8)
        let error = #expect(throws: WorkspaceError.self) { try Workspace.open(at: folder.path("ws")) }
        #expect(error == .notAWorkspace(path: folder.url.standardizedFileURL.path + "/ws"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("ws/workspace.json")))
    }

    @Test func unreadableWorkspaceIsAClearError() throws {
        let folder = try TemporaryDirectory()
        try "plain file".write(toFile: folder.path("file"), atomically: false, encoding: .utf8)
        let notFolder = #expect(throws: WorkspaceError.self) { try Workspace.open(at: folder.path("file")) }
        #expect(notFolder == .unreadable(path: folder.url.standardizedFileURL.path + "/file", reason: "not a folder"))

        // A manifest that is a folder cannot be read as a file (this holds even for root).
        try FileManager.default.createDirectory(atPath: folder.path("ws/workspace.json"), withIntermediateDirectories: true)
        let error = #expect(throws: WorkspaceError.self) { try Workspace.open(at: folder.path("ws")) }
        guard case let .unreadable(path, reason)? = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("/ws/workspace.json"))
        #expect(reason == "Is a directory")
    }

    @Test func migrationsRunInOrderAndRecordEachStep() throws {
        let folder = try TemporaryDirectory()
        _ = try Workspace.open(at: folder.path("ws"))
        let steps = [
            WorkspaceMigration(fromSchema: 2, summary: "second") { root in
                let marker = root.appendingPathComponent("steps")
                let before = (try? String(contentsOf: marker, encoding: .utf8)) ?? ""
                try (before + "2").write(to: marker, atomically: true, encoding: .utf8)
            },
            WorkspaceMigration(fromSchema: 1, summary: "first") { root in
                try "1".write(to: root.appendingPathComponent("steps"), atomically: true, encoding: .utf8)
            },
        ]
        let migrated = try Workspace.open(at: folder.path("ws"), currentSchema: 3, migrations: steps)
        #expect(migrated.schema == 3)
        #expect(try String(contentsOfFile: folder.path("ws/steps"), encoding: .utf8) == "12")
        #expect(try manifestText(folder).contains("\"schema\" : 3"))
        // A workspace at schema 3 is newer than schema 1.
        #expect(throws: WorkspaceError.self) { try Workspace.open(at: folder.path("ws")) }
    }

    @Test func failedOrMissingMigrationStopsAtTheLastCompletedSchema() throws {
        struct Broken: Error {}
        let folder = try TemporaryDirectory()
        _ = try Workspace.open(at: folder.path("ws"))
        let steps = [
            WorkspaceMigration(fromSchema: 1, summary: "ok") { _ in },
            WorkspaceMigration(fromSchema: 2, summary: "broken") { _ in throw Broken() },
        ]
        let failure = #expect(throws: WorkspaceError.self) {
            try Workspace.open(at: folder.path("ws"), currentSchema: 3, migrations: steps)
        }
        guard case let .migrationFailed(_, fromSchema, _)? = failure else {
            Issue.record("expected migrationFailed, got \(String(describing: failure))")
            return
        }
        #expect(fromSchema == 2)
        #expect(try manifestText(folder).contains("\"schema\" : 2"))

        let missing = #expect(throws: WorkspaceError.self) {
            try Workspace.open(at: folder.path("ws"), currentSchema: 4, migrations: [])
        }
        #expect(missing == .migrationMissing(path: folder.url.standardizedFileURL.path + "/ws/workspace.json", fromSchema: 2))
    }
}

@Suite("Atomic files and locks")
struct WorkspaceFileTests {
    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func writesReplaceAndHonourExactPermissions() throws {
        let folder = try TemporaryDirectory()
        let target = folder.url.appendingPathComponent("secret.key")
        try AtomicFile.write(Data("one".utf8), to: target, permissions: AtomicFile.secretPermissions)
        #expect(try permissions(target.path) == 0o600)
        try AtomicFile.write(Data("two".utf8), to: target, permissions: 0o640)
        #expect(try String(contentsOf: target, encoding: .utf8) == "two")
        #expect(try permissions(target.path) == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["secret.key"])
    }

    @Test func failedStreamingWriteLeavesTheOldFileAndNoTemp() throws {
        struct Interrupted: Error {}
        let folder = try TemporaryDirectory()
        let target = folder.url.appendingPathComponent("out.bin")
        try AtomicFile.write(Data("old".utf8), to: target)
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: target) { writer in
                try writer.write(Data(repeating: 7, count: 100_000))
                throw Interrupted()
            }
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["out.bin"])

        try AtomicFile.write(to: target) { writer in
            for _ in 0..<4 { try writer.write(Data(repeating: 1, count: 1000)) }
        }
        #expect(try Data(contentsOf: target).count == 4000)
    }

    @Test func writeIntoMissingFolderNamesThePath() throws {
        let folder = try TemporaryDirectory()
        let target = folder.url.appendingPathComponent("absent/file.json")
        let error = #expect(throws: WorkspaceError.self) { try AtomicFile.write(Data(), to: target) }
        #expect(error == .writeFailed(path: target.path, operation: "create temp file", reason: "No such file or directory"))
    }

    @Test func jsonIsSortedWithISODatesAndReadsBack() throws {
        struct Record: Codable, Equatable {
            let zeta: String
            let alpha: Date
            let path: String
        }
        let folder = try TemporaryDirectory()
        let file = folder.url.appendingPathComponent("record.json")
        let record = Record(zeta: "z", alpha: Date(timeIntervalSince1970: 1_796_299_200), path: "a/b")
        try WorkspaceJSON.write(record, to: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text == "{\n  \"alpha\" : \"2026-12-03T12:00:00Z\",\n  \"path\" : \"a/b\",\n  \"zeta\" : \"z\"\n}\n")
        #expect(try WorkspaceJSON.read(Record.self, from: file) == record)
        #expect(try WorkspaceJSON.readIfPresent(Record.self, from: folder.url.appendingPathComponent("none.json")) == nil)
        #expect(WorkspaceJSON.timestamp(Date(timeIntervalSince1970: 10.75)) == Date(timeIntervalSince1970: 10))
    }

    @Test func corruptedRecordNamesFileAndKey() throws {
        struct Record: Codable { let serial: String }
        let folder = try TemporaryDirectory()
        let file = folder.url.appendingPathComponent("issued.json")
        try "{\"other\": 1}".write(to: file, atomically: false, encoding: .utf8)
        let error = #expect(throws: WorkspaceError.self) { try WorkspaceJSON.read(Record.self, from: file) }
        #expect(error == .corrupted(path: file.path, reason: "missing 'serial' in the top level"))
        try "{\"serial\": ".write(to: file, atomically: false, encoding: .utf8)
        let invalid = #expect(throws: WorkspaceError.self) { try WorkspaceJSON.read(Record.self, from: file) }
        #expect(invalid == .corrupted(path: file.path, reason: "not valid JSON"))
    }

    @Test func lockExcludesThreadsOfThisProcess() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let counter = workspace.root.appendingPathComponent("counter")
        try Data("0".utf8).write(to: counter)
        let rounds = 25
        let failures = LockedCount()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<rounds {
                do {
                    try workspace.withLock(named: "counter") {
                        let value = Int(try String(contentsOf: counter, encoding: .utf8))!
                        sched_yield()
                        try AtomicFile.write(Data(String(value + 1).utf8), to: counter)
                    }
                } catch {
                    failures.increment()
                }
            }
        }
        #expect(failures.value == 0)
        #expect(try String(contentsOf: counter, encoding: .utf8) == String(4 * rounds))
    }

    @Test func lockExcludesOtherProcesses() throws {
        let folder = try TemporaryDirectory()
        let workspace = try Workspace.open(at: folder.path("ws"))
        let lockFile = workspace.root.appendingPathComponent(".locks/ca.lock").path
        let held = try workspace.withLock(named: "ca") {
            try ProcessRunner.run("flock", ["--nonblock", lockFile, "true"]).status
        }
        #expect(held == 1, "flock(1) must fail to take the lock while appseal holds it")
        #expect(try ProcessRunner.run("flock", ["--nonblock", lockFile, "true"]).status == 0)
        #expect(throws: WorkspaceError.self) { try workspace.withLock(named: "../x") {} }
    }
}

/// A counter shared by the threads of a test.
final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

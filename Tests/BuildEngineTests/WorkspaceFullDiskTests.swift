import Foundation
import Testing
import TestSupport
@testable import BuildEngine
#if canImport(Glibc)
import Glibc
#endif

/// A real full disk: a 64 KiB tmpfs mounted for the test (root only, as in CI), unmounted after.
final class TinyFilesystem {
    let folder: TemporaryDirectory
    var url: URL { folder.url }

    init?() {
        guard getuid() == 0, let folder = try? TemporaryDirectory(prefix: "appseal-tinyfs") else { return nil }
        self.folder = folder
        guard (try? ProcessRunner.run("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", folder.url.path]))?.succeeded == true else {
            return nil
        }
    }

    static var available: Bool { TinyFilesystem() != nil }

    deinit { _ = try? ProcessRunner.run("umount", [folder.url.path]) }
}

@Suite("Workspace on a full disk")
struct WorkspaceFullDiskTests {
    @Test(.enabled(if: TinyFilesystem.available, "needs root to mount a tmpfs"))
    func atomicWriteOnAFullDiskKeepsTheOldFileAndLeavesNoTemp() throws {
        let disk = try #require(TinyFilesystem())
        let target = disk.url.appendingPathComponent("issued.json")
        try AtomicFile.write(Data("old".utf8), to: target)
        let error = #expect(throws: WorkspaceError.self) {
            try AtomicFile.write(Data(repeating: 0x41, count: 256 * 1024), to: target)
        }
        guard case let .writeFailed(path, operation, reason)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(path == target.path)
        #expect(operation == "write")
        #expect(reason == "No space left on device")
        #expect(try String(contentsOf: target, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.url.path) == ["issued.json"])
    }

    @Test(.enabled(if: TinyFilesystem.available, "needs root to mount a tmpfs"))
    func caIssueOntoAFullDiskFailsWithExit4AndWritesNothing() throws {
        let disk = try #require(TinyFilesystem())
        let folder = try TemporaryDirectory()
        let transcript = Transcript()
        try transcript.appseal(["ca", "init"], workspace: folder.path("ws"))
        // Fill the disk so not even a small PKCS#12 fits.
        let filler = disk.url.appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        while (try? handle.write(contentsOf: Data(repeating: 0, count: 4096))) != nil {}
        try? handle.close()
        let out = disk.url.appendingPathComponent("app.p12").path
        let result = try transcript.appseal(["ca", "issue", "--app-id", "a.b", "--out", out,
                                             "--password-file", "env:PW"], workspace: folder.path("ws"),
                                            environment: ["PW": "full-disk-password"], expectStatus: 4)
        #expect(result.stderr.contains("No space left on device"), "\(result.combined)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.url.path) == ["filler"])
        // The certificate whose key could not be saved is recorded, and revoked, not left valid.
        let records = try CertificateAuthority.describe(try Workspace.open(at: folder.path("ws"))).issued
        #expect(records.count == 1)
        #expect(records.first?.status == .revoked)
        #expect(records.first?.revocationReason == .cessationOfOperation)
        #expect(result.stderr.contains("was revoked because its PKCS#12 could not be written"))
    }
}

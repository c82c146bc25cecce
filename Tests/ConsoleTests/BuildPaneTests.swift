@testable import Console
import Foundation
import Testing

@Suite("Build My App and Builds panes")
struct BuildPaneTests {
    /// Upload, create a set with Mobile Client Certificates, go to Build My App.
    private func ready(_ harness: Harness) async throws {
        try await harness.uploadApp()
        harness.createFusionSet("Production")
        harness.press(.character("2"), .character(" "), .character("4"))
    }

    @Test("a build shows each stage, the live log and the result")
    func success() async throws {
        let harness = try Harness(rows: 30, columns: 100)
        try await ready(harness)
        Golden.check(harness.screen, "build-ready")
        harness.press(.character("b"))
        let pane = try #require(harness.app.panes[.build] as? BuildPane)
        try await harness.settle { pane.outcome != nil }
        #expect(!harness.app.isBuildRunning)
        Golden.check(harness.screen, "build-succeeded")
        #expect(pane.log.visibleCount == 11)
        harness.press(.character("p"))
        #expect(harness.terminal.clipboard.last == "/tmp/ws/builds/B00001/app-secured.apk")
    }

    @Test("the bar's rate comes from event times: 20 MB over 2 s")
    func rate() async throws {
        let harness = try Harness(rows: 30, columns: 100)
        try await ready(harness)
        harness.press(.character("b"))
        let pane = try #require(harness.app.panes[.build] as? BuildPane)
        try await harness.settle { pane.outcome != nil }
        let repackage = try #require(harness.terminal.lines.first { $0.contains("Repackage") })
        #expect(repackage.contains("100%  20.0 MB/20.0 MB  10.0 MB/s"), "\(repackage)")
    }

    @Test("cancel asks first; n keeps the build, y cancels it and no result is shown")
    func cancel() async throws {
        let harness = try Harness(rows: 30, columns: 100, backend: InMemoryBackend(holdsUntilCancelled: true))
        try await ready(harness)
        harness.press(.character("b"))
        let pane = try #require(harness.app.panes[.build] as? BuildPane)
        try await harness.settle { pane.log.visibleCount == 11 }
        #expect(harness.app.isBuildRunning)
        harness.press(.character("c"))
        Golden.check(harness.screen, "build-cancel-confirm")
        harness.press(.character("n"))
        #expect(harness.app.isBuildRunning)
        harness.press(.character("c"), .character("y"))
        try await harness.settle { pane.outcome != nil }
        #expect(pane.outcome == .cancelled)
        #expect(harness.backend.state.withLock { $0.cancelled } == ["B00001"])
        #expect(harness.screen.contains("Build B00001 cancelled: no output file was written"))
    }

    @Test("q while a build runs asks first; y cancels the build and quits")
    func quitDuringBuild() async throws {
        let harness = try Harness(backend: InMemoryBackend(holdsUntilCancelled: true))
        try await ready(harness)
        harness.press(.character("b"))
        #expect(harness.app.handle(.key(.character("q"))))
        harness.app.render()
        #expect(harness.screen.contains("A build is running. Cancel it and quit?"))
        #expect(harness.app.handle(.key(.escape)), "Esc keeps running")
        #expect(harness.app.handle(.key(.character("q"))))
        #expect(harness.app.handle(.key(.character("y"))) == false)
        #expect(harness.backend.state.withLock { $0.cancelled } == ["B00001"])
    }

    @Test("a resize during a build keeps the build and redraws at the new size")
    func resizeDuringBuild() async throws {
        let harness = try Harness(rows: 40, columns: 120, backend: InMemoryBackend(holdsUntilCancelled: true))
        try await ready(harness)
        harness.press(.character("b"))
        let pane = try #require(harness.app.panes[.build] as? BuildPane)
        try await harness.settle { pane.log.visibleCount == 11 }
        harness.terminal.resize(rows: 24, columns: 80)
        harness.pump()
        #expect(harness.app.isBuildRunning)
        Golden.check(harness.screen, "build-running-80x24")
    }

    @Test("a failed build says why")
    func failure() async throws {
        let backend = InMemoryBackend { id in
            [BuildEvent(time: InMemoryBackend.epoch, kind: .stageStarted(stage: "Inspect")),
             BuildEvent(time: InMemoryBackend.epoch, kind: .stageFinished(stage: "Inspect")),
             BuildEvent(time: InMemoryBackend.epoch, kind: .stageStarted(stage: "Validate")),
             BuildEvent(time: InMemoryBackend.epoch, kind: .log(LogLine(time: InMemoryBackend.epoch, level: .error, stage: "Validate",
                                                                        message: "enforce-minimum-tls is not available on Android"))),
             BuildEvent(time: InMemoryBackend.epoch, kind: .failed(message: "Validate: enforce-minimum-tls is not available on Android"))]
        }
        let harness = try Harness(rows: 30, columns: 100, backend: backend)
        try await ready(harness)
        harness.press(.character("b"))
        let pane = try #require(harness.app.panes[.build] as? BuildPane)
        try await harness.settle { pane.outcome != nil }
        Golden.check(harness.screen, "build-failed")
    }

    @Test("Builds lists past builds and replays a log")
    func buildsReplay() async throws {
        let harness = try Harness(rows: 30, columns: 100)
        try await ready(harness)
        harness.press(.character("b"))
        let pane = try #require(harness.app.panes[.build] as? BuildPane)
        try await harness.settle { pane.outcome != nil }
        harness.press(.character("5"))
        Golden.check(harness.screen, "builds-list")
        harness.press(.enter)
        #expect(harness.screen.contains("Build B00001 · succeeded"))
        #expect(harness.screen.contains("12:00:02 warning Credentials: issuing a per-build certificate"))
        harness.press(.character("l"), .character("l"))
        #expect(harness.screen.contains("Log · 1 lines"))
        harness.press(.escape)
        #expect(harness.screen.contains("B00001"))
    }
}

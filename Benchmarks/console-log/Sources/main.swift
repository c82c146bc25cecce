import Console
import Foundation
import Synchronization

// A build that writes `lineCount` log lines as fast as it can (the worst case for the
// console) while keys arrive every `keyInterval`; the console runs its real event loop on a
// GridTerminal whose reads wait like curses' timeout does.

let lineCount = Int(ProcessInfo.processInfo.environment["LINES_TO_STREAM"] ?? "") ?? 200_000
let keyInterval = 0.1
let rows = 40, columns = 120

/// The engine side: one app, one Fusion Set, and a build that floods its event stream.
final class FloodBackend: ConsoleBackend {
    let workspaceDescription = "benchmark"
    let lines: Int

    init(lines: Int) { self.lines = lines }
    let sets = Mutex<[FusionSetSummary]>([])

    func inspect(appAt path: String) async throws -> AppSummary {
        AppSummary(path: path, platform: .android, identifier: "com.example.bench", version: "1.0 (1)", sdkLevels: ["min 24"],
                   frameworks: [], signatures: ["v2"], problems: [])
    }

    func featureTree(for platform: AppPlatform) throws -> [FeatureNode] {
        [FeatureNode(id: "block-cleartext-traffic", title: "Block Cleartext Traffic")]
    }

    func validate(featureID: String, option: String, value: OptionValue) -> String? { nil }
    func fusionSets() throws -> [FusionSetSummary] { sets.withLock { $0 } }

    func fusionSet(id: String) throws -> FusionSetDetail {
        let summary = sets.withLock { $0.first { $0.id == id } }!
        return FusionSetDetail(summary: summary, annotations: [], created: Date(), updated: Date(), features: [], builds: [])
    }

    func createFusionSet(name: String, platform: AppPlatform) throws -> FusionSetSummary {
        let summary = FusionSetSummary(id: String(repeating: "ab", count: 16), name: name, platform: platform, featureCount: 0)
        sets.withLock { $0.append(summary) }
        return summary
    }

    func renameFusionSet(id: String, to name: String) throws {}
    func annotateFusionSet(id: String, annotation: String) throws {}
    func duplicateFusionSet(id: String, name: String) throws -> FusionSetSummary { try createFusionSet(name: name, platform: .any) }
    func deleteFusionSet(id: String) throws {}
    func setFeature(_ featureID: String, options: [String: OptionValue]?, inFusionSet id: String) throws {}

    func startBuild(appPath: String, fusionSetID: String) throws -> BuildHandle {
        let stages = ["Inspect", "Repackage", "Sign"]
        let (stream, continuation) = AsyncStream.makeStream(of: BuildEvent.self)
        let lineCount = lines
        let task = Task.detached {
            let total = Int64(lineCount) * 1000
            continuation.yield(BuildEvent(time: Date(), kind: .stageStarted(stage: "Repackage")))
            for n in 0..<lineCount {
                if Task.isCancelled { continuation.yield(BuildEvent(time: Date(), kind: .cancelled)); break }
                let level: LogLevel = n % 97 == 0 ? .warning : (n % 13 == 0 ? .debug : .info)
                let now = Date()
                continuation.yield(BuildEvent(time: now, kind: .log(LogLine(time: now, level: level, stage: "Repackage",
                    message: "raw-copied entry res/drawable-xxhdpi/icon_\(n).png (\(n % 4096) bytes, crc32 \(String(n &* 2_654_435_761 & 0xFFFF_FFFF, radix: 16)))"))))
                if n % 1000 == 0 {
                    continuation.yield(BuildEvent(time: now, kind: .stageProgress(stage: "Repackage", fraction: Double(n) / Double(lineCount),
                                                                                   bytesDone: Int64(n) * 1000, bytesTotal: total)))
                }
            }
            continuation.yield(BuildEvent(time: Date(), kind: .stageFinished(stage: "Repackage")))
            continuation.yield(BuildEvent(time: Date(), kind: .finished(BuildResult(outputPath: "/tmp/out.apk",
                                                                                    certificateFingerprint: "00", reportPath: "/tmp/r.md"))))
            continuation.finish()
        }
        return BuildHandle(buildID: "BENCH", stages: stages, events: stream, cancel: { task.cancel() })
    }

    func builds() throws -> [BuildRecord] { [] }
    func buildLog(id: String) throws -> [LogLine] { [] }
}

/// GridTerminal that waits for input like curses' timeout, feeds a setup script, then a key
/// every `keyInterval` during the build, and measures frames and key latency at each flush.
final class MeasuringTerminal: Terminal {
    let grid = GridTerminal(rows: rows, columns: columns)
    var setup: [Key]
    weak var app: ConsoleApp?
    var buildRequested = false
    var measuringSince: Date?
    var frames = 0
    var nextKeyAt: Date?
    var pendingKey: (key: Key, due: Date)?
    var latencies: [Double] = []
    var cycle = 0
    let timedKeys: [Key] = [.up, .pageUp, .character("w"), .end, .character("l"), .character("w"), .character("l"),
                            .character("l"), .character("l"), .end]

    init(setup: [Key]) { self.setup = setup }

    var size: TerminalSize { grid.size }
    var colorDepth: ColorDepth { .palette256 }
    var supportsUnicode: Bool { true }
    func clear() { grid.clear() }
    func put(_ text: String, row: Int, column: Int, style: CellStyle) { grid.put(text, row: row, column: column, style: style) }
    func copyToClipboard(_ text: String) -> Bool { false }

    func flush() {
        if measuringSince != nil { frames += 1 }
        if let handled = pendingKey, handled.due < Date.distantFuture, keyHandled {
            latencies.append(Date().timeIntervalSince(handled.due))
            pendingKey = nil
            keyHandled = false
        }
    }

    private var keyHandled = false

    func readEvent(timeoutMilliseconds: Int) -> InputEvent? {
        if !setup.isEmpty { return .key(setup.removeFirst()) }
        guard let app else { return nil }
        if !buildRequested {
            // The inspection result arrives from another task; build once it is in.
            guard app.session.app != nil, app.session.fusionSetID != nil else { Thread.sleep(forTimeInterval: 0.005); return nil }
            buildRequested = true
            return .key(.character("b"))
        }
        if app.isBuildRunning, measuringSince == nil {
            measuringSince = Date()
            nextKeyAt = Date() + keyInterval
        }
        if measuringSince != nil, !app.isBuildRunning { return .key(.character("q")) }
        let now = Date()
        if pendingKey == nil, let due = nextKeyAt, now >= due {
            let key = timedKeys[cycle % timedKeys.count]
            cycle += 1
            pendingKey = (key, due)
            nextKeyAt = due + keyInterval
            keyHandled = true
            return .key(key)
        }
        let wait = min(Double(timeoutMilliseconds) / 1000, max(0, (nextKeyAt ?? now + 1).timeIntervalSince(now)))
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        return nil
    }
}

let appFile = FileManager.default.temporaryDirectory.appendingPathComponent("console-bench-\(getpid()).apk")
FileManager.default.createFile(atPath: appFile.path, contents: Data(count: 16))
defer { try? FileManager.default.removeItem(at: appFile) }

var setup: [Key] = [.character("o"), .control("u")] + appFile.path.map { Key.character($0) } + [.enter]
setup += [.character("3"), .character("n")] + "Bench".map { Key.character($0) } + [.enter, .enter]
setup += [.character("4")]
let terminal = MeasuringTerminal(setup: setup)
let catalog = ThemeCatalog(folders: [])
let app = ConsoleApp(terminal: terminal, backend: FloodBackend(lines: lineCount), theme: try catalog.load("default"), themes: catalog,
                     startFolder: FileManager.default.temporaryDirectory.path)
terminal.app = app
let started = Date()
_ = app.run()
let measured = Date().timeIntervalSince(terminal.measuringSince ?? started)
let streamFrames = terminal.frames
let fps = Double(streamFrames) / measured
let sorted = terminal.latencies.sorted()
func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
// The cost of one full frame with every line in the log, measured apart from the stream.
let renderStart = Date()
for _ in 0..<50 { app.render() }
let renderMilliseconds = Date().timeIntervalSince(renderStart) / 50 * 1000
let finished = app.session.statusText.contains("succeeded")
print(String(format: "lines streamed: %d in %.2f s (%.0f lines/s)", lineCount, measured, Double(lineCount) / measured))
print(String(format: "frames: %d, %.1f frames/s (target >= 30)", streamFrames, fps))
print(String(format: "key latency over %d keys: p50 %.1f ms, p95 %.1f ms, max %.1f ms (target <= 50)",
             sorted.count, percentile(0.5), percentile(0.95), (sorted.last ?? .nan) * 1000))
print("build: \(app.session.statusText)")
print(String(format: "one full %dx%d frame: %.2f ms", columns, rows, renderMilliseconds))
let ok = fps >= 30 && (sorted.last ?? 1) <= 0.05 && finished
print(ok ? "PASS" : "FAIL")
exit(ok ? 0 : 1)

import Foundation

/// Build My App: starts the engine's build, shows one progress bar per stage with bytes
/// and rate, the live log, and the result. Events arrive on a mailbox filled by a task
/// reading the engine's stream, and are drained on each tick.
final class BuildPane: Pane {
    struct StageState {
        enum Phase { case pending, running, done, failed }
        let name: String
        var phase = Phase.pending
        var fraction = 0.0
        var bytesDone: Int64 = 0
        var bytesTotal: Int64 = 0
        var started: Date?
        var lastUpdate: Date?
    }

    enum Outcome: Equatable {
        case succeeded(BuildResult)
        case failed(String)
        case cancelled
    }

    private unowned let session: ConsoleSession
    let log = LogView()
    private(set) var stages: [StageState] = []
    private(set) var outcome: Outcome?
    private(set) var buildID: String?
    private var events = Mailbox<BuildEvent>()
    private var cancelRequested = false

    init(session: ConsoleSession) { self.session = session }

    let title = "Build My App"
    var capturesText: Bool { log.isSearching }
    private var isRunning: Bool { session.runningBuild != nil }

    var bindings: [Binding] {
        let missing: String? = isRunning ? "a build is running"
            : session.app == nil ? "upload an app first (Upload, 1)"
            : session.fusionSetID == nil ? "choose a Fusion Set first (Fusion Sets, 3)" : nil
        var list = [
            Binding([.character("b")], "Build My App: build the uploaded app with the current Fusion Set", short: "Build",
                    disabledReason: missing, action: { [unowned self] in start(); return .redraw }),
            Binding([.character("c")], "Cancel the build (asks first)", short: "Cancel",
                    disabledReason: isRunning ? (cancelRequested ? "cancelling already" : nil) : "no build is running",
                    action: { [unowned self] in askToCancel(); return .redraw }),
        ]
        if case let .succeeded(result) = outcome {
            list.append(Binding([.character("p")], "Copy the output path (OSC 52)", short: "Copy path", action: { [unowned self] in
                session.copy(result.outputPath, what: "output path"); return .redraw
            }))
            list.append(Binding([.character("f")], "Copy the certificate fingerprint (OSC 52)", action: { [unowned self] in
                session.copy(result.certificateFingerprint, what: "certificate fingerprint"); return .redraw
            }))
        }
        return list + log.bindings { [unowned self] in session.report($0) }
    }

    func handle(_ key: Key) -> HandleResult {
        if log.isSearching { return log.handle(key) { [unowned self] in session.report($0) } }
        return bindings.dispatch(key) { session.reportProblem($0) }
    }

    private func start() {
        guard let app = session.app, let setID = session.fusionSetID else { return }
        let handle: BuildHandle
        do {
            handle = try session.backend.startBuild(appPath: app.path, fusionSetID: setID)
        } catch {
            session.report(error: error, doing: "Starting the build")
            return
        }
        session.runningBuild = handle
        buildID = handle.buildID
        stages = handle.stages.map { StageState(name: $0) }
        outcome = nil
        cancelRequested = false
        log.replace(with: [])
        let mailbox = Mailbox<BuildEvent>()
        events = mailbox
        let stream = handle.events
        Task.detached {
            for await event in stream { mailbox.post(event) }
        }
        session.report("Building \((app.path as NSString).lastPathComponent) with \(session.fusionSetName ?? setID) (build \(handle.buildID))")
    }

    private func askToCancel() {
        guard let handle = session.runningBuild else { return }
        session.confirm("Cancel build \(handle.buildID)? No output file will be left behind.", confirmLabel: "Cancel the build") { [unowned self] in
            cancelRequested = true
            handle.cancel()
            session.report("Cancelling build \(handle.buildID)…")
        }
    }

    /// Events applied per tick at most, so a flood of log lines cannot delay the next frame
    /// (and the key waiting behind it); the rest are applied on the following ticks.
    static let eventsPerTick = 10_000

    func tick() -> Bool {
        let drained = events.drain(limit: Self.eventsPerTick)
        for event in drained { apply(event) }
        return !drained.isEmpty
    }

    func apply(_ event: BuildEvent) {
        func index(of stage: String) -> Int {
            if let found = stages.firstIndex(where: { $0.name == stage }) { return found }
            stages.append(StageState(name: stage))
            return stages.count - 1
        }
        switch event.kind {
        case let .stageStarted(stage):
            let i = index(of: stage)
            stages[i].phase = .running
            stages[i].started = event.time
            stages[i].lastUpdate = event.time
        case let .stageProgress(stage, fraction, done, total):
            let i = index(of: stage)
            if stages[i].started == nil { stages[i].started = event.time }
            stages[i].phase = .running
            stages[i].fraction = max(0, min(1, fraction))
            stages[i].bytesDone = done
            stages[i].bytesTotal = total
            stages[i].lastUpdate = event.time
        case let .stageFinished(stage):
            let i = index(of: stage)
            stages[i].phase = .done
            stages[i].fraction = 1
            if stages[i].bytesTotal > 0 { stages[i].bytesDone = stages[i].bytesTotal }
            stages[i].lastUpdate = event.time
        case let .log(line):
            log.append(line)
        case let .finished(result):
            finish(.succeeded(result))
            session.report("Build \(buildID ?? "") succeeded: \(result.outputPath)")
        case let .failed(message):
            for i in stages.indices where stages[i].phase == .running { stages[i].phase = .failed }
            finish(.failed(message))
            session.reportProblem("Build \(buildID ?? "") failed: \(message)")
        case .cancelled:
            for i in stages.indices where stages[i].phase == .running { stages[i].phase = .failed }
            finish(.cancelled)
            session.report("Build \(buildID ?? "") cancelled; no output was written")
        }
    }

    private func finish(_ result: Outcome) {
        outcome = result
        session.runningBuild = nil
    }

    // MARK: Drawing

    func draw(into canvas: Canvas, theme: ResolvedTheme) {
        canvas.fillAll(style: theme[.text])
        let sep = canvas.glyphs.separator
        let app = session.app.map { ($0.path as NSString).lastPathComponent } ?? "(no app: Upload, 1)"
        let set = session.fusionSetName ?? "(no Fusion Set: Fusion Sets, 3)"
        canvas.putFitted(" App \(app) \(sep) Fusion Set \(set)", row: 0, style: theme[.accent])
        var row = 1
        if stages.isEmpty {
            canvas.putFitted(bindings[0].disabledReason.map { " Not ready: \($0)" } ?? " Press b to build.", row: 2,
                             style: bindings[0].isEnabled ? theme[.text] : theme[.warning])
            row = 4
        } else {
            let compact = canvas.height < stages.count + 10
            if compact {
                let done = stages.filter { $0.phase == .done }.count
                let current = stages.first { $0.phase == .running || $0.phase == .failed } ?? stages[max(0, min(done, stages.count) - 1)]
                canvas.putFitted(" Stages \(done)/\(stages.count) done", row: row, style: theme[.text])
                row += 1
                drawStage(current, into: canvas, row: row, theme: theme)
                row += 1
            } else {
                for stage in stages {
                    drawStage(stage, into: canvas, row: row, theme: theme)
                    row += 1
                }
            }
        }
        if let outcome {
            row += drawOutcome(outcome, into: canvas.sub(Rect(row: row, column: 0, width: canvas.width, height: canvas.height - row)), theme: theme)
        }
        if row < canvas.height - 1, !stages.isEmpty || log.visibleCount > 0 {
            log.draw(into: canvas.sub(Rect(row: row, column: 0, width: canvas.width, height: canvas.height - row)), theme: theme)
        }
    }

    private func drawStage(_ stage: StageState, into canvas: Canvas, row: Int, theme: ResolvedTheme) {
        let glyphs = canvas.glyphs
        let (mark, role): (String, Role) = switch stage.phase {
        case .pending: (" ", .muted)
        case .running: (glyphs.stageRunning, .accent)
        case .done: (glyphs.stageDone, .success)
        case .failed: (glyphs.stageFailed, .error)
        }
        canvas.put(" \(mark) ", row: row, style: theme[role])
        canvas.putFitted(stage.name, row: row, column: 3, width: 11, style: stage.phase == .pending ? theme[.muted] : theme[.text])
        var detail = String(format: "%3d%%", Int((stage.fraction * 100).rounded(.down)))
        if stage.bytesTotal > 0 {
            detail += "  \(formatBytes(stage.bytesDone))/\(formatBytes(stage.bytesTotal))"
            if let started = stage.started, let last = stage.lastUpdate, last.timeIntervalSince(started) >= 0.2, stage.bytesDone > 0 {
                detail += "  \(formatBytes(Int64(Double(stage.bytesDone) / last.timeIntervalSince(started))))/s"
            }
        }
        let detailWidth = min(34, max(0, canvas.width - 26))
        let barWidth = max(4, canvas.width - 15 - detailWidth - 1)
        let filled = Int((Double(barWidth) * stage.fraction).rounded(.down))
        canvas.put(String(repeating: glyphs.barFull, count: filled), row: row, column: 15, style: theme[.progressDone])
        canvas.put(String(repeating: glyphs.barEmpty, count: barWidth - filled), row: row, column: 15 + filled, style: theme[.progressTodo])
        if detailWidth > 0 { canvas.putFitted(" " + detail, row: row, column: 15 + barWidth, width: detailWidth + 1, style: theme[.muted]) }
    }

    /// Draws the result lines; returns how many rows they took. Values wrap under their own column.
    private func drawOutcome(_ outcome: Outcome, into canvas: Canvas, theme: ResolvedTheme) -> Int {
        var lines: [(label: String, value: String, role: Role)]
        switch outcome {
        case let .succeeded(result):
            lines = [("", "Build \(buildID ?? "") succeeded", .success),
                     ("Output", result.outputPath, .text),
                     ("Certificate", "SHA-256 \(result.certificateFingerprint)", .text),
                     ("Report", result.reportPath, .text)]
        case let .failed(message):
            lines = [("", "Build \(buildID ?? "") failed: \(message)", .error)]
        case .cancelled:
            lines = [("", "Build \(buildID ?? "") cancelled: no output file was written", .warning)]
        }
        var row = 0
        for line in lines {
            let column = line.label.isEmpty ? 1 : 14
            for (index, part) in wrapText(line.value, width: max(1, canvas.width - column - 1)).enumerated() where row < canvas.height {
                if index == 0, !line.label.isEmpty { canvas.put(" " + line.label, row: row, style: theme[.formLabel]) }
                canvas.putFitted(part, row: row, column: column, style: theme[line.role])
                row += 1
            }
        }
        return row
    }
}

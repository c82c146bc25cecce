import Foundation

/// Builds: the workspace's past builds, newest first; Enter replays one's log.
final class BuildsPane: Pane {
    private unowned let session: ConsoleSession
    private var records: [BuildRecord] = []
    private var cursor = ListCursor()
    private var loadError: String?
    private var replaying: BuildRecord?
    private let log = LogView()
    private var visibleRows = 10

    init(session: ConsoleSession) { self.session = session }

    let title = "Builds"
    var capturesText: Bool { replaying != nil && log.isSearching }

    func activate() {
        do {
            records = try session.backend.builds()
            loadError = nil
        } catch {
            records = []
            loadError = userMessage(error)
        }
        cursor.update(count: records.count)
    }

    var bindings: [Binding] {
        if replaying != nil {
            return [Binding([.escape, .backspace], "Back to the list of builds", short: "Back", action: { [unowned self] in
                replaying = nil; return .redraw
            })] + log.bindings { [unowned self] in session.report($0) }
        }
        return ListMovement.bindings { [unowned self] in cursor.apply($0, page: visibleRows) } + [
            Binding([.enter], "Replay the build's log", short: "Log",
                    disabledReason: records.isEmpty ? "no builds yet" : nil, action: { [unowned self] in replay(); return .redraw }),
            Binding([.character("r")], "Reload the list", short: "Reload", action: { [unowned self] in activate(); return .redraw }),
            Binding([.character("c")], "Copy the build ID (OSC 52)", short: "Copy ID",
                    disabledReason: records.isEmpty ? "no builds yet" : nil, action: { [unowned self] in
                        session.copy(records[cursor.selected].id, what: "build ID"); return .redraw
                    }),
        ]
    }

    func handle(_ key: Key) -> HandleResult {
        if replaying != nil, log.isSearching { return log.handle(key) { [unowned self] in session.report($0) } }
        return bindings.dispatch(key) { session.reportProblem($0) }
    }

    private func replay() {
        guard records.indices.contains(cursor.selected) else { return }
        let record = records[cursor.selected]
        do {
            log.replace(with: try session.backend.buildLog(id: record.id))
            replaying = record
        } catch {
            session.report(error: error, doing: "Reading the log of \(record.id)")
        }
    }

    func draw(into canvas: Canvas, theme: ResolvedTheme) {
        canvas.fillAll(style: theme[.text])
        let sep = canvas.glyphs.separator
        if let replaying {
            canvas.putFitted(" Build \(replaying.id) \(sep) \(replaying.outcome.rawValue) \(sep) \(formatDate(replaying.started))",
                             row: 0, style: theme[.accent])
            log.draw(into: canvas.sub(Rect(row: 1, column: 0, width: canvas.width, height: canvas.height - 1)), theme: theme)
            return
        }
        func row(_ id: String, _ date: String, _ outcome: String, _ app: String) -> String {
            " " + id.padding(toLength: 16, withPad: " ", startingAt: 0) + " " + date.padding(toLength: 20, withPad: " ", startingAt: 0)
                + " " + outcome.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + app
        }
        canvas.putFitted(row("Build", "Started", "Outcome", "App / Fusion Set"), row: 0, style: theme[.listHeader])
        if let loadError {
            canvas.putFitted(" Cannot list builds: \(loadError)", row: 1, style: theme[.error])
        } else if records.isEmpty {
            canvas.putFitted(" No builds yet: Build My App (4) starts one.", row: 1, style: theme[.muted])
        }
        visibleRows = max(1, canvas.height - 1)
        let top = cursor.scroll(height: visibleRows)
        for index in top..<min(records.count, top + visibleRows) {
            let record = records[index]
            let style: CellStyle
            if index == cursor.selected { style = theme[.listSelection] } else {
                switch record.outcome {
                case .failed: style = theme[.error]
                case .cancelled: style = theme[.warning]
                default: style = theme[.listItem]
                }
            }
            canvas.putFitted(row(record.id, formatDate(record.started), record.outcome.rawValue,
                                 "\(record.appName) \(sep) \(record.fusionSetName)"), row: 1 + index - top, style: style)
        }
    }
}

import Foundation

public enum PaneKind: Int, CaseIterable, Sendable {
    case upload, secureCommunication, fusionSets, build, builds
}

/// How the console ended, for the exit status.
public enum ConsoleExit: Equatable, Sendable {
    case quit
    case signal(Int32)
}

/// The whole console: layout (title, navigation, main pane, status line, key-hint bar),
/// global bindings, dialogs, themes, and the event loop that polls input and drains engine
/// events on every tick.
public final class ConsoleApp {
    public static let minimumSize = TerminalSize(rows: 16, columns: 60)
    /// How long one poll for input waits when nothing is live; also the longest an engine
    /// result waits to be drawn.
    public static let tickMilliseconds = 20
    /// While a build runs the loop aims at this frame interval, waiting only for what is left of it.
    public static let frameMilliseconds = 16

    public let terminal: any Terminal
    public let session: ConsoleSession
    public let themes: ThemeCatalog
    public private(set) var theme: ResolvedTheme
    public private(set) var current: PaneKind = .upload
    let panes: [PaneKind: any Pane]
    private var modals: [Modal] = []
    private var quitRequested = false
    private let glyphs: Glyphs

    private struct NavEntry {
        let label: String
        let depth: Int
        let pane: PaneKind?
    }

    private let navigation: [NavEntry] = [
        NavEntry(label: "Upload", depth: 0, pane: .upload),
        NavEntry(label: "Build", depth: 0, pane: nil),
        NavEntry(label: "Security", depth: 1, pane: nil),
        NavEntry(label: "Secure Communication", depth: 2, pane: .secureCommunication),
        NavEntry(label: "Fusion Sets", depth: 0, pane: .fusionSets),
        NavEntry(label: "Build My App", depth: 0, pane: .build),
        NavEntry(label: "Builds", depth: 0, pane: .builds),
    ]

    /// - Parameters:
    ///   - startFolder: where the Upload file picker starts.
    ///   - notice: a first line for the status bar (what was done to ready the workspace).
    ///   - clock: the time used for build rates and elapsed times (tests fix it).
    public init(terminal: any Terminal, backend: any ConsoleBackend, theme: Theme, themes: ThemeCatalog,
                startFolder: String, notice: String? = nil, clock: @escaping () -> Date = Date.init) {
        self.terminal = terminal
        self.themes = themes
        glyphs = terminal.supportsUnicode ? .unicode : .ascii
        session = ConsoleSession(backend: backend, clock: clock)
        var chosen = theme
        if terminal.colorDepth == .monochrome, theme.name != "monochrome", let mono = try? themes.load("monochrome") {
            chosen = mono
        }
        self.theme = chosen.resolved(for: terminal.colorDepth)
        let buildPane = BuildPane(session: session)
        panes = [
            .upload: UploadPane(session: session, startFolder: startFolder),
            .secureCommunication: SecureCommunicationPane(session: session),
            .fusionSets: FusionSetsPane(session: session),
            .build: buildPane,
            .builds: BuildsPane(session: session),
        ]
        session.host = self
        if let notice { session.report(notice) }
        if !chosen.warnings.isEmpty {
            session.reportProblem("Theme \(chosen.name): \(chosen.warnings.count) problem(s); first: \(chosen.warnings[0])")
        } else if chosen.name != theme.name {
            session.report("No colours here (NO_COLOR or a monochrome terminal): using the monochrome theme")
        }
        panes[current]?.activate()
    }

    public var currentPane: any Pane { panes[current]! }
    public var isBuildRunning: Bool { session.runningBuild != nil }
    var hasModal: Bool { !modals.isEmpty }

    // MARK: Global bindings

    var globalBindings: [Binding] {
        var list = [
            Binding([.character("?"), .function(1)], "Show every key of this screen", short: "Help", action: { [unowned self] in
                present(.help(ListCursor())); return .redraw
            }),
            Binding([.tab], "Next pane", short: "Next", action: { [unowned self] in
                switchTo(PaneKind(rawValue: (current.rawValue + 1) % PaneKind.allCases.count)!); return .redraw
            }),
            Binding([.backTab], "Previous pane", action: { [unowned self] in
                let count = PaneKind.allCases.count
                switchTo(PaneKind(rawValue: (current.rawValue + count - 1) % count)!); return .redraw
            }),
        ]
        for kind in PaneKind.allCases {
            let digit = Character(String(kind.rawValue + 1))
            list.append(Binding([.character(digit)], "Go to \(panes[kind]!.title)", action: { [unowned self] in
                switchTo(kind); return .redraw
            }))
        }
        list += [
            Binding([.character("t")], "Choose a colour theme", short: "Theme", action: { [unowned self] in
                var cursor = ListCursor()
                let names = themes.names
                cursor.update(count: names.count)
                cursor.select(names.firstIndex(of: theme.name) ?? 0)
                present(.themePicker(cursor, original: theme.name)); return .redraw
            }),
            Binding([.character("q")], "Quit (asks first while a build runs)", short: "Quit",
                    action: { [unowned self] in requestQuit(); return .redraw }),
        ]
        return list
    }

    func requestQuit() {
        guard let build = session.runningBuild else { quitRequested = true; return }
        session.confirm("A build is running. Cancel it and quit?", confirmLabel: "Cancel build and quit") { [unowned self] in
            build.cancel()
            quitRequested = true
        }
    }

    func switchTo(_ kind: PaneKind) {
        guard kind != current else { return }
        current = kind
        panes[kind]?.activate()
    }

    func present(_ modal: Modal) { modals.append(modal) }

    public func apply(theme newTheme: Theme) {
        var chosen = newTheme
        if terminal.colorDepth == .monochrome, newTheme.name != "monochrome", let mono = try? themes.load("monochrome") {
            chosen = mono
        }
        theme = chosen.resolved(for: terminal.colorDepth)
    }

    // MARK: Events

    /// Handles one event; false once the console should end.
    @discardableResult
    public func handle(_ event: InputEvent) -> Bool {
        switch event {
        case .resize: terminal.clear()
        case let .mouse(mouse): handle(mouse: mouse)
        case let .key(key):
            if isTooSmall {
                if key == .character("q") { requestQuit() }
            } else if !modals.isEmpty {
                handleModal(key)
            } else {
                let pane = currentPane
                let result = pane.handle(key)
                if !result.contains(.handled), !pane.capturesText {
                    _ = globalBindings.dispatch(key) { session.reportProblem($0) }
                }
                if result.contains(.breakLoop) { quitRequested = true }
            }
        }
        return !quitRequested
    }

    private func handle(mouse: MouseEvent) {
        guard modals.isEmpty, !isTooSmall else { return }
        let layout = self.layout
        if layout.navigation.contains(row: mouse.row, column: mouse.column), mouse.kind == .click {
            let index = mouse.row - layout.navigation.row
            if navigation.indices.contains(index), let pane = navigation[index].pane { switchTo(pane) }
            return
        }
        guard layout.main.contains(row: mouse.row, column: mouse.column) else { return }
        let pane = currentPane
        if pane.handle(mouse: mouse, in: layout.main).contains(.handled) { return }
        switch mouse.kind {
        case .wheelUp: for _ in 0..<3 { _ = pane.handle(.up) }
        case .wheelDown: for _ in 0..<3 { _ = pane.handle(.down) }
        case .click: break
        }
    }

    private func handleModal(_ key: Key) {
        guard let top = modals.popLast() else { return }
        switch top {
        case let .confirm(dialog):
            switch key {
            case .character("y"), .character("Y"): dialog.onConfirm()
            case .character("n"), .character("N"), .escape, .enter, .character("q"): break
            default: modals.append(top)
            }
        case var .prompt(dialog):
            switch dialog.field.handle(key) {
            case .submitted:
                if let problem = dialog.onSubmit(dialog.field.text) {
                    dialog.error = problem
                    modals.append(.prompt(dialog))
                }
            case .cancelled: break
            case .edited, .ignored:
                dialog.error = nil
                modals.append(.prompt(dialog))
            }
        case var .choice(dialog):
            if dialog.cursor.handle(key, page: 5) { modals.append(.choice(dialog)); return }
            switch key {
            case .enter, .character(" "): dialog.onChoose(dialog.cursor.selected)
            case .escape, .character("q"): break
            default: modals.append(.choice(dialog))
            }
        case var .help(cursor):
            switch key {
            case .escape, .character("q"), .character("?"), .function(1), .enter: break
            default:
                cursor.update(count: max(helpRowCount, helpLines().count))
                _ = cursor.handle(key, page: 10)
                modals.append(.help(cursor))
            }
        case .themePicker(var cursor, let original):
            let names = themes.names
            if cursor.handle(key, page: 5) {
                previewTheme(names[cursor.selected])
                modals.append(.themePicker(cursor, original: original))
                return
            }
            switch key {
            case .enter, .character(" "):
                previewTheme(names[cursor.selected])
                session.report("Theme: \(theme.name) (start with --theme \(theme.name) to keep it)")
            case .escape, .character("q"): previewTheme(original)
            default: modals.append(.themePicker(cursor, original: original))
            }
        }
    }

    private func previewTheme(_ name: String) {
        do { apply(theme: try themes.load(name)) } catch { session.report(error: error, doing: "Loading theme \(name)") }
    }

    /// Drains asynchronous results of every pane; true when the screen should be redrawn.
    @discardableResult
    public func tick() -> Bool {
        var changed = false
        for kind in PaneKind.allCases where panes[kind]!.tick() { changed = true }
        return changed
    }

    /// Runs until quit or a termination signal. The loop never blocks longer than one tick,
    /// so engine events are drawn promptly and keys stay responsive during a build.
    public func run(pendingSignal: () -> Int32? = { nil }) -> ConsoleExit {
        render()
        var lastFrame = Date()
        while true {
            if let signal = pendingSignal() {
                session.runningBuild?.cancel()
                return .signal(signal)
            }
            var dirty = false
            var wait = Self.tickMilliseconds
            if isBuildRunning {
                let spent = Int(Date().timeIntervalSince(lastFrame) * 1000)
                wait = max(0, Self.frameMilliseconds - spent)
            }
            if let event = terminal.readEvent(timeoutMilliseconds: wait) {
                if !handle(event) { break }
                dirty = true
                while let more = terminal.readEvent(timeoutMilliseconds: 0) {
                    if !handle(more) { return .quit }
                }
            }
            if tick() { dirty = true }
            if dirty {
                render()
                lastFrame = Date()
            }
        }
        return .quit
    }

    // MARK: Layout and drawing

    struct Layout {
        let title: Rect
        let navigation: Rect
        let main: Rect
        let status: Rect
        let bar: Rect
    }

    var isTooSmall: Bool {
        terminal.size.rows < Self.minimumSize.rows || terminal.size.columns < Self.minimumSize.columns
    }

    /// Wide terminals show each pane's digit in the navigation; narrow ones keep the room for the pane.
    private var showsPaneNumbers: Bool { terminal.size.columns >= 100 }

    var layout: Layout {
        let size = terminal.size
        let navigationWidth = showsPaneNumbers ? 27 : min(24, size.columns / 3)
        let bodyHeight = size.rows - 3
        return Layout(title: Rect(row: 0, column: 0, width: size.columns, height: 1),
                      navigation: Rect(row: 1, column: 0, width: navigationWidth, height: bodyHeight),
                      main: Rect(row: 1, column: navigationWidth + 1, width: size.columns - navigationWidth - 1, height: bodyHeight),
                      status: Rect(row: size.rows - 2, column: 0, width: size.columns, height: 1),
                      bar: Rect(row: size.rows - 1, column: 0, width: size.columns, height: 1))
    }

    public func render() {
        terminal.clear()
        let screen = Canvas(terminal: terminal, bounds: Rect(row: 0, column: 0, width: terminal.size.columns,
                                                             height: terminal.size.rows), glyphs: glyphs)
        if isTooSmall {
            drawTooSmall(screen)
            terminal.flush()
            return
        }
        let layout = self.layout
        drawTitle(screen.sub(layout.title))
        drawNavigation(screen.sub(layout.navigation))
        for row in 0..<layout.navigation.height {
            screen.put(glyphs.vertical, row: layout.navigation.row + row, column: layout.navigation.width, style: theme[.border])
        }
        let main = screen.sub(layout.main)
        currentPane.draw(into: main, theme: theme)
        drawStatus(screen.sub(layout.status))
        drawBar(screen.sub(layout.bar))
        if let modal = modals.last { draw(modal, on: screen) }
        terminal.flush()
    }

    private func drawTooSmall(_ screen: Canvas) {
        screen.fillAll(style: theme[.text])
        let size = terminal.size
        let lines = [
            "Terminal too small: \(size.columns)×\(size.rows)",
            "appseal needs at least \(Self.minimumSize.columns)×\(Self.minimumSize.rows).",
            "Enlarge the window, or press q to quit.",
        ]
        let top = max(0, (size.rows - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let text = terminal.supportsUnicode ? line : line.replacingOccurrences(of: "×", with: "x")
            let column = max(0, (size.columns - DisplayWidth.of(text)) / 2)
            screen.put(text, row: top + index, column: column, style: index == 0 ? theme[.error] : theme[.text])
        }
    }

    private func drawTitle(_ canvas: Canvas) {
        canvas.fill(row: 0, style: theme[.title])
        canvas.put(" appseal \(glyphs.separator) \(currentPane.title)", row: 0, style: theme[.title])
        let right = session.backend.workspaceDescription + " "
        let width = DisplayWidth.of(right)
        let left = DisplayWidth.of(" appseal \(glyphs.separator) \(currentPane.title)") + 2
        if width < canvas.width - left {
            canvas.put(right, row: 0, column: canvas.width - width, style: theme[.title])
        }
    }

    private func drawNavigation(_ canvas: Canvas) {
        canvas.fillAll(style: theme[.navItem])
        for (index, entry) in navigation.enumerated() {
            let indent = entry.depth == 0 ? " " : String(repeating: " ", count: entry.depth) + glyphs.pointer + " "
            let style: CellStyle
            if entry.pane == current { style = theme[.navCurrent] } else if entry.pane == nil { style = theme[.navHeader] } else { style = theme[.navItem] }
            let number = showsPaneNumbers ? entry.pane.map { " \($0.rawValue + 1)" } ?? "" : ""
            let label = indent + entry.label
            canvas.putFitted(label, row: index, width: canvas.width - DisplayWidth.of(number), style: style)
            if !number.isEmpty { canvas.put(number, row: index, column: canvas.width - DisplayWidth.of(number), style: entry.pane == current ? style : theme[.muted]) }
        }
        var row = navigation.count + 1
        let sep = glyphs.separator
        if let app = session.app {
            canvas.putFitted(" App \(sep) \(app.identifier)", row: row, style: theme[.muted]); row += 1
        }
        if let name = session.fusionSetName {
            canvas.putFitted(" Set \(sep) \(name)", row: row, style: theme[.muted])
        }
    }

    private func drawStatus(_ canvas: Canvas) {
        canvas.fill(row: 0, style: theme[.status])
        var right = ""
        if isBuildRunning { right = "  build running " }
        let rightWidth = DisplayWidth.of(right)
        canvas.putFitted(" " + session.statusText, row: 0, width: canvas.width - rightWidth,
                         style: session.statusIsError ? theme[.statusError] : theme[.status])
        if rightWidth > 0 { canvas.put(right, row: 0, column: canvas.width - rightWidth, style: theme[.statusBusy]) }
    }

    /// The key-hint bar: Help first, Quit last, the pane's labelled bindings between, as many as fit.
    private func drawBar(_ canvas: Canvas) {
        canvas.fill(row: 0, style: theme[.barLabel])
        let global = globalBindings
        let help = global.first { $0.shortLabel == "Help" }!
        let quit = global.first { $0.shortLabel == "Quit" }!
        let middle = (currentPane.bindings + global.filter { $0.shortLabel == "Next" || $0.shortLabel == "Theme" })
            .filter { $0.shortLabel != nil }
        func width(_ binding: Binding) -> Int { DisplayWidth.of(binding.keys[0].label) + DisplayWidth.of(binding.shortLabel!) + 3 }
        var chosen: [Binding] = []
        var used = width(help) + width(quit)
        for binding in middle where used + width(binding) <= canvas.width {
            chosen.append(binding)
            used += width(binding)
        }
        var column = 0
        for binding in [help] + chosen + [quit] {
            let key = " \(binding.keys[0].label) "
            column += canvas.put(key, row: 0, column: column, style: binding.isEnabled ? theme[.barKey] : theme[.barDisabled])
            column += canvas.put(binding.shortLabel! + " ", row: 0, column: column, style: binding.isEnabled ? theme[.barLabel] : theme[.barDisabled])
        }
    }

    private func draw(_ modal: Modal, on screen: Canvas) {
        switch modal {
        case let .confirm(dialog):
            let inner = dialogBox(on: screen, title: "Confirm", width: 56, height: 4 + wrapText(dialog.message, width: 50).count)
            let lines = wrapText(dialog.message, width: inner.width - 2)
            for (index, line) in lines.enumerated() { inner.put(line, row: index, column: 1, style: theme[.dialogText]) }
            var column = 1
            column += inner.put(" y ", row: lines.count + 1, column: column, style: theme[.dialogKey])
            column += inner.put(dialog.confirmLabel + "   ", row: lines.count + 1, column: column, style: theme[.dialogText])
            column += inner.put(" n ", row: lines.count + 1, column: column, style: theme[.dialogKey])
            inner.put("Keep going", row: lines.count + 1, column: column, style: theme[.dialogText])
        case let .prompt(dialog):
            let inner = dialogBox(on: screen, title: dialog.title, width: 64, height: 6)
            dialog.field.draw(into: inner, row: 0, column: 1, width: inner.width - 2, style: theme[.formEditing])
            if let error = dialog.error {
                inner.putFitted(error, row: 1, column: 1, width: inner.width - 2, style: theme[.formError])
            }
            inner.put("Enter to save, Esc to cancel", row: 3, column: 1, style: theme[.dialogText])
        case let .choice(dialog):
            var cursor = dialog.cursor
            let inner = dialogBox(on: screen, title: dialog.title, width: 44, height: min(screen.height - 4, dialog.choices.count + 2))
            let top = cursor.scroll(height: inner.height)
            for row in 0..<inner.height where top + row < dialog.choices.count {
                let index = top + row
                inner.putFitted(" " + dialog.choices[index], row: row, style: index == cursor.selected ? theme[.listSelection] : theme[.dialogText])
            }
        case let .help(cursor):
            drawHelp(on: screen, cursor: cursor)
        case let .themePicker(cursor, _):
            var cursor = cursor
            let names = themes.names
            let inner = dialogBox(on: screen, title: "Theme", width: 50, height: min(screen.height - 4, names.count + 4))
            let top = cursor.scroll(height: inner.height - 2)
            for row in 0..<(inner.height - 2) where top + row < names.count {
                let index = top + row
                let summary = (try? themes.load(names[index]).summary) ?? ""
                inner.putFitted(" \(names[index].padding(toLength: 14, withPad: " ", startingAt: 0)) \(summary)", row: row,
                                style: index == cursor.selected ? theme[.listSelection] : theme[.dialogText])
            }
            let note = terminal.colorDepth == .monochrome ? "No colours here: monochrome is used" : "Enter keep \(glyphs.separator) Esc revert"
            inner.putFitted(" " + note, row: inner.height - 1, style: theme[.muted])
        }
    }

    private func dialogBox(on screen: Canvas, title: String, width: Int, height: Int) -> Canvas {
        let width = min(width, screen.width - 2)
        let height = min(height, screen.height - 2)
        let rect = Rect(row: (screen.height - height) / 2, column: (screen.width - width) / 2, width: width, height: height)
        return screen.sub(rect).box(title: title, style: theme[.dialogText], titleStyle: theme[.dialogTitle])
    }

    /// Lines of the `?` overlay: global keys, then the current pane's, each with why it is disabled.
    func helpLines() -> [(key: String, text: String, enabled: Bool)] {
        var lines: [(String, String, Bool)] = []
        for (heading, bindings) in [("Global", globalBindings), (currentPane.title, currentPane.bindings)] {
            if !lines.isEmpty { lines.append(("", "", true)) }
            lines.append((heading, "", true))
            for binding in bindings {
                let text = binding.disabledReason.map { "\(binding.description) (now unavailable: \($0))" } ?? binding.description
                lines.append((binding.keyLabel, text, binding.isEnabled))
            }
        }
        return lines
    }

    /// Rows of the help overlay at the last drawn width, for scrolling.
    private var helpRowCount = 0

    private func drawHelp(on screen: Canvas, cursor: ListCursor) {
        let textWidth = max(10, min(76, screen.width - 2) - 2 - 17)
        var rows: [(key: String, text: String, role: Role)] = []
        for line in helpLines() {
            if line.text.isEmpty {
                rows.append((line.key, "", .dialogTitle))
                continue
            }
            for (index, part) in wrapText(line.text, width: textWidth).enumerated() {
                rows.append((index == 0 ? line.key : "", part, line.enabled ? .dialogText : .muted))
            }
        }
        helpRowCount = rows.count
        let height = min(screen.height - 2, rows.count + 2)
        let scrolls = rows.count > height - 2
        let title = "Keys \(glyphs.separator) Esc closes" + (scrolls ? " \(glyphs.separator) j/k scroll" : "")
        let inner = dialogBox(on: screen, title: title, width: 76, height: height)
        let top = min(cursor.selected, max(0, rows.count - inner.height))
        for row in 0..<inner.height where top + row < rows.count {
            let line = rows[top + row]
            if line.text.isEmpty {
                inner.put(line.key, row: row, column: 1, style: theme[line.role])
                continue
            }
            inner.putFitted(line.key, row: row, column: 1, width: 14, style: line.role == .muted ? theme[.muted] : theme[.dialogKey])
            inner.putFitted(line.text, row: row, column: 16, width: inner.width - 17, style: theme[line.role])
        }
    }
}

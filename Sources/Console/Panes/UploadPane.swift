import Foundation

/// Upload: browse folders for .apk / .aab / .ipa files (or type a path), then show what
/// the engine's inspection found.
final class UploadPane: Pane {
    static let appExtensions: Set<String> = ["apk", "aab", "ipa"]

    private struct Entry {
        let name: String
        let isDirectory: Bool
        let size: Int64
    }

    private unowned let session: ConsoleSession
    private(set) var folder: URL
    private var entries: [Entry] = []
    private var listError: String?
    private var cursor = ListCursor()
    private var showsAllFiles = false
    private var pathField: TextField?
    private var inspecting: String?
    private var showingResult = false
    private let results = Mailbox<Result<AppSummary, any Error>>()
    private var visibleRows = 10

    init(session: ConsoleSession, startFolder: String) {
        self.session = session
        folder = URL(fileURLWithPath: startFolder).standardizedFileURL
        reload()
    }

    let title = "Upload"
    var capturesText: Bool { pathField != nil }

    var bindings: [Binding] {
        if showingResult {
            return [
                Binding([.escape, .character("b")], "Choose another app", short: "Browse", action: { [unowned self] in
                    showingResult = false; return .redraw
                }),
                Binding([.character("f")], "Go to Fusion Sets to pick or create a set", short: "Fusion Sets", action: { [unowned self] in
                    session.show(.fusionSets); return .redraw
                }),
            ]
        }
        let selected = entries.indices.contains(cursor.selected) ? entries[cursor.selected] : nil
        return ListMovement.bindings { [unowned self] in cursor.apply($0, page: visibleRows) } + [
            Binding([.enter, .right, .character("l")], "Open the folder, or inspect the app",
                    short: "Open", disabledReason: selected == nil ? "this folder shows no entries" : (inspecting != nil ? "an inspection is running" : nil),
                    action: { [unowned self] in open(); return .redraw }),
            Binding([.backspace, .left, .character("h")], "Go to the parent folder", short: "Up", action: { [unowned self] in
                enter(folder.deletingLastPathComponent()); return .redraw
            }),
            Binding([.character("o"), .character("/")], "Type a path to an app or folder", short: "Path", action: { [unowned self] in
                pathField = TextField(folder.path + "/"); return .redraw
            }),
            Binding([.character("a")], "Show all files, or only .apk, .aab and .ipa files again",
                    short: showsAllFiles ? "Apps only" : "All files", action: { [unowned self] in
                        showsAllFiles.toggle(); reload(); return .redraw
                    }),
            Binding([.character("r")], "Show the last inspection result", short: nil,
                    disabledReason: session.app == nil ? "no app inspected yet" : nil, action: { [unowned self] in
                        showingResult = true; return .redraw
                    }),
        ]
    }

    func handle(_ key: Key) -> HandleResult {
        if var field = pathField {
            switch field.handle(key) {
            case .submitted:
                pathField = nil
                submit(path: field.text)
            case .cancelled: pathField = nil
            case .edited, .ignored: pathField = field
            }
            return .handledAndRedraw
        }
        return bindings.dispatch(key) { session.reportProblem($0) }
    }

    func handle(mouse: MouseEvent, in bounds: Rect) -> HandleResult {
        guard !showingResult, mouse.kind == .click else { return .ignored }
        let index = cursor.top + (mouse.row - bounds.row - 2)
        guard entries.indices.contains(index) else { return .ignored }
        if index == cursor.selected { open() } else { cursor.select(index) }
        return .handledAndRedraw
    }

    private func open() {
        guard entries.indices.contains(cursor.selected) else { return }
        let entry = entries[cursor.selected]
        let url = folder.appendingPathComponent(entry.name)
        if entry.isDirectory { enter(url) } else { inspect(url.path) }
    }

    private func enter(_ url: URL) {
        let previous = folder
        folder = url.standardizedFileURL
        reload()
        if listError != nil {
            session.reportProblem("Cannot open \(folder.path): \(listError!)")
            folder = previous
            reload()
        } else {
            cursor.select(0)
        }
    }

    private func submit(path: String) {
        let expanded = (path as NSString).expandingTildeInPath
        let url = URL(fileURLWithPath: expanded, relativeTo: folder).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            session.reportProblem("No such file or folder: \(url.path)")
            return
        }
        if isDirectory.boolValue { enter(url); return }
        guard Self.appExtensions.contains(url.pathExtension.lowercased()) else {
            session.reportProblem("\(url.lastPathComponent) is not an .apk, .aab or .ipa file")
            return
        }
        inspect(url.path)
    }

    private func inspect(_ path: String) {
        guard inspecting == nil else { return }
        inspecting = path
        session.report("Inspecting \((path as NSString).lastPathComponent)…")
        let backend = session.backend
        let results = self.results
        Task.detached {
            do { results.post(.success(try await backend.inspect(appAt: path))) } catch { results.post(.failure(error)) }
        }
    }

    func tick() -> Bool {
        let finished = results.drain()
        guard !finished.isEmpty else { return false }
        for result in finished {
            let name = ((inspecting ?? "") as NSString).lastPathComponent
            inspecting = nil
            switch result {
            case let .success(summary):
                session.useApp(summary)
                showingResult = true
                session.report(summary.problems.isEmpty ? "Inspected \(name): ready to build"
                                                        : "Inspected \(name): \(summary.problems.count) problem(s) found")
            case let .failure(error):
                session.report(error: error, doing: "Inspecting \(name)")
            }
        }
        return true
    }

    private func reload() {
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            var found: [Entry] = []
            for name in names where !name.hasPrefix(".") {
                let url = folder.appendingPathComponent(name)
                let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .fileSizeKey])
                let isDirectory = values?.isDirectory ?? false
                if !isDirectory, !showsAllFiles, !Self.appExtensions.contains(url.pathExtension.lowercased()) { continue }
                found.append(Entry(name: name, isDirectory: isDirectory, size: Int64(values?.fileSize ?? 0)))
            }
            entries = found.sorted { ($0.isDirectory ? 0 : 1, $0.name.lowercased()) < ($1.isDirectory ? 0 : 1, $1.name.lowercased()) }
            listError = nil
        } catch {
            entries = []
            listError = (error as NSError).localizedFailureReason ?? userMessage(error)
        }
        cursor.update(count: entries.count)
    }

    func draw(into canvas: Canvas, theme: ResolvedTheme) {
        canvas.fillAll(style: theme[.text])
        if showingResult, let app = session.app {
            drawResult(app, into: canvas, theme: theme)
            return
        }
        canvas.putFitted(" Folder: \(folder.path)", row: 0, style: theme[.accent])
        let sizeWidth = 10
        canvas.putFitted(" Name", row: 1, width: canvas.width - sizeWidth, style: theme[.listHeader])
        canvas.putFitted(String(repeating: " ", count: max(0, sizeWidth - 5)) + "Size ", row: 1, column: canvas.width - sizeWidth,
                         width: sizeWidth, style: theme[.listHeader])
        let footer = pathField != nil || inspecting != nil ? 2 : 0
        visibleRows = max(1, canvas.height - 2 - footer)
        if entries.isEmpty {
            let message = listError.map { "Cannot read this folder: \($0)" }
                ?? (showsAllFiles ? "(empty folder)" : "(no .apk, .aab or .ipa files here; a shows all files, o types a path)")
            canvas.putFitted(" " + message, row: 2, style: theme[.muted])
        }
        let top = cursor.scroll(height: visibleRows)
        for row in 0..<visibleRows where top + row < entries.count {
            let index = top + row
            let entry = entries[index]
            let style = index == cursor.selected ? theme[.listSelection] : theme[.listItem]
            let size = entry.isDirectory ? "folder " : formatBytes(entry.size) + " "
            canvas.putFitted(" " + entry.name + (entry.isDirectory ? "/" : ""), row: 2 + row, width: canvas.width - sizeWidth, style: style)
            canvas.putFitted(String(repeating: " ", count: max(0, sizeWidth - size.count)) + size, row: 2 + row,
                             column: canvas.width - sizeWidth, width: sizeWidth, style: style)
        }
        if let field = pathField {
            canvas.put(" Path: ", row: canvas.height - 1, style: theme[.formLabel])
            field.draw(into: canvas, row: canvas.height - 1, column: 7, width: canvas.width - 8, style: theme[.formEditing])
        } else if let inspecting {
            canvas.putFitted(" Inspecting \(inspecting) \(canvas.glyphs.ellipsis)", row: canvas.height - 1, style: theme[.statusBusy])
        }
    }

    private func drawResult(_ app: AppSummary, into canvas: Canvas, theme: ResolvedTheme) {
        var row = 0
        let labelWidth = 13
        func field(_ label: String, _ values: [String], role: Role = .formValue) {
            let shown = values.isEmpty ? ["(none)"] : values
            for (index, value) in shown.enumerated() where row < canvas.height {
                if index == 0 { canvas.put(" " + label, row: row, style: theme[.formLabel]) }
                for line in wrapText(value, width: max(1, canvas.width - labelWidth - 2)) where row < canvas.height {
                    canvas.putFitted(line, row: row, column: labelWidth + 1, style: values.isEmpty ? theme[.muted] : theme[role])
                    row += 1
                }
            }
        }
        canvas.putFitted(" Inspected \((app.path as NSString).lastPathComponent)", row: row, style: theme[.accent])
        row += 2
        field("Path", [app.path])
        field("Platform", [app.platform.rawValue])
        field("Identifier", [app.identifier])
        field("Version", [app.version])
        field("SDK levels", [app.sdkLevels.joined(separator: " \(canvas.glyphs.separator) ")].filter { !$0.isEmpty })
        field("Frameworks", app.frameworks)
        field("Signatures", app.signatures)
        if app.problems.isEmpty {
            field("Problems", ["none found"], role: .success)
        } else {
            field("Problems", app.problems, role: .warning)
        }
        row += 1
        if row < canvas.height {
            canvas.putFitted(" Next: pick or create a Fusion Set (3), then Build My App (4).", row: row, style: theme[.muted])
        }
    }
}

import Foundation

/// A live log: follows the tail until scrolled up, filters by level, wraps long lines and
/// searches with `/`. Only the rows on screen are formatted, so drawing cost does not grow
/// with the number of lines.
public final class LogView {
    /// Past this many lines the oldest tenth is dropped (build.log keeps everything).
    public let capacity: Int
    public private(set) var lines: [LogLine] = []
    public private(set) var droppedCount = 0
    /// Indices into `lines` that pass the level filter.
    private var visible: [Int] = []
    public private(set) var minimumLevel: LogLevel = .debug
    public private(set) var isFollowing = true
    public private(set) var wraps = true
    /// Index into `visible` of the bottom row's line while paused.
    private var bottom = 0
    private var unseenWhilePaused = 0
    public private(set) var query: String?
    private var searchField: TextField?
    private var pageHeight = 10
    private var notice: String?

    public init(capacity: Int = 500_000) {
        self.capacity = max(10, capacity)
    }

    public var isSearching: Bool { searchField != nil }
    public var visibleCount: Int { visible.count }

    public func append(_ line: LogLine) {
        if lines.count >= capacity { dropOldest() }
        lines.append(line)
        if line.level >= minimumLevel {
            visible.append(lines.count - 1)
            if !isFollowing { unseenWhilePaused += 1 }
        }
    }

    public func replace(with newLines: [LogLine]) {
        lines = []
        droppedCount = 0
        visible = []
        isFollowing = true
        unseenWhilePaused = 0
        for line in newLines { append(line) }
    }

    private func dropOldest() {
        let drop = capacity / 10
        lines.removeFirst(drop)
        droppedCount += drop
        let bottomLine = visible.indices.contains(bottom) ? visible[bottom] - drop : 0
        rebuildVisible(keeping: max(0, bottomLine))
    }

    private func rebuildVisible(keeping lineIndex: Int) {
        visible = lines.indices.filter { lines[$0].level >= minimumLevel }
        bottom = visible.firstIndex { $0 >= lineIndex } ?? max(0, visible.count - 1)
    }

    // MARK: Keys

    public func bindings(report: @escaping (String) -> Void) -> [Binding] {
        [
            Binding([.up, .character("k")], "Scroll the log up one line (pauses following)", action: { [unowned self] in
                scroll(by: -1); return .redraw
            }),
            Binding([.down, .character("j")], "Scroll the log down one line", action: { [unowned self] in
                scroll(by: 1); return .redraw
            }),
            Binding([.pageUp], "Scroll the log up a page", action: { [unowned self] in
                scroll(by: -max(1, pageHeight - 1)); return .redraw
            }),
            Binding([.pageDown], "Scroll the log down a page", action: { [unowned self] in
                scroll(by: max(1, pageHeight - 1)); return .redraw
            }),
            Binding([.home, .character("g")], "Jump to the first line", action: { [unowned self] in
                pause(); bottom = min(visible.count - 1, max(0, pageHeight - 1)); return .redraw
            }),
            Binding([.end, .character("G")], "Follow the tail again", short: "Follow", action: { [unowned self] in
                follow(); return .redraw
            }),
            Binding([.character("/")], "Search the log", short: "Search", action: { [unowned self] in
                searchField = TextField(query ?? ""); return .redraw
            }),
            Binding([.character("n")], "Next older match of the search",
                    disabledReason: query == nil ? "search first with /" : nil, action: { [unowned self] in
                        if !findMatch(olderThanBottom: true) { report("No older match for '\(query ?? "")'") }
                        return .redraw
                    }),
            Binding([.character("N")], "Next newer match of the search",
                    disabledReason: query == nil ? "search first with /" : nil, action: { [unowned self] in
                        if !findMatch(olderThanBottom: false) { report("No newer match for '\(query ?? "")'") }
                        return .redraw
                    }),
            Binding([.character("l")], "Cycle the level filter (all, info, warning, error)", short: "Level",
                    action: { [unowned self] in
                        cycleLevel(); report("Log shows \(minimumLevel == .debug ? "all levels" : "\(minimumLevel.label) and above")")
                        return .redraw
                    }),
            Binding([.character("w")], "Wrap long lines on or off", short: "Wrap", action: { [unowned self] in
                wraps.toggle(); report(wraps ? "Wrapping long lines" : "Long lines cut at the edge"); return .redraw
            }),
        ]
    }

    /// The search field while it is open, else `bindings`.
    public func handle(_ key: Key, report: @escaping (String) -> Void) -> HandleResult {
        if var field = searchField {
            let outcome = field.handle(key)
            switch outcome {
            case .submitted:
                searchField = nil
                query = field.text.isEmpty ? nil : field.text
                if query != nil, !findMatch(olderThanBottom: true) { report("No match for '\(field.text)'") }
            case .cancelled: searchField = nil
            case .edited: searchField = field
            case .ignored: searchField = field; return .handled
            }
            return .handledAndRedraw
        }
        return bindings(report: report).dispatch(key, report: report)
    }

    public func scroll(by delta: Int) {
        guard !visible.isEmpty else { return }
        let current = isFollowing ? visible.count - 1 : bottom
        let target = max(min(visible.count - 1, max(0, pageHeight - 1)), min(visible.count - 1, current + delta))
        if target >= visible.count - 1, delta > 0 { follow(); return }
        isFollowing = false
        bottom = target
    }

    private func pause() {
        if isFollowing { bottom = max(0, visible.count - 1) }
        isFollowing = false
    }

    public func follow() {
        isFollowing = true
        unseenWhilePaused = 0
    }

    public func cycleLevel() {
        let levels = LogLevel.allCases
        minimumLevel = levels[(levels.firstIndex(of: minimumLevel)! + 1) % levels.count]
        let anchor = isFollowing || visible.isEmpty ? lines.count - 1 : visible[min(bottom, visible.count - 1)]
        rebuildVisible(keeping: max(0, anchor))
    }

    /// Moves the bottom row to the next match; false when there is none.
    private func findMatch(olderThanBottom older: Bool) -> Bool {
        guard let query, !visible.isEmpty else { return false }
        let start = isFollowing ? visible.count - 1 : bottom
        let candidates: StrideThrough<Int> = older ? stride(from: start - 1, through: 0, by: -1)
                                                   : stride(from: start + 1, through: visible.count - 1, by: 1)
        for position in candidates where lines[visible[position]].message.range(of: query, options: .caseInsensitive) != nil {
            isFollowing = false
            bottom = position
            return true
        }
        if older, isFollowing, lines[visible[start]].message.range(of: query, options: .caseInsensitive) != nil {
            isFollowing = false
            bottom = start
            return true
        }
        return false
    }

    // MARK: Drawing

    /// HH:MM:SS in UTC, without a formatter: this runs for every row of every frame.
    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(day / 3600)):\(two((day / 60) % 60)):\(two(day % 60))"
    }

    private static let levelColumn: [LogLevel: String] = Dictionary(uniqueKeysWithValues: LogLevel.allCases.map {
        ($0, $0.label + String(repeating: " ", count: max(0, 7 - $0.label.count)))
    })

    static func format(_ line: LogLine) -> String {
        "\(clock(line.time)) \(levelColumn[line.level]!) \(line.stage.isEmpty ? "" : "\(line.stage): ")\(line.message)"
    }

    private func role(for level: LogLevel) -> Role {
        switch level {
        case .debug: return .logDebug
        case .info: return .logInfo
        case .warning: return .logWarning
        case .error: return .logError
        }
    }

    /// The first row is a header (state, filter, search); the log fills the rest from the bottom up.
    public func draw(into canvas: Canvas, theme: ResolvedTheme) {
        guard canvas.height > 1 else { return }
        pageHeight = canvas.height - 1
        var state = isFollowing ? "following" : "paused"
        if !isFollowing, unseenWhilePaused > 0 { state += " (\(unseenWhilePaused) new, End to follow)" }
        let filter = minimumLevel == .debug ? "all" : "\(minimumLevel.label)+"
        var header = " Log \(canvas.glyphs.separator) \(visible.count) lines \(canvas.glyphs.separator) \(state) \(canvas.glyphs.separator) level \(filter) \(canvas.glyphs.separator) wrap \(wraps ? "on" : "off")"
        if droppedCount > 0 { header += " \(canvas.glyphs.separator) \(droppedCount) oldest in build.log" }
        if let searchField {
            let label = " Search: "
            canvas.put(label, row: 0, style: theme[.formLabel])
            searchField.draw(into: canvas, row: 0, column: label.count, width: canvas.width - label.count, style: theme[.formEditing])
        } else {
            if let query { header += " \(canvas.glyphs.separator) /\(query)" }
            canvas.putFitted(header, row: 0, style: theme[.listHeader])
        }
        let body = canvas.sub(Rect(row: 1, column: 1, width: canvas.width - 1, height: canvas.height - 1))
        guard !visible.isEmpty else {
            body.put("(no log lines yet)", row: 0, style: theme[.muted])
            return
        }
        var row = body.height - 1
        var position = isFollowing ? visible.count - 1 : min(bottom, visible.count - 1)
        while row >= 0, position >= 0 {
            let line = lines[visible[position]]
            let text = Self.format(line)
            var rows = wraps ? wrapText(text, width: body.width) : [text]
            if rows.isEmpty { rows = [""] }
            for segment in rows.reversed() where row >= 0 {
                drawRow(segment, into: body, row: row, style: theme[role(for: line.level)], theme: theme)
                row -= 1
            }
            position -= 1
        }
    }

    private func drawRow(_ text: String, into canvas: Canvas, row: Int, style: CellStyle, theme: ResolvedTheme) {
        guard let query, let match = text.range(of: query, options: .caseInsensitive) else {
            canvas.putFitted(text, row: row, style: style)
            return
        }
        canvas.putFitted(text, row: row, style: style)
        let before = DisplayWidth.of(text[..<match.lowerBound])
        canvas.put(String(text[match]), row: row, column: before, style: theme[.logMatch])
    }
}

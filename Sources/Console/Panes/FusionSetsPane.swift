import Foundation

/// Fusion Sets: the list (ID, name, platform, feature count), create / rename / annotate /
/// duplicate / delete, and the Detail Summary. The full ID is always on screen and `c`
/// copies it with OSC 52.
final class FusionSetsPane: Pane {
    private unowned let session: ConsoleSession
    private var sets: [FusionSetSummary] = []
    private var cursor = ListCursor()
    private var detail: FusionSetDetail?
    private var detailScroll = 0
    private var loadError: String?
    private var visibleRows = 10

    init(session: ConsoleSession) { self.session = session }

    let title = "Fusion Sets"

    func activate() { reload() }

    private func reload() {
        do {
            sets = try session.backend.fusionSets()
            loadError = nil
        } catch {
            sets = []
            loadError = userMessage(error)
        }
        cursor.update(count: sets.count)
        if let current = session.fusionSetID {
            if let index = sets.firstIndex(where: { $0.id == current }) {
                session.useFusionSet(id: current, name: sets[index].name)
            } else {
                session.useFusionSet(id: nil, name: nil)
            }
        }
        if let shown = detail?.summary.id { detail = try? session.backend.fusionSet(id: shown) }
    }

    private var selected: FusionSetSummary? {
        if let detail { return detail.summary }
        return sets.indices.contains(cursor.selected) ? sets[cursor.selected] : nil
    }

    var bindings: [Binding] {
        let none = selected == nil ? "no Fusion Set selected" : nil
        var list: [Binding] = []
        if detail != nil {
            list += [
                Binding([.escape, .backspace], "Back to the list", short: "Back", action: { [unowned self] in
                    detail = nil; return .redraw
                }),
                Binding([.up, .character("k")], "Scroll up", action: { [unowned self] in
                    detailScroll = max(0, detailScroll - 1); return .redraw
                }),
                Binding([.down, .character("j")], "Scroll down", action: { [unowned self] in
                    detailScroll += 1; return .redraw
                }),
                Binding([.character("e")], "Edit its features in Secure Communication", short: "Features", action: { [unowned self] in
                    session.show(.secureCommunication); return .redraw
                }),
            ]
        } else {
            list += ListMovement.bindings { [unowned self] in cursor.apply($0, page: visibleRows) }
            list.append(Binding([.enter], "Open the Detail Summary and use this set for builds", short: "Open",
                                disabledReason: none, action: { [unowned self] in openSelected(); return .redraw }))
        }
        list += [
            Binding([.character("n")], "Create a Fusion Set", short: "New", action: { [unowned self] in create(); return .redraw }),
            Binding([.character("r")], "Rename", short: "Rename", disabledReason: none, action: { [unowned self] in rename(); return .redraw }),
            Binding([.character("a")], "Add an annotation", short: "Annotate", disabledReason: none, action: { [unowned self] in
                annotate(); return .redraw
            }),
            Binding([.character("d")], "Duplicate", short: "Duplicate", disabledReason: none, action: { [unowned self] in
                duplicate(); return .redraw
            }),
            Binding([.character("x"), .delete], "Delete (asks first)", short: "Delete", disabledReason: none, action: { [unowned self] in
                delete(); return .redraw
            }),
            Binding([.character("c")], "Copy the full ID (OSC 52)", short: "Copy ID", disabledReason: none, action: { [unowned self] in
                if let set = selected { session.copy(set.id, what: "Fusion Set ID") }
                return .redraw
            }),
        ]
        return list
    }

    func handle(_ key: Key) -> HandleResult {
        bindings.dispatch(key) { session.reportProblem($0) }
    }

    func handle(mouse: MouseEvent, in bounds: Rect) -> HandleResult {
        guard detail == nil, mouse.kind == .click else { return .ignored }
        let index = cursor.top + (mouse.row - bounds.row - 1)
        guard sets.indices.contains(index) else { return .ignored }
        if index == cursor.selected { openSelected() } else { cursor.select(index) }
        return .handledAndRedraw
    }

    private func openSelected() {
        guard let set = selected else { return }
        do {
            detail = try session.backend.fusionSet(id: set.id)
            detailScroll = 0
            session.useFusionSet(id: set.id, name: set.name)
            session.report("Using Fusion Set \(set.name) for builds")
        } catch {
            session.report(error: error, doing: "Opening \(set.name)")
        }
    }

    private func create() {
        session.prompt("New Fusion Set: name") { [unowned self] name in
            let name = name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { return "A name is needed" }
            let platforms = AppPlatform.allCases
            let preferred = session.app.map { platforms.firstIndex(of: $0.platform) ?? 2 } ?? 2
            session.choose("Platform of \(name)", from: platforms.map(\.rawValue), selected: preferred) { [unowned self] index in
                do {
                    let created = try session.backend.createFusionSet(name: name, platform: platforms[index])
                    session.useFusionSet(id: created.id, name: created.name)
                    reload()
                    cursor.select(sets.firstIndex { $0.id == created.id } ?? 0)
                    session.report("Created \(created.name) (\(created.id)); tick its features in Secure Communication (2)")
                } catch {
                    session.report(error: error, doing: "Creating \(name)")
                }
            }
            return nil
        }
    }

    private func rename() {
        guard let set = selected else { return }
        session.prompt("Rename \(set.name)", initial: set.name) { [unowned self] name in
            let name = name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { return "A name is needed" }
            do {
                try session.backend.renameFusionSet(id: set.id, to: name)
            } catch {
                return userMessage(error)
            }
            if session.fusionSetID == set.id { session.useFusionSet(id: set.id, name: name) }
            reload()
            session.report("Renamed to \(name)")
            return nil
        }
    }

    private func annotate() {
        guard let set = selected else { return }
        session.prompt("Annotate \(set.name)") { [unowned self] text in
            let text = text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return "Type the annotation, e.g. 'prod' or 'owner: mobile-team'" }
            do { try session.backend.annotateFusionSet(id: set.id, annotation: text) } catch { return userMessage(error) }
            reload()
            session.report("Annotated \(set.name): \(text)")
            return nil
        }
    }

    private func duplicate() {
        guard let set = selected else { return }
        session.prompt("Duplicate \(set.name) as", initial: "\(set.name) copy") { [unowned self] name in
            let name = name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { return "A name is needed" }
            let copy: FusionSetSummary
            do { copy = try session.backend.duplicateFusionSet(id: set.id, name: name) } catch { return userMessage(error) }
            detail = nil
            reload()
            cursor.select(sets.firstIndex { $0.id == copy.id } ?? cursor.selected)
            session.report("Duplicated as \(copy.name) (\(copy.id))")
            return nil
        }
    }

    private func delete() {
        guard let set = selected else { return }
        session.confirm("Delete Fusion Set '\(set.name)' (\(set.id))? This cannot be undone.", confirmLabel: "Delete") { [unowned self] in
            do {
                try session.backend.deleteFusionSet(id: set.id)
                if session.fusionSetID == set.id { session.useFusionSet(id: nil, name: nil) }
                detail = nil
                reload()
                session.report("Deleted \(set.name)")
            } catch {
                session.report(error: error, doing: "Deleting \(set.name)")
            }
        }
    }

    // MARK: Drawing

    func draw(into canvas: Canvas, theme: ResolvedTheme) {
        canvas.fillAll(style: theme[.text])
        if let detail {
            drawDetail(detail, into: canvas, theme: theme)
            return
        }
        // The ID is never cut; the name takes what is left beside platform and feature count.
        let wide = canvas.width >= 34 + 6 + 15
        let nameWidth = max(4, canvas.width - 34 - (wide ? 15 : 0))
        func row(_ mark: String, _ id: String, _ name: String, _ platform: String, _ count: String) -> String {
            var text = mark + id.padding(toLength: 32, withPad: " ", startingAt: 0) + " " + DisplayWidth.fit(name, columns: nameWidth, ellipsis: canvas.glyphs.ellipsis)
            if wide { text += " " + platform.padding(toLength: 8, withPad: " ", startingAt: 0) + count.leftPadded(to: 6) }
            return text
        }
        canvas.putFitted(row(" ", "ID", "Name", "Platform", "Feat."), row: 0, style: theme[.listHeader])
        visibleRows = max(1, canvas.height - 2)
        if let loadError {
            canvas.putFitted(" Cannot list Fusion Sets: \(loadError)", row: 1, style: theme[.error])
        } else if sets.isEmpty {
            canvas.putFitted(" No Fusion Sets yet. Press n to create one.", row: 1, style: theme[.muted])
        }
        let top = cursor.scroll(height: visibleRows)
        for index in top..<min(sets.count, top + visibleRows) {
            let set = sets[index]
            let mark = set.id == session.fusionSetID ? canvas.glyphs.pointer : " "
            canvas.putFitted(row(mark, set.id, set.name, set.platform.rawValue, String(set.featureCount)), row: 1 + index - top,
                             style: index == cursor.selected ? theme[.listSelection] : theme[.listItem])
        }
        if !sets.isEmpty {
            canvas.putFitted(" \(canvas.glyphs.pointer) marks the set used for builds \(canvas.glyphs.separator) Enter opens its Detail Summary",
                             row: canvas.height - 1, style: theme[.muted])
        }
    }

    private func drawDetail(_ detail: FusionSetDetail, into canvas: Canvas, theme: ResolvedTheme) {
        let sep = canvas.glyphs.separator
        var lines: [(label: String, value: String, role: Role)] = [
            ("Detail Summary", "", .accent),
            ("", "", .text),
            ("ID", detail.summary.id, .formValue),
            ("Name", detail.summary.name, .formValue),
            ("Platform", detail.summary.platform.rawValue, .formValue),
            ("Annotations", detail.annotations.isEmpty ? "(none)" : detail.annotations.joined(separator: " \(sep) "),
             detail.annotations.isEmpty ? .muted : .formValue),
            ("Created", formatDate(detail.created), .formValue),
            ("Updated", formatDate(detail.updated), .formValue),
            ("Features", detail.features.isEmpty ? "(none: tick them in Secure Communication, e)" : "\(detail.features.count)",
             detail.features.isEmpty ? .muted : .formValue),
        ]
        for feature in detail.features {
            lines.append(("", "\(canvas.glyphs.checked) \(feature.title)", .text))
            if feature.options.isEmpty { lines.append(("", "    (no options)", .muted)) }
            for option in feature.options { lines.append(("", "    \(option.key) = \(option.value)", .formValue)) }
        }
        lines.append(("Builds", detail.builds.isEmpty ? "(none yet)" : detail.builds.joined(separator: ", "),
                      detail.builds.isEmpty ? .muted : .formValue))
        var rows: [(String, String, Role)] = []
        for line in lines {
            let wrapped = wrapText(line.value, width: max(1, canvas.width - 15))
            for (index, part) in (wrapped.isEmpty ? [""] : wrapped).enumerated() {
                rows.append((index == 0 ? line.label : "", part, line.role))
            }
        }
        detailScroll = min(detailScroll, max(0, rows.count - canvas.height))
        for (offset, row) in rows.dropFirst(detailScroll).prefix(canvas.height).enumerated() {
            if row.0 == "Detail Summary" {
                canvas.put(" " + row.0, row: offset, style: theme[.accent])
                continue
            }
            canvas.put(" " + row.0, row: offset, style: theme[.formLabel])
            canvas.putFitted(row.1, row: offset, column: 14, style: theme[row.2])
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        let current = DisplayWidth.of(self)
        return current >= width ? self : String(repeating: " ", count: width - current) + self
    }
}

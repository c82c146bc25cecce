import Foundation

/// Build › Security › Secure Communication: the catalog tree with checkboxes, the selected
/// feature's description and its options form. Every change is validated by the engine and
/// saved to the current Fusion Set at once.
final class SecureCommunicationPane: Pane {
    private struct Row {
        let node: FeatureNode
        let prefix: String
    }

    private enum Focus: Equatable { case tree, form }

    private unowned let session: ConsoleSession
    private var rows: [Row] = []
    private var cursor = ListCursor()
    private var formCursor = ListCursor()
    private var focus = Focus.tree
    private var editor: TextField?
    private var fieldErrors: [String: String] = [:]
    /// Values the Fusion Set refused only in combination (an option that requires another, such as
    /// an imported PKCS#12 and its password file): kept in the form, keyed by "feature/option", and
    /// sent again with the next edit of the same feature, so options that must be set together can be.
    private var pendingValues: [String: OptionValue] = [:]
    private var detail: FusionSetDetail?
    private var loadError: String?
    private var treePlatform: AppPlatform?

    init(session: ConsoleSession) { self.session = session }

    let title = "Secure Communication"
    var capturesText: Bool { editor != nil }

    func activate() { reload() }

    private func reload() {
        detail = nil
        loadError = nil
        if let id = session.fusionSetID {
            do { detail = try session.backend.fusionSet(id: id) } catch { loadError = userMessage(error) }
        }
        let platform = detail?.summary.platform ?? session.app?.platform ?? .any
        guard rows.isEmpty || platform != treePlatform else { return }
        do {
            let tree = try session.backend.featureTree(for: platform)
            rows = []
            flatten(tree, depth: 0, indent: "")
            treePlatform = platform
            cursor.update(count: rows.count)
            if let first = rows.firstIndex(where: { !$0.node.isGroup }), cursor.selected == 0 { cursor.select(first) }
        } catch {
            rows = []
            loadError = userMessage(error)
        }
    }

    private func flatten(_ nodes: [FeatureNode], depth: Int, indent: String) {
        let glyphs = session.host?.terminal.supportsUnicode == false ? Glyphs.ascii : Glyphs.unicode
        for (index, node) in nodes.enumerated() {
            let last = index == nodes.count - 1
            rows.append(Row(node: node, prefix: depth == 0 ? "" : indent + (last ? glyphs.treeLast : glyphs.treeBranch) + " "))
            flatten(node.children, depth: depth + 1, indent: depth == 0 ? "" : indent + (last ? "   " : glyphs.treePipe + " "))
        }
    }

    private var selectedNode: FeatureNode? { rows.indices.contains(cursor.selected) ? rows[cursor.selected].node : nil }
    private var selectedSetting: FeatureSetting? { selectedNode.flatMap { detail?.setting(for: $0.id) } }

    private func value(of option: FeatureOption, in node: FeatureNode) -> OptionValue {
        pendingValues["\(node.id)/\(option.key)"] ?? detail?.setting(for: node.id)?.value(of: option.key) ?? option.defaultValue
    }

    var bindings: [Binding] {
        let noSet = detail == nil ? "no Fusion Set selected (open or create one in Fusion Sets, 3)" : nil
        guard focus == .form, let node = selectedNode else {
            let node = selectedNode
            let toggleReason: String? = noSet ?? (node == nil ? "nothing selected" : node!.isGroup ? "a group: tick the features inside it"
                                                  : node!.unavailableReason.map { "unavailable: \($0)" })
            let formReason: String? = toggleReason ?? (node?.options.isEmpty == true ? "this feature has no options" : nil)
            return ListMovement.bindings { [unowned self] in cursor.apply($0, page: 8) } + [
                Binding([.character(" ")], selectedSetting == nil ? "Tick the feature (save it in the Fusion Set)"
                                                                  : "Untick the feature (remove it from the Fusion Set)",
                        short: "Toggle", disabledReason: toggleReason, action: { [unowned self] in toggle(); return .redraw }),
                Binding([.enter, .right], "Edit the feature's options (saving one ticks the feature)", short: "Options", disabledReason: formReason,
                        action: { [unowned self] in
                            focus = .form
                            formCursor = ListCursor()
                            formCursor.update(count: selectedNode?.options.count ?? 0)
                            return .redraw
                        }),
                Binding([.character("s")], "Go to Fusion Sets", short: "Sets", action: { [unowned self] in
                    session.show(.fusionSets); return .redraw
                }),
            ]
        }
        let option = node.options.indices.contains(formCursor.selected) ? node.options[formCursor.selected] : nil
        var list: [Binding] = [
            Binding([.escape, .left], "Back to the feature tree", short: "Back", action: { [unowned self] in
                focus = .tree; return .redraw
            }),
            Binding([.up, .character("k")], "Previous option", action: { [unowned self] in formCursor.move(by: -1); return .redraw }),
            Binding([.down, .character("j")], "Next option", action: { [unowned self] in formCursor.move(by: 1); return .redraw }),
        ]
        if let option {
            switch option.kind {
            case .text, .number, .list:
                list.append(Binding([.enter, .character("e")], option.kind == .list ? "Edit the list (comma separated)" : "Edit the value",
                                    short: "Edit", action: { [unowned self] in
                                        editor = TextField(editableText(value(of: option, in: node))); return .redraw
                                    }))
            case .choice:
                list.append(Binding([.character(" "), .enter, .right], "Next allowed value", short: "Change", action: { [unowned self] in
                    cycle(option, in: node, by: 1); return .redraw
                }))
                list.append(Binding([.backspace], "Previous allowed value", action: { [unowned self] in
                    cycle(option, in: node, by: -1); return .redraw
                }))
            case .toggle:
                list.append(Binding([.character(" "), .enter], "Switch on or off", short: "Switch", action: { [unowned self] in
                    if case let .toggle(on) = value(of: option, in: node) { save(.toggle(!on), for: option, in: node) }
                    return .redraw
                }))
            }
            list.append(Binding([.character("d")], "Reset to the default (\(option.defaultValue))", short: "Default", action: { [unowned self] in
                save(option.defaultValue, for: option, in: node); return .redraw
            }))
        }
        return list
    }

    func handle(_ key: Key) -> HandleResult {
        if var field = editor, let node = selectedNode, node.options.indices.contains(formCursor.selected) {
            let option = node.options[formCursor.selected]
            switch field.handle(key) {
            case .submitted:
                editor = nil
                switch parse(field.text, as: option) {
                case let .success(value): save(value, for: option, in: node)
                case let .failure(problem):
                    fieldErrors[option.key] = problem.message
                    editor = field
                }
            case .cancelled:
                editor = nil
                fieldErrors[option.key] = nil
            case .edited, .ignored: editor = field
            }
            return .handledAndRedraw
        }
        return bindings.dispatch(key) { session.reportProblem($0) }
    }

    private struct ParseProblem: Error { let message: String }

    private func editableText(_ value: OptionValue) -> String {
        switch value {
        case let .list(items): return items.joined(separator: ", ")
        default: return value.description
        }
    }

    private func parse(_ text: String, as option: FeatureOption) -> Result<OptionValue, ParseProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch option.kind {
        case .text: return .success(.text(trimmed))
        case .number:
            guard let number = Int(trimmed) else { return .failure(ParseProblem(message: "\(option.title): enter a whole number, got '\(trimmed)'")) }
            return .success(.number(number))
        case .list:
            let items = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .success(.list(items))
        case .choice: return .success(.choice(trimmed))
        case .toggle:
            switch trimmed.lowercased() {
            case "on", "true", "yes": return .success(.toggle(true))
            case "off", "false", "no": return .success(.toggle(false))
            default: return .failure(ParseProblem(message: "\(option.title): on or off"))
            }
        }
    }

    private func cycle(_ option: FeatureOption, in node: FeatureNode, by step: Int) {
        guard !option.allowedValues.isEmpty else { return }
        let current = value(of: option, in: node).description
        let index = option.allowedValues.firstIndex(of: current) ?? 0
        let next = option.allowedValues[(index + step + option.allowedValues.count) % option.allowedValues.count]
        save(.choice(next), for: option, in: node)
    }

    /// Validates with the engine; a rejected value stays out of the Fusion Set and its message shows under the field.
    private func save(_ value: OptionValue, for option: FeatureOption, in node: FeatureNode) {
        if let problem = session.backend.validate(featureID: node.id, option: option.key, value: value) {
            fieldErrors[option.key] = problem
            if option.kind != .choice && option.kind != .toggle { editor = TextField(editableText(value)) }
            return
        }
        fieldErrors[option.key] = nil
        guard let id = session.fusionSetID else { return }
        let wasTicked = selectedSetting != nil
        var options: [String: OptionValue] = [:]
        for known in node.options { options[known.key] = self.value(of: known, in: node) }
        options[option.key] = value
        do {
            try session.backend.setFeature(node.id, options: options, inFusionSet: id)
            pendingValues = pendingValues.filter { !$0.key.hasPrefix("\(node.id)/") }
            detail = try session.backend.fusionSet(id: id)
            let verb = wasTicked ? "Saved" : "Added \(node.title) with"
            session.report("\(verb) \(wasTicked ? node.title + " " : "")\(option.key) = \(value) in \(detail?.summary.name ?? id)")
        } catch {
            pendingValues["\(node.id)/\(option.key)"] = value
            fieldErrors[option.key] = "not saved yet: \(userMessage(error))"
        }
    }

    private func toggle() {
        guard let node = selectedNode, let id = session.fusionSetID else { return }
        do {
            if selectedSetting != nil {
                try session.backend.setFeature(node.id, options: nil, inFusionSet: id)
                session.report("Removed \(node.title) from \(detail?.summary.name ?? id)")
            } else {
                var options: [String: OptionValue] = [:]
                for option in node.options { options[option.key] = option.defaultValue }
                try session.backend.setFeature(node.id, options: options, inFusionSet: id)
                session.report("Added \(node.title) to \(detail?.summary.name ?? id) with default options")
            }
            detail = try session.backend.fusionSet(id: id)
            session.useFusionSet(id: id, name: detail?.summary.name)
        } catch {
            session.report(error: error, doing: "Saving \(node.title)")
        }
    }

    // MARK: Drawing

    func draw(into canvas: Canvas, theme: ResolvedTheme) {
        canvas.fillAll(style: theme[.text])
        let sep = canvas.glyphs.separator
        if let detail {
            canvas.putFitted(" Fusion Set: \(detail.summary.name) \(sep) \(detail.summary.platform.rawValue) \(sep) \(detail.features.count) feature(s)",
                             row: 0, style: theme[.accent])
        } else {
            canvas.putFitted(" No Fusion Set selected: open or create one in Fusion Sets (3)", row: 0, style: theme[.warning])
        }
        if let loadError { canvas.putFitted(" " + loadError, row: 1, style: theme[.error]) }
        var row = 2
        for (index, entry) in rows.enumerated() where row < canvas.height {
            let node = entry.node
            var label = " " + entry.prefix
            if !node.isGroup {
                let box = node.unavailableReason != nil ? canvas.glyphs.unavailable
                    : detail?.setting(for: node.id) != nil ? canvas.glyphs.checked : canvas.glyphs.unchecked
                label += box + " "
            }
            label += node.title
            if node.unavailableReason != nil { label += " (unavailable)" }
            let style: CellStyle
            if index == cursor.selected {
                style = focus == .tree ? theme[.listSelection] : theme[.accent]
            } else {
                style = node.unavailableReason != nil ? theme[.muted] : node.isGroup ? theme[.navHeader] : theme[.listItem]
            }
            canvas.putFitted(label, row: row, style: style)
            row += 1
        }
        guard let node = selectedNode, row + 1 < canvas.height else { return }
        row += 1
        canvas.putFitted(" " + String(repeating: canvas.glyphs.horizontal, count: max(0, canvas.width - 2)), row: row - 1, style: theme[.border])
        canvas.putFitted(" \(node.title)", row: row, style: theme[.accent])
        row += 1
        var text = [node.summary, node.description].filter { !$0.isEmpty }.joined(separator: " ")
        if let reason = node.unavailableReason { text = "Unavailable here: \(reason). " + text }
        for line in wrapText(text, width: max(1, canvas.width - 2)) where row < canvas.height {
            canvas.putFitted(" " + line, row: row, style: node.unavailableReason != nil ? theme[.warning] : theme[.text])
            row += 1
        }
        guard !node.options.isEmpty, row + 1 < canvas.height else { return }
        row += 1
        let labelWidth = min(24, max(12, (node.options.map { DisplayWidth.of($0.title) }.max() ?? 0) + 2))
        for (index, option) in node.options.enumerated() where row < canvas.height {
            let selected = focus == .form && index == formCursor.selected
            canvas.putFitted(" " + option.title, row: row, width: labelWidth + 1, style: selected ? theme[.listSelection] : theme[.formLabel])
            let valueColumn = labelWidth + 2
            let width = canvas.width - valueColumn - 1
            if selected, let editor {
                editor.draw(into: canvas, row: row, column: valueColumn, width: width, style: theme[.formEditing])
            } else {
                var shown = value(of: option, in: node).description
                if option.kind == .choice { shown = "‹ \(shown) ›" }
                if option.kind == .choice, !canvas.terminal.supportsUnicode { shown = shown.replacingOccurrences(of: "‹", with: "<").replacingOccurrences(of: "›", with: ">") }
                canvas.putFitted(shown, row: row, column: valueColumn, width: width,
                                 style: selectedSetting == nil ? theme[.muted] : theme[.formValue])
            }
            row += 1
            if let problem = fieldErrors[option.key], row < canvas.height {
                for line in wrapText(problem, width: max(1, width)) where row < canvas.height {
                    canvas.putFitted(line, row: row, column: valueColumn, width: width, style: theme[.formError])
                    row += 1
                }
            }
        }
        if focus == .form, node.options.indices.contains(formCursor.selected), row < canvas.height {
            let help = node.options[formCursor.selected].help
            if !help.isEmpty { canvas.putFitted(" " + help, row: row, style: theme[.muted]) }
        }
    }
}

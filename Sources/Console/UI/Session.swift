import Foundation

/// State the panes share: the backend, the uploaded app, the current Fusion Set, the status
/// line, and requests for dialogs that the app shows on top of everything.
public final class ConsoleSession {
    public let backend: any ConsoleBackend
    public let clock: () -> Date
    public internal(set) var app: AppSummary?
    public internal(set) var fusionSetID: String?
    public internal(set) var fusionSetName: String?
    public internal(set) var statusText = "Ready"
    public internal(set) var statusIsError = false
    /// The build in progress; quitting asks first while it is set.
    var runningBuild: BuildHandle?
    weak var host: ConsoleApp?

    init(backend: any ConsoleBackend, clock: @escaping () -> Date) {
        self.backend = backend
        self.clock = clock
    }

    public func report(_ text: String) {
        statusText = text
        statusIsError = false
    }

    public func report(error: any Error, doing action: String) {
        statusText = "\(action) failed: \(userMessage(error))"
        statusIsError = true
    }

    public func reportProblem(_ text: String) {
        statusText = text
        statusIsError = true
    }

    func useFusionSet(id: String?, name: String?) {
        fusionSetID = id
        fusionSetName = name
    }

    func useApp(_ summary: AppSummary) { app = summary }

    /// Copies with OSC 52 when the terminal can; the text stays on screen either way.
    func copy(_ text: String, what: String) {
        if host?.terminal.copyToClipboard(text) == true {
            report("Copied \(what) to the clipboard (OSC 52)")
        } else {
            reportProblem("This terminal does not take clipboard text (OSC 52); the full \(what) is on screen")
        }
    }

    func confirm(_ message: String, confirmLabel: String, onConfirm: @escaping () -> Void) {
        host?.present(.confirm(ConfirmDialog(message: message, confirmLabel: confirmLabel, onConfirm: onConfirm)))
    }

    /// Asks for a line of text; `onSubmit` returns an error message to keep the prompt open.
    func prompt(_ title: String, initial: String = "", onSubmit: @escaping (String) -> String?) {
        host?.present(.prompt(PromptDialog(title: title, field: TextField(initial), onSubmit: onSubmit)))
    }

    func choose(_ title: String, from choices: [String], selected: Int = 0, onChoose: @escaping (Int) -> Void) {
        var cursor = ListCursor()
        cursor.update(count: choices.count)
        cursor.select(selected)
        host?.present(.choice(ChoiceDialog(title: title, choices: choices, cursor: cursor, onChoose: onChoose)))
    }

    func show(_ pane: PaneKind) { host?.switchTo(pane) }
}

struct ConfirmDialog {
    let message: String
    let confirmLabel: String
    let onConfirm: () -> Void
}

struct PromptDialog {
    let title: String
    var field: TextField
    var error: String? = nil
    let onSubmit: (String) -> String?
}

struct ChoiceDialog {
    let title: String
    let choices: [String]
    var cursor: ListCursor
    let onChoose: (Int) -> Void
}

enum Modal {
    case confirm(ConfirmDialog)
    case prompt(PromptDialog)
    case choice(ChoiceDialog)
    case help(ListCursor)
    case themePicker(ListCursor, original: String)
}

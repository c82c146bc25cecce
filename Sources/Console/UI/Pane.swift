/// What handling a key did, like htop's HANDLED / REDRAW / BREAK_LOOP.
public struct HandleResult: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let handled = HandleResult(rawValue: 1)
    public static let redraw = HandleResult(rawValue: 2)
    public static let breakLoop = HandleResult(rawValue: 4)
    public static let ignored: HandleResult = []
    public static let handledAndRedraw: HandleResult = [.handled, .redraw]
}

/// One key binding: the keys, what it does, how the key-hint bar names it, and whether it
/// can run now. The same list drives the action, the bar, the `?` overlay and the docs.
public struct Binding {
    public let keys: [Key]
    public let description: String
    /// Label in the key-hint bar; nil keeps it out of the bar (still in help).
    public let shortLabel: String?
    /// Why the action cannot run right now; nil when it can.
    public let disabledReason: String?
    public let action: () -> HandleResult

    public init(_ keys: [Key], _ description: String, short shortLabel: String? = nil,
                disabledReason: String? = nil, action: @escaping () -> HandleResult) {
        self.keys = keys
        self.description = description
        self.shortLabel = shortLabel
        self.disabledReason = disabledReason
        self.action = action
    }

    public var keyLabel: String { keys.map(\.label).joined(separator: "/") }
    public var isEnabled: Bool { disabledReason == nil }
}

extension Array where Element == Binding {
    /// Runs the binding for `key`; a disabled one reports why through `report`.
    func dispatch(_ key: Key, report: (String) -> Void) -> HandleResult {
        guard let binding = first(where: { $0.keys.contains(key) }) else { return .ignored }
        if let reason = binding.disabledReason {
            report("\(binding.description): \(reason)")
            return .handledAndRedraw
        }
        return binding.action().union(.handled)
    }
}

/// A main-area view: Upload, Secure Communication, Fusion Sets, Build My App, Builds.
public protocol Pane: AnyObject {
    var title: String { get }
    /// The bindings in effect now (they may change with the pane's mode).
    var bindings: [Binding] { get }
    /// True while the pane edits text: printable keys then belong to it, not to global bindings.
    var capturesText: Bool { get }
    /// Keys first go to a text field or other mode, then to `bindings`.
    func handle(_ key: Key) -> HandleResult
    func handle(mouse: MouseEvent, in bounds: Rect) -> HandleResult
    func draw(into canvas: Canvas, theme: ResolvedTheme)
    /// Called when the pane becomes visible, to refresh data from the backend.
    func activate()
    /// Called every tick: drain asynchronous results; true when something changed.
    func tick() -> Bool
}

extension Pane {
    public var capturesText: Bool { false }
    public func handle(mouse: MouseEvent, in bounds: Rect) -> HandleResult { .ignored }
    public func activate() {}
    public func tick() -> Bool { false }
}

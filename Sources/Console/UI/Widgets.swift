import Foundation
import Synchronization

/// A one-line text editor: insert at the cursor, move, delete.
public struct TextField {
    public private(set) var text: String
    private var cursor: Int

    public init(_ text: String = "") {
        self.text = text
        cursor = text.count
    }

    public enum Outcome { case edited, submitted, cancelled, ignored }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case let .character(character):
            let index = text.index(text.startIndex, offsetBy: cursor)
            text.insert(character, at: index)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return .edited }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor - 1))
            cursor -= 1
        case .delete:
            guard cursor < text.count else { return .edited }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor))
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = text.count
        case .control("u"):
            text.removeSubrange(text.startIndex..<text.index(text.startIndex, offsetBy: cursor))
            cursor = 0
        case .enter: return .submitted
        case .escape: return .cancelled
        default: return .ignored
        }
        return .edited
    }

    /// Draws the field with its cursor shown as a reversed cell, scrolled so the cursor is visible.
    public func draw(into canvas: Canvas, row: Int, column: Int, width: Int, style: CellStyle) {
        guard width > 1 else { return }
        let characters = Array(text)
        var start = 0
        while DisplayWidth.of(String(characters[start..<cursor])) > width - 1 { start += 1 }
        let visible = String(characters[start...])
        canvas.putFitted(visible, row: row, column: column, width: width, style: style)
        let before = DisplayWidth.of(String(characters[start..<cursor]))
        let under = cursor < characters.count ? String(characters[cursor]) : " "
        var cursorStyle = style
        cursorStyle.attributes.formSymmetricDifference(.reverse)
        canvas.put(under, row: row, column: column + before, style: cursorStyle)
    }
}

/// A selection in a list that keeps itself visible in a window of rows.
public struct ListCursor {
    public private(set) var selected = 0
    public private(set) var top = 0
    public private(set) var count = 0

    public init() {}

    public mutating func update(count: Int) {
        self.count = count
        selected = max(0, min(selected, count - 1))
    }

    public mutating func move(by delta: Int) { select(selected + delta) }

    public mutating func select(_ index: Int) { selected = max(0, min(index, count - 1)) }

    /// Keeps the selection inside `height` visible rows; returns the first visible index.
    public mutating func scroll(height: Int) -> Int {
        guard height > 0 else { return top }
        if selected < top { top = selected }
        if selected >= top + height { top = selected - height + 1 }
        top = max(0, min(top, max(0, count - height)))
        return top
    }

    public mutating func apply(_ movement: ListMovement, page: Int) {
        switch movement {
        case .up: move(by: -1)
        case .down: move(by: 1)
        case .pageUp: move(by: -max(1, page))
        case .pageDown: move(by: max(1, page))
        case .first: select(0)
        case .last: select(count - 1)
        }
    }

    /// Arrow, vi, page and home/end keys (for dialogs); true when the key moved the selection.
    public mutating func handle(_ key: Key, page: Int) -> Bool {
        guard let movement = ListMovement.allCases.first(where: { $0.keys.contains(key) }) else { return false }
        apply(movement, page: page)
        return true
    }
}

public enum ListMovement: CaseIterable, Sendable {
    case up, down, pageUp, pageDown, first, last

    public var keys: [Key] {
        switch self {
        case .up: return [.up, .character("k")]
        case .down: return [.down, .character("j")]
        case .pageUp: return [.pageUp]
        case .pageDown: return [.pageDown]
        case .first: return [.home, .character("g")]
        case .last: return [.end, .character("G")]
        }
    }

    var description: String {
        switch self {
        case .up: return "Move up"
        case .down: return "Move down"
        case .pageUp: return "Move up a page"
        case .pageDown: return "Move down a page"
        case .first: return "Go to the first entry"
        case .last: return "Go to the last entry"
        }
    }

    /// The bindings for moving through a list; `move` applies the movement.
    static func bindings(_ move: @escaping (ListMovement) -> Void) -> [Binding] {
        allCases.map { movement in
            Binding(movement.keys, movement.description, action: { move(movement); return .redraw })
        }
    }
}

/// Thread-safe hand-over from engine tasks to the UI thread, drained on each tick.
public final class Mailbox<Message: Sendable>: Sendable {
    private let messages = Mutex<[Message]>([])

    public init() {}

    public func post(_ message: Message) { messages.withLock { $0.append(message) } }

    public func drain() -> [Message] {
        messages.withLock { queued in
            let taken = queued
            queued.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// At most `limit` messages, oldest first; the rest stay for the next call.
    public func drain(limit: Int) -> [Message] {
        messages.withLock { queued in
            guard queued.count > limit else {
                let taken = queued
                queued.removeAll(keepingCapacity: true)
                return taken
            }
            let taken = Array(queued.prefix(limit))
            queued.removeFirst(limit)
            return taken
        }
    }

    public var isEmpty: Bool { messages.withLock { $0.isEmpty } }
}

/// Byte counts as people read them: 1.5 MB, 980 KB.
func formatBytes(_ bytes: Int64) -> String {
    let value = Double(bytes)
    if value >= 1_000_000_000 { return String(format: "%.1f GB", value / 1_000_000_000) }
    if value >= 1_000_000 { return String(format: "%.1f MB", value / 1_000_000) }
    if value >= 1_000 { return String(format: "%.0f KB", value / 1_000) }
    return "\(bytes) B"
}

/// Dates in the console: UTC, minute precision, same everywhere.
func formatDate(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                  parts.hour ?? 0, parts.minute ?? 0)
}

/// A key the console reacts to, independent of how the terminal encoded it.
public enum Key: Hashable, Sendable {
    case character(Character)
    case control(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)

    /// How help, the key-hint bar and docs spell the key.
    public var label: String {
        switch self {
        case .character(" "): return "Space"
        case let .character(c): return String(c)
        case let .control(c): return "Ctrl-\(c.uppercased())"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case let .function(n): return "F\(n)"
        }
    }
}

public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case click, wheelUp, wheelDown }
    public let kind: Kind
    public let row: Int
    public let column: Int

    public init(kind: Kind, row: Int, column: Int) {
        self.kind = kind
        self.row = row
        self.column = column
    }
}

public enum InputEvent: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize
}

public struct TerminalSize: Hashable, Sendable {
    public let rows: Int
    public let columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }
}

/// What the terminal can show; themes are reduced to this before drawing.
public enum ColorDepth: Int, Comparable, Sendable, CaseIterable {
    case monochrome = 0
    case eight = 8
    case sixteen = 16
    case palette256 = 256

    public static func < (a: ColorDepth, b: ColorDepth) -> Bool { a.rawValue < b.rawValue }
}

/// A colour as the terminal receives it: the terminal's default or a palette index.
public enum TerminalColor: Hashable, Sendable {
    case terminalDefault
    case palette(UInt8)
}

public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1)
    public static let underline = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let dim = TextAttributes(rawValue: 8)
}

/// The look of one cell after the theme has been resolved for the terminal's colour depth.
public struct CellStyle: Hashable, Sendable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: TextAttributes

    public init(foreground: TerminalColor = .terminalDefault, background: TerminalColor = .terminalDefault,
                attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = CellStyle()
}

/// The drawing and input surface the console needs; curses in production, a grid in tests.
public protocol Terminal: AnyObject {
    var size: TerminalSize { get }
    var colorDepth: ColorDepth { get }
    /// False when the locale cannot show UTF-8: the console then draws with ASCII glyphs.
    var supportsUnicode: Bool { get }
    /// Erases the whole screen (applied on the next flush).
    func clear()
    /// Writes `text` starting at a cell; text past the right edge is cut off by the terminal.
    func put(_ text: String, row: Int, column: Int, style: CellStyle)
    /// Makes everything written since the last flush visible.
    func flush()
    /// The next key, mouse or resize event, or nil when none arrives within the timeout.
    func readEvent(timeoutMilliseconds: Int) -> InputEvent?
    /// Puts text on the system clipboard through OSC 52; false when the terminal cannot.
    func copyToClipboard(_ text: String) -> Bool
}

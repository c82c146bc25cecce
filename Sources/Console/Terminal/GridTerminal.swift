/// An in-memory terminal: a grid of cells that tests read back as text lines and a style
/// map, fed with scripted input events.
public final class GridTerminal: Terminal {
    struct Cell: Equatable {
        var text: String = " "
        var style: CellStyle = .plain
        /// The right half of a wide character: holds nothing of its own.
        var isContinuation = false
    }

    public private(set) var size: TerminalSize
    public let colorDepth: ColorDepth
    public let supportsUnicode: Bool
    public let clipboardSupported: Bool
    public private(set) var clipboard: [String] = []
    public private(set) var flushCount = 0
    private var cells: [[Cell]]
    private var pending: [InputEvent] = []

    public init(rows: Int, columns: Int, colorDepth: ColorDepth = .palette256, supportsUnicode: Bool = true,
                clipboardSupported: Bool = true) {
        size = TerminalSize(rows: rows, columns: columns)
        self.colorDepth = colorDepth
        self.supportsUnicode = supportsUnicode
        self.clipboardSupported = clipboardSupported
        cells = Array(repeating: Array(repeating: Cell(), count: columns), count: rows)
    }

    /// Changes the size as a window resize would, and queues the resize event.
    public func resize(rows: Int, columns: Int) {
        size = TerminalSize(rows: rows, columns: columns)
        cells = Array(repeating: Array(repeating: Cell(), count: columns), count: rows)
        pending.append(.resize)
    }

    public func enqueue(_ events: InputEvent...) { pending += events }
    public func enqueue(keys: [Key]) { pending += keys.map(InputEvent.key) }
    /// Queues one key per character of `text`, as typing it would.
    public func type(_ text: String) { pending += text.map { InputEvent.key(.character($0)) } }
    public var pendingEventCount: Int { pending.count }

    public func clear() {
        for row in cells.indices {
            for column in cells[row].indices { cells[row][column] = Cell() }
        }
    }

    public func put(_ text: String, row: Int, column: Int, style: CellStyle) {
        guard row >= 0, row < size.rows else { return }
        if DisplayWidth.isPlainASCII(text) {
            var x = column
            for byte in text.utf8 {
                guard x >= 0, x < size.columns else { break }
                cells[row][x] = Cell(text: String(UnicodeScalar(byte)), style: style)
                x += 1
            }
            return
        }
        var x = column
        for character in text {
            let width = DisplayWidth.of(character)
            if width == 0 {
                if x > 0, x - 1 < size.columns { cells[row][x - 1].text.append(character) }
                continue
            }
            guard x >= 0, x + width <= size.columns else { break }
            cells[row][x] = Cell(text: String(character), style: style)
            if width == 2 { cells[row][x + 1] = Cell(text: "", style: style, isContinuation: true) }
            x += width
        }
    }

    public func flush() { flushCount += 1 }

    public func readEvent(timeoutMilliseconds: Int) -> InputEvent? {
        pending.isEmpty ? nil : pending.removeFirst()
    }

    public func copyToClipboard(_ text: String) -> Bool {
        guard clipboardSupported else { return false }
        clipboard.append(text)
        return true
    }

    /// The screen as text, one string per row, trailing spaces removed.
    public var lines: [String] {
        cells.map { row in
            var line = ""
            for cell in row where !cell.isContinuation { line += cell.text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    public var text: String { lines.joined(separator: "\n") }

    /// The style of the cell at a position.
    public func style(row: Int, column: Int) -> CellStyle { cells[row][column].style }

    /// One letter per cell naming its style (`.` for the plain style), plus a legend that
    /// lists each letter's colours and attributes; styles are lettered in order of appearance.
    public var styleMap: String {
        var letters: [CellStyle: Character] = [.plain: "."]
        var legend: [String] = []
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rows: [String] = []
        for row in cells {
            var line = ""
            for cell in row {
                if let letter = letters[cell.style] {
                    line.append(letter)
                    continue
                }
                let letter = letters.count - 1 < alphabet.count ? alphabet[letters.count - 1] : "?"
                letters[cell.style] = letter
                legend.append("\(letter) = \(Self.describe(cell.style))")
                line.append(letter)
            }
            rows.append(line)
        }
        return (rows + ["", "legend:"] + legend).joined(separator: "\n")
    }

    static func describe(_ style: CellStyle) -> String {
        func color(_ c: TerminalColor) -> String {
            switch c {
            case .terminalDefault: return "default"
            case let .palette(index): return String(index)
            }
        }
        var attributes: [String] = []
        if style.attributes.contains(.bold) { attributes.append("bold") }
        if style.attributes.contains(.underline) { attributes.append("underline") }
        if style.attributes.contains(.reverse) { attributes.append("reverse") }
        if style.attributes.contains(.dim) { attributes.append("dim") }
        return "\(color(style.foreground));\(color(style.background));\(attributes.joined(separator: "+"))"
    }
}

/// A rectangle of the screen, in cells.
public struct Rect: Hashable, Sendable {
    public var row: Int
    public var column: Int
    public var width: Int
    public var height: Int

    public init(row: Int, column: Int, width: Int, height: Int) {
        self.row = row
        self.column = column
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public func contains(row r: Int, column c: Int) -> Bool {
        r >= row && r < row + height && c >= column && c < column + width
    }
}

/// The characters that differ between a UTF-8 terminal and the ASCII fallback.
public struct Glyphs: Sendable {
    public let horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: String
    public let checked, unchecked, unavailable: String
    public let barFull, barEmpty: String
    public let treeBranch, treeLast, treePipe: String
    public let pointer, separator, ellipsis, stageDone, stageRunning, stageFailed: String

    public static let unicode = Glyphs(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
                                       bottomLeft: "└", bottomRight: "┘", checked: "[✓]", unchecked: "[ ]",
                                       unavailable: "[-]", barFull: "█", barEmpty: "░", treeBranch: "├─",
                                       treeLast: "└─", treePipe: "│ ", pointer: "›", separator: "·", ellipsis: "…",
                                       stageDone: "✓", stageRunning: "▶", stageFailed: "✗")
    public static let ascii = Glyphs(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
                                     bottomLeft: "+", bottomRight: "+", checked: "[x]", unchecked: "[ ]",
                                     unavailable: "[-]", barFull: "#", barEmpty: ".", treeBranch: "|-",
                                     treeLast: "`-", treePipe: "| ", pointer: ">", separator: "-", ellipsis: "~",
                                     stageDone: "+", stageRunning: ">", stageFailed: "x")
}

/// Drawing clipped to a rectangle; rows and columns are relative to it.
public struct Canvas {
    public let terminal: any Terminal
    public let bounds: Rect
    public let glyphs: Glyphs

    public init(terminal: any Terminal, bounds: Rect, glyphs: Glyphs) {
        self.terminal = terminal
        self.bounds = bounds
        self.glyphs = glyphs
    }

    public var width: Int { bounds.width }
    public var height: Int { bounds.height }

    /// Writes text clipped to the canvas; returns the columns used.
    @discardableResult
    public func put(_ text: String, row: Int, column: Int = 0, style: CellStyle) -> Int {
        guard row >= 0, row < bounds.height, column < bounds.width else { return 0 }
        var text = DisplayWidth.sanitized(text)
        var column = column
        if column < 0 {
            text = String(dropColumns(text, -column))
            column = 0
        }
        let (visible, used) = DisplayWidth.prefix(text, fitting: bounds.width - column)
        if used > 0 { terminal.put(String(visible), row: bounds.row + row, column: bounds.column + column, style: style) }
        return used
    }

    /// Writes text cut with an ellipsis or padded so it fills exactly `width` columns.
    public func putFitted(_ text: String, row: Int, column: Int = 0, width: Int? = nil, style: CellStyle) {
        let columns = min(width ?? (bounds.width - column), bounds.width - column)
        guard columns > 0 else { return }
        put(DisplayWidth.fit(DisplayWidth.sanitized(text), columns: columns, ellipsis: glyphs.ellipsis),
            row: row, column: column, style: style)
    }

    public func fill(row: Int, style: CellStyle) {
        put(String(repeating: " ", count: bounds.width), row: row, style: style)
    }

    public func fillAll(style: CellStyle) {
        for row in 0..<bounds.height { fill(row: row, style: style) }
    }

    public func sub(_ rect: Rect) -> Canvas {
        let row = max(0, min(rect.row, bounds.height))
        let column = max(0, min(rect.column, bounds.width))
        return Canvas(terminal: terminal,
                      bounds: Rect(row: bounds.row + row, column: bounds.column + column,
                                   width: min(rect.width, bounds.width - column),
                                   height: min(rect.height, bounds.height - row)),
                      glyphs: glyphs)
    }

    /// A frame around the canvas with a title; returns the inside.
    public func box(title: String, style: CellStyle, titleStyle: CellStyle) -> Canvas {
        guard width >= 2, height >= 2 else { return self }
        let line = String(repeating: glyphs.horizontal, count: width - 2)
        put(glyphs.topLeft + line + glyphs.topRight, row: 0, style: style)
        for row in 1..<(height - 1) {
            put(glyphs.vertical, row: row, style: style)
            put(String(repeating: " ", count: width - 2), row: row, column: 1, style: style)
            put(glyphs.vertical, row: row, column: width - 1, style: style)
        }
        put(glyphs.bottomLeft + line + glyphs.bottomRight, row: height - 1, style: style)
        if !title.isEmpty { putFitted(" \(title) ", row: 0, column: 2, width: min(width - 4, DisplayWidth.of(title) + 2), style: titleStyle) }
        return sub(Rect(row: 1, column: 1, width: width - 2, height: height - 2))
    }

    private func dropColumns(_ text: String, _ columns: Int) -> Substring {
        var dropped = 0
        var index = text.startIndex
        while index < text.endIndex, dropped < columns {
            dropped += DisplayWidth.of(text[index])
            index = text.index(after: index)
        }
        return text[index...]
    }
}

/// Splits text into rows of at most `width` columns, breaking at spaces where possible.
public func wrapText(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var rows: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var remaining = Substring(paragraph)
        if remaining.isEmpty { rows.append(""); continue }
        while !remaining.isEmpty {
            let (fits, _) = DisplayWidth.prefix(remaining, fitting: width)
            if fits.endIndex == remaining.endIndex { rows.append(String(fits)); break }
            var cut = fits.endIndex
            if let space = fits.lastIndex(of: " "), space > fits.startIndex { cut = space }
            if cut == remaining.startIndex { cut = remaining.index(after: remaining.startIndex) }
            rows.append(String(remaining[..<cut]))
            remaining = remaining[cut...]
            while remaining.first == " " { remaining = remaining.dropFirst() }
        }
    }
    return rows
}

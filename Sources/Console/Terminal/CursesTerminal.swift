import CAppsealShim
import CNcurses
import Foundation

public struct TerminalError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The real terminal over ncursesw. One instance at a time owns the screen; `close()`
/// (or deinit) restores it, and the C shim's signal handlers restore it on Ctrl-C,
/// SIGTERM and fatal signals.
public final class CursesTerminal: Terminal {
    public let colorDepth: ColorDepth
    public let supportsUnicode: Bool
    private let clipboardSupported: Bool
    private var pairs: [PairKey: Int16] = [:]
    private var pairLimit: Int
    private var isOpen = true
    private let window: UnsafeMutablePointer<WINDOW>
    private let screen: OpaquePointer
    private let output: UnsafeMutablePointer<FILE>
    private let input: UnsafeMutablePointer<FILE>
    private var pendingClipboard: [String] = []

    private struct PairKey: Hashable {
        let foreground: TerminalColor
        let background: TerminalColor
    }

    /// Takes over the terminal. `allowColor` false (NO_COLOR) draws in monochrome.
    public init(allowColor: Bool, environment: [String: String]) throws {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        supportsUnicode = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(message: "the console needs a terminal on stdin and stdout")
        }
        // Duplicated descriptors, so closing curses' streams later leaves stdin and stdout open.
        guard let output = fdopen(dup(STDOUT_FILENO), "w"), let input = fdopen(dup(STDIN_FILENO), "r"),
              let screen = newterm(nil, output, input), let window = appseal_curses_stdscr() else {
            throw TerminalError(message: "cannot open the terminal '\(environment["TERM"] ?? "")' (is TERM set?)")
        }
        set_term(screen)
        self.window = window
        self.screen = screen
        self.output = output
        self.input = input
        appseal_curses_set_active(1)
        appseal_curses_install_signal_handlers()
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        mousemask(appseal_mouse_wanted_mask(), nil)
        mouseinterval(0)

        var depth = ColorDepth.monochrome
        if allowColor, has_colors() {
            start_color()
            use_default_colors()
            switch appseal_curses_colors() {
            case 256...: depth = .palette256
            case 16...: depth = .sixteen
            case 8...: depth = .eight
            default: depth = .monochrome
            }
        }
        colorDepth = depth
        pairLimit = depth == .monochrome ? 0 : Int(min(appseal_curses_color_pairs(), Int32(Int16.max)))
        let term = environment["TERM"] ?? ""
        clipboardSupported = !(term.isEmpty || term == "dumb" || term == "linux")
    }

    deinit { close() }

    /// Gives the terminal back as it was; safe to call more than once.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        endwin()
        appseal_curses_set_active(0)
        appseal_curses_restore_signal_handlers()
        delscreen(screen)
        fclose(output)
        fclose(input)
    }

    /// SIGINT, SIGTERM or SIGHUP received since the last call.
    public func takePendingSignal() -> Int32? {
        let signal = appseal_curses_take_pending_signal()
        return signal == 0 ? nil : signal
    }

    public var size: TerminalSize { TerminalSize(rows: Int(getmaxy(window)), columns: Int(getmaxx(window))) }

    public func clear() { erase() }

    public func put(_ text: String, row: Int, column: Int, style: CellStyle) {
        let bounds = size
        guard row >= 0, row < bounds.rows, column >= 0, column < bounds.columns else { return }
        let visible = DisplayWidth.prefix(supportsUnicode ? text : Self.asciiOnly(text),
                                          fitting: bounds.columns - column).text
        attr_set(attributes(for: style), pair(for: style), nil)
        mvaddstr(Int32(row), Int32(column), String(visible))
    }

    public func flush() {
        refresh()
        for text in pendingClipboard {
            let sequence = "\u{1B}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
            FileHandle.standardOutput.write(Data(sequence.utf8))
        }
        pendingClipboard.removeAll()
    }

    public func readEvent(timeoutMilliseconds: Int) -> InputEvent? {
        timeout(Int32(timeoutMilliseconds))
        var character: wint_t = 0
        let result = get_wch(&character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES { return functionKey(Int32(character)) }
        guard let scalar = Unicode.Scalar(character) else { return nil }
        switch scalar.value {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.control(Character(Unicode.Scalar(scalar.value + 96)!)))
        case 0..<32: return nil
        default: return .key(.character(Character(scalar)))
        }
    }

    public func copyToClipboard(_ text: String) -> Bool {
        guard clipboardSupported else { return false }
        pendingClipboard.append(text)
        return true
    }

    private func functionKey(_ code: Int32) -> InputEvent? {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case KEY_RESIZE: return .resize
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            let kinds: [Int32: MouseEvent.Kind] = [1: .click, 2: .wheelUp, 3: .wheelDown]
            guard let kind = kinds[appseal_mouse_kind(event.bstate)] else { return nil }
            return .mouse(MouseEvent(kind: kind, row: Int(event.y), column: Int(event.x)))
        case (KEY_F0 + 1)...(KEY_F0 + 12): return .key(.function(Int(code - KEY_F0)))
        default: return nil
        }
    }

    private func attributes(for style: CellStyle) -> attr_t {
        var value = appseal_A_NORMAL()
        if style.attributes.contains(.bold) { value |= appseal_A_BOLD() }
        if style.attributes.contains(.underline) { value |= appseal_A_UNDERLINE() }
        if style.attributes.contains(.reverse) { value |= appseal_A_REVERSE() }
        if style.attributes.contains(.dim) { value |= appseal_A_DIM() }
        return attr_t(value)
    }

    /// Colour pairs are allocated on first use; past the terminal's limit the default pair is used.
    private func pair(for style: CellStyle) -> Int16 {
        guard colorDepth != .monochrome else { return 0 }
        let key = PairKey(foreground: style.foreground, background: style.background)
        if key.foreground == .terminalDefault, key.background == .terminalDefault { return 0 }
        if let existing = pairs[key] { return existing }
        let next = pairs.count + 1
        guard next < pairLimit else { return 0 }
        func number(_ color: TerminalColor) -> Int16 {
            switch color {
            case .terminalDefault: return -1
            case let .palette(index): return Int16(index)
            }
        }
        init_pair(Int16(next), number(key.foreground), number(key.background))
        pairs[key] = Int16(next)
        return Int16(next)
    }

    /// Outside a UTF-8 locale every non-ASCII character becomes '?' per cell it would occupy.
    static func asciiOnly(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy(\.isASCII) else { return text }
        var result = ""
        for character in text {
            if character.unicodeScalars.allSatisfy(\.isASCII) {
                result.append(character)
            } else {
                result += String(repeating: "?", count: DisplayWidth.of(character))
            }
        }
        return result
    }
}

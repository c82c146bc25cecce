import Foundation

/// A semantic role: what a piece of the screen means, not how it looks. Themes map roles
/// to colours; the raw value is the theme file's `section.key`.
public enum Role: String, CaseIterable, Sendable {
    case text = "core.text"
    case title = "core.title"
    case muted = "core.muted"
    case border = "core.border"
    case error = "core.error"
    case warning = "core.warning"
    case success = "core.success"
    case accent = "core.accent"
    case navItem = "nav.item"
    case navHeader = "nav.header"
    case navCurrent = "nav.current"
    case barKey = "bar.key"
    case barLabel = "bar.label"
    case barDisabled = "bar.disabled"
    case status = "status.text"
    case statusError = "status.error"
    case statusBusy = "status.busy"
    case listHeader = "list.header"
    case listItem = "list.item"
    case listSelection = "list.selection"
    case formLabel = "form.label"
    case formValue = "form.value"
    case formEditing = "form.editing"
    case formError = "form.error"
    case logDebug = "log.debug"
    case logInfo = "log.info"
    case logWarning = "log.warning"
    case logError = "log.error"
    case logMatch = "log.match"
    case progressDone = "progress.done"
    case progressTodo = "progress.todo"
    case dialogText = "dialog.text"
    case dialogTitle = "dialog.title"
    case dialogKey = "dialog.key"

    public var section: String { String(rawValue.prefix { $0 != "." }) }
    public var key: String { String(rawValue.drop { $0 != "." }.dropFirst()) }

    public static let sections: [String] = {
        var seen: [String] = []
        for role in allCases where !seen.contains(role.section) { seen.append(role.section) }
        return seen
    }()
}

/// A colour as a theme file writes it: named, a palette index, or truecolor `#rrggbb`.
public enum ThemeColor: Hashable, Sendable {
    case terminalDefault
    case palette(UInt8)
    case rgb(UInt8, UInt8, UInt8)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    init?(parsing text: String) {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        if word.isEmpty || word == "default" { self = .terminalDefault; return }
        if let index = Self.names.firstIndex(of: word) { self = .palette(UInt8(index)); return }
        if word.hasPrefix("bright"), let index = Self.names.firstIndex(of: String(word.dropFirst(6))) {
            self = .palette(UInt8(index + 8)); return
        }
        if word.hasPrefix("#"), word.count == 7, let value = UInt32(word.dropFirst(), radix: 16) {
            self = .rgb(UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)); return
        }
        if word.hasPrefix("color"), let index = UInt8(word.dropFirst(5)) { self = .palette(index); return }
        if let index = UInt8(word) { self = .palette(index); return }
        return nil
    }

    /// The closest colour the terminal can show at `depth` (nil in monochrome).
    public func reduced(to depth: ColorDepth) -> TerminalColor {
        switch (self, depth) {
        case (_, .monochrome), (.terminalDefault, _): return .terminalDefault
        case let (.palette(index), .palette256): return .palette(index)
        case let (.rgb(r, g, b), .palette256): return .palette(ColorMath.nearest256(r, g, b))
        case let (.palette(index), .sixteen): return .palette(index < 16 ? index : ColorMath.nearest16(ColorMath.rgb(of: index)))
        case let (.rgb(r, g, b), .sixteen): return .palette(ColorMath.nearest16((r, g, b)))
        case let (.palette(index), .eight):
            let basic = index < 16 ? index : ColorMath.nearest16(ColorMath.rgb(of: index))
            return .palette(basic % 8)
        case let (.rgb(r, g, b), .eight): return .palette(ColorMath.nearest16((r, g, b)) % 8)
        }
    }
}

/// xterm's palette: 16 basic colours, a 6×6×6 cube and 24 greys.
enum ColorMath {
    static let basic: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    static func rgb(of index: UInt8) -> (UInt8, UInt8, UInt8) {
        switch index {
        case 0..<16: return basic[Int(index)]
        case 16..<232:
            let cube = Int(index) - 16
            return (UInt8(cubeLevels[cube / 36]), UInt8(cubeLevels[(cube / 6) % 6]), UInt8(cubeLevels[cube % 6]))
        default:
            let grey = UInt8(8 + 10 * (Int(index) - 232))
            return (grey, grey, grey)
        }
    }

    static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
        let dr = Int(a.0) - Int(b.0), dg = Int(a.1) - Int(b.1), db = Int(a.2) - Int(b.2)
        return dr * dr + dg * dg + db * db
    }

    /// The nearest cube colour or grey; the basic 16 are skipped because terminals redefine them.
    static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        func level(_ value: UInt8) -> Int {
            cubeLevels.indices.min { abs(cubeLevels[$0] - Int(value)) < abs(cubeLevels[$1] - Int(value)) }!
        }
        let cube = UInt8(16 + 36 * level(r) + 6 * level(g) + level(b))
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let greyStep = min(23, max(0, (average - 8 + 5) / 10))
        let grey = UInt8(232 + greyStep)
        return distance(rgb(of: cube), (r, g, b)) <= distance(rgb(of: grey), (r, g, b)) ? cube : grey
    }

    static func nearest16(_ color: (UInt8, UInt8, UInt8)) -> UInt8 {
        UInt8(basic.indices.min { distance(basic[$0], color) < distance(basic[$1], color) }!)
    }
}

/// One role's look as the theme file gives it, before reduction to the terminal.
public struct ThemeStyle: Hashable, Sendable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var attributes: TextAttributes

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
                attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

/// A problem in a theme file that did not stop it loading: the line and what was ignored.
public struct ThemeWarning: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String
    public var description: String { "\(file):\(line): \(message)" }
}

public struct ThemeError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// A parsed theme: `[section] key = fg;bg;attrs`. A role missing from its section falls back
/// to that section's `_default_`, then to `[core] _default_`, then to the terminal's colours.
public struct Theme: Sendable {
    public let name: String
    public let summary: String
    public let warnings: [ThemeWarning]
    private let entries: [String: ThemeStyle]

    public init(name: String, source: String) {
        var entries: [String: ThemeStyle] = [:]
        var warnings: [ThemeWarning] = []
        var summary = ""
        var section: String?
        let file = "\(name).theme"
        for (offset, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    warnings.append(ThemeWarning(file: file, line: lineNumber, message: "malformed section header '\(line)' ignored"))
                    section = nil
                    continue
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces).lowercased()
                if name == "theme" || Role.sections.contains(name) {
                    section = name
                } else {
                    warnings.append(ThemeWarning(file: file, line: lineNumber, message: "unknown section [\(name)] ignored"))
                    section = nil
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                warnings.append(ThemeWarning(file: file, line: lineNumber, message: "expected 'key = value', ignored"))
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let section else { continue }
            if section == "theme" {
                if key == "description" { summary = value } else {
                    warnings.append(ThemeWarning(file: file, line: lineNumber, message: "unknown key '\(key)' in [theme] ignored"))
                }
                continue
            }
            let qualified = "\(section).\(key)"
            guard key == "_default_" || Role(rawValue: qualified) != nil else {
                warnings.append(ThemeWarning(file: file, line: lineNumber, message: "unknown key '\(key)' in [\(section)] ignored"))
                continue
            }
            switch Self.parseStyle(value) {
            case let .success(style): entries[qualified] = style
            case let .failure(problem):
                warnings.append(ThemeWarning(file: file, line: lineNumber, message: "\(qualified): \(problem.message), ignored"))
            }
        }
        self.name = name
        self.summary = summary
        self.warnings = warnings
        self.entries = entries
    }

    /// The role's style after the fallback chain.
    public func style(_ role: Role) -> ThemeStyle {
        entries[role.rawValue] ?? entries["\(role.section)._default_"] ?? entries["core._default_"] ?? ThemeStyle()
    }

    static func parseStyle(_ value: String) -> Result<ThemeStyle, ThemeError> {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= 3 else { return .failure(ThemeError(message: "expected fg;bg;attrs, got '\(value)'")) }
        var style = ThemeStyle()
        if parts.count > 0 {
            guard let color = ThemeColor(parsing: parts[0]) else { return .failure(ThemeError(message: "unknown colour '\(parts[0])'")) }
            style.foreground = color
        }
        if parts.count > 1 {
            guard let color = ThemeColor(parsing: parts[1]) else { return .failure(ThemeError(message: "unknown colour '\(parts[1])'")) }
            style.background = color
        }
        if parts.count > 2 {
            for word in parts[2].split(separator: "+").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !word.isEmpty {
                switch word {
                case "bold": style.attributes.insert(.bold)
                case "underline": style.attributes.insert(.underline)
                case "reverse": style.attributes.insert(.reverse)
                case "dim": style.attributes.insert(.dim)
                case "normal": break
                default: return .failure(ThemeError(message: "unknown attribute '\(word)'"))
                }
            }
        }
        return .success(style)
    }

    /// The theme made concrete for a terminal.
    public func resolved(for depth: ColorDepth) -> ResolvedTheme {
        var styles: [Role: CellStyle] = [:]
        for role in Role.allCases {
            let style = style(role)
            styles[role] = CellStyle(foreground: style.foreground.reduced(to: depth),
                                     background: style.background.reduced(to: depth),
                                     attributes: style.attributes)
        }
        return ResolvedTheme(name: name, depth: depth, styles: styles)
    }
}

/// Role → cell style for one terminal; what panes draw with.
public struct ResolvedTheme: Sendable {
    public let name: String
    public let depth: ColorDepth
    let styles: [Role: CellStyle]

    public subscript(role: Role) -> CellStyle { styles[role] ?? .plain }
}

/// Finds themes: the built-in ones (the files in the repository's themes/ folder), then
/// any `*.theme` in the user's folders, which may override a built-in by name.
public struct ThemeCatalog: Sendable {
    public let folders: [URL]

    public init(folders: [URL]) { self.folders = folders }

    /// `$XDG_CONFIG_HOME/appseal/themes` (or ~/.config/appseal/themes) and `<workspace>/themes`.
    public static func standardFolders(environment: [String: String], workspace: String?) -> [URL] {
        var folders: [URL] = []
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            folders.append(URL(fileURLWithPath: config).appendingPathComponent("appseal/themes"))
        } else if let home = environment["HOME"], !home.isEmpty {
            folders.append(URL(fileURLWithPath: home).appendingPathComponent(".config/appseal/themes"))
        }
        if let workspace { folders.append(URL(fileURLWithPath: workspace).appendingPathComponent("themes")) }
        return folders
    }

    public var names: [String] {
        var names = BuiltinThemes.sources.map(\.name)
        for folder in folders {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".theme") {
                let name = String(file.dropLast(6))
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    public func load(_ name: String) throws -> Theme {
        for folder in folders.reversed() {
            let file = folder.appendingPathComponent("\(name).theme")
            if let data = FileManager.default.contents(atPath: file.path) {
                return Theme(name: name, source: String(decoding: data, as: UTF8.self))
            }
        }
        if let builtin = BuiltinThemes.sources.first(where: { $0.name == name }) {
            return Theme(name: name, source: builtin.source)
        }
        throw ThemeError(message: "unknown theme '\(name)'; available: \(names.joined(separator: ", "))")
    }
}

@testable import Console
import Foundation
import Testing
import TestSupport

@Suite("Themes")
struct ThemeTests {
    static let shipped = ["default", "light", "high-contrast", "monochrome"]

    @Test("a role falls back to its section's _default_, then to [core] _default_")
    func fallback() {
        let theme = Theme(name: "t", source: """
        [core]
        _default_ = white;black
        error = red;black;bold
        [bar]
        _default_ = black;cyan
        key = white;blue;bold+underline
        """)
        #expect(theme.warnings.isEmpty)
        #expect(theme.style(.barKey) == ThemeStyle(foreground: .palette(7), background: .palette(4), attributes: [.bold, .underline]))
        #expect(theme.style(.barLabel) == ThemeStyle(foreground: .palette(0), background: .palette(6)))
        #expect(theme.style(.logInfo) == ThemeStyle(foreground: .palette(7), background: .palette(0)))
        #expect(theme.style(.error).attributes == [.bold])
        #expect(Theme(name: "empty", source: "").style(.title) == ThemeStyle())
    }

    @Test("unknown sections and keys, bad colours and attributes are ignored with a warning naming the line")
    func warnings() {
        let theme = Theme(name: "odd", source: """
        [core]
        _default_ = white;black
        sparkle = red
        [bar]
        key = purple;black
        label = white;black;blink
        [widgets]
        x = red
        not a setting
        """)
        #expect(theme.warnings.map(\.description) == [
            "odd.theme:3: unknown key 'sparkle' in [core] ignored",
            "odd.theme:5: bar.key: unknown colour 'purple', ignored",
            "odd.theme:6: bar.label: unknown attribute 'blink', ignored",
            "odd.theme:7: unknown section [widgets] ignored",
            "odd.theme:9: expected 'key = value', ignored",
        ])
        #expect(theme.style(.barKey) == ThemeStyle(foreground: .palette(7), background: .palette(0)), "bad value falls back")
    }

    @Test("colour names, bright names, palette numbers and #rrggbb", arguments: [
        ("default", ThemeColor.terminalDefault), ("red", .palette(1)), ("brightred", .palette(9)), ("white", .palette(7)),
        ("208", .palette(208)), ("color33", .palette(33)), ("#ff8700", .rgb(255, 135, 0)),
    ])
    func colours(text: String, expected: ThemeColor) {
        #expect(ThemeColor(parsing: text) == expected)
    }

    @Test("truecolor is reduced to the xterm palette, then to 16 and 8 colours; monochrome drops colour", arguments: [
        (ThemeColor.rgb(255, 0, 0), ColorDepth.palette256, TerminalColor.palette(196)),
        (.rgb(0, 175, 135), .palette256, .palette(36)),
        (.rgb(128, 128, 128), .palette256, .palette(244)),
        (.rgb(8, 8, 8), .palette256, .palette(232)),
        (.rgb(250, 10, 10), .sixteen, .palette(9)),
        (.rgb(250, 10, 10), .eight, .palette(1)),
        (.palette(196), .sixteen, .palette(9)),
        (.palette(12), .eight, .palette(4)),
        (.palette(7), .monochrome, .terminalDefault),
    ])
    func reduction(color: ThemeColor, depth: ColorDepth, expected: TerminalColor) {
        #expect(color.reduced(to: depth) == expected)
    }

    @Test("the themes/ files ship in the binary unchanged")
    func builtinsMatchFiles() throws {
        let folder = Project.root.appendingPathComponent("themes")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".theme") }.sorted()
        #expect(files == Self.shipped.sorted().map { "\($0).theme" })
        for (name, source) in BuiltinThemes.sources {
            let file = try String(contentsOf: folder.appendingPathComponent("\(name).theme"), encoding: .utf8)
            #expect(file == source, "\(name).theme differs from BuiltinThemes.swift; run themes/generate-builtin")
        }
    }

    @Test("every shipped theme loads without warnings and renders", arguments: shipped)
    func shippedThemeRenders(name: String) throws {
        let theme = try ThemeCatalog(folders: []).load(name)
        #expect(theme.warnings.isEmpty, "\(theme.warnings)")
        #expect(!theme.summary.isEmpty)
        let harness = try Harness(theme: name)
        harness.createFusionSet("Production")
        harness.press(.character("2"), .character(" "))
        Golden.check(harness.terminal.styleMap, "theme-\(name)")
        #expect(harness.app.theme.name == name)
        let selection = harness.app.theme[.listSelection]
        #expect(selection != harness.app.theme[.listItem], "the selection must be visible in \(name)")
    }

    @Test("the monochrome theme uses reverse video and no colour at all")
    func monochromeIsColourless() throws {
        let resolved = try ThemeCatalog(folders: []).load("monochrome").resolved(for: .palette256)
        for role in Role.allCases {
            #expect(resolved[role].foreground == .terminalDefault && resolved[role].background == .terminalDefault, "\(role)")
        }
        #expect(resolved[.listSelection].attributes.contains(.reverse))
    }

    @Test("a terminal without colour (or NO_COLOR) gets the monochrome theme, and says so")
    func noColour() throws {
        let harness = try Harness(theme: "default", colorDepth: .monochrome)
        #expect(harness.app.theme.name == "monochrome")
        #expect(harness.app.session.statusText.contains("monochrome theme"))
    }

    @Test("the picker previews themes as the selection moves; Esc reverts, Enter keeps")
    func picker() throws {
        let harness = try Harness()
        harness.press(.character("t"))
        Golden.check(harness.screen, "theme-picker")
        harness.press(.down)
        #expect(harness.app.theme.name == "light")
        harness.press(.escape)
        #expect(harness.app.theme.name == "default")
        harness.press(.character("t"), .down, .down, .enter)
        #expect(harness.app.theme.name == "high-contrast")
        #expect(harness.app.session.statusText.contains("--theme high-contrast"))
    }

    @Test("user folders add themes and may override a built-in one")
    func userFolders() throws {
        let folder = try TemporaryDirectory()
        try "[core]\n_default_ = red;black\n".write(toFile: folder.path("ember.theme"), atomically: true, encoding: .utf8)
        try "[core]\n_default_ = green;black\n".write(toFile: folder.path("light.theme"), atomically: true, encoding: .utf8)
        let catalog = ThemeCatalog(folders: [folder.url])
        #expect(catalog.names == Self.shipped + ["ember"])
        #expect(try catalog.load("light").style(.text).foreground == .palette(2))
        #expect(throws: ThemeError.self) { try catalog.load("nope") }
    }
}

@Suite("Display width")
struct DisplayWidthTests {
    @Test("cells per character", arguments: [
        ("a", 1), ("é", 1), ("e\u{301}", 1), ("漢", 2), ("ｱ", 1), ("Ａ", 2), ("😀", 2), ("✓", 1), ("\u{200B}", 0), ("한", 2),
    ])
    func widths(text: String, expected: Int) {
        #expect(DisplayWidth.of(text) == expected)
    }

    @Test("fitting never splits a wide character and pads to the exact width")
    func fit() {
        #expect(DisplayWidth.fit("漢字テスト", columns: 6) == "漢字… ")
        #expect(DisplayWidth.of(DisplayWidth.fit("漢字テスト", columns: 6)) == 6)
        #expect(DisplayWidth.fit("abc", columns: 5) == "abc  ")
        #expect(DisplayWidth.prefix("a漢b", fitting: 2).text == "a")
    }

    @Test("the grid puts wide characters in two cells and combining marks on their base")
    func gridCells() {
        let grid = GridTerminal(rows: 1, columns: 8)
        grid.put("漢e\u{301}x", row: 0, column: 0, style: .plain)
        #expect(grid.lines == ["漢e\u{301}x"])
        grid.put("|", row: 0, column: 4, style: .plain)
        #expect(grid.lines == ["漢e\u{301}x|"])
    }

    @Test("control characters never reach the terminal")
    func sanitized() {
        #expect(DisplayWidth.sanitized("a\u{1B}[2Jb\tc") == "a\u{FFFD}[2Jb    c")
    }
}

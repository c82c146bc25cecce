@testable import Console
import Foundation
import Testing

@Suite("Layout, navigation and global keys")
struct LayoutTests {
    @Test("first screen at 80×24 and 120×40", arguments: [(24, 80), (40, 120)])
    func firstScreen(rows: Int, columns: Int) throws {
        let harness = try Harness(rows: rows, columns: columns)
        Golden.check(harness.screen, "first-\(columns)x\(rows)")
    }

    @Test("Tab and Shift-Tab walk the panes; digits jump; the title follows")
    func paneSwitching() throws {
        let harness = try Harness()
        #expect(harness.app.current == .upload)
        harness.press(.tab)
        #expect(harness.app.current == .secureCommunication)
        #expect(harness.terminal.lines[0].contains("Secure Communication"))
        harness.press(.tab, .tab, .tab, .tab)
        #expect(harness.app.current == .upload)
        harness.press(.backTab)
        #expect(harness.app.current == .builds)
        harness.press(.character("3"))
        #expect(harness.app.current == .fusionSets)
    }

    @Test("a click on the navigation opens that pane")
    func mouseNavigation() throws {
        let harness = try Harness()
        harness.terminal.enqueue(.mouse(MouseEvent(kind: .click, row: 1 + 4, column: 3)))
        harness.pump()
        #expect(harness.app.current == .fusionSets)
        harness.terminal.enqueue(.mouse(MouseEvent(kind: .click, row: 1 + 1, column: 3)))
        harness.pump()
        #expect(harness.app.current == .fusionSets, "a group heading is not a pane")
    }

    @Test("below 60×16 the console says the terminal is too small, and recovers on resize")
    func tooSmall() throws {
        let harness = try Harness()
        harness.terminal.resize(rows: 12, columns: 50)
        harness.pump()
        Golden.check(harness.screen, "too-small")
        harness.press(.tab)
        #expect(harness.app.current == .upload, "keys other than q do nothing on the too-small screen")
        harness.terminal.resize(rows: 16, columns: 60)
        harness.pump()
        Golden.check(harness.screen, "minimum-60x16")
    }

    @Test("q quits at once when no build runs")
    func quit() throws {
        let harness = try Harness()
        #expect(harness.app.handle(.key(.character("q"))) == false)
    }

    @Test("the ? overlay lists the global keys and the pane's, disabled ones with the reason")
    func helpOverlay() throws {
        let harness = try Harness(rows: 60, columns: 100)
        harness.press(.character("4"), .character("?"))
        Golden.check(harness.screen, "help-build")
        let text = harness.screen
        for binding in harness.app.globalBindings + harness.app.currentPane.bindings {
            #expect(text.contains(binding.keyLabel), "\(binding.keyLabel) missing from help")
            #expect(text.contains(String(binding.description.prefix(40))), "\(binding.description) missing from help")
        }
        harness.press(.escape)
        #expect(!harness.app.hasModal)
    }

    @Test("the ? overlay scrolls when it does not fit")
    func helpScrolls() throws {
        let harness = try Harness()
        harness.press(.character("4"), .character("?"))
        #expect(harness.screen.contains("j/k scroll"))
        #expect(!harness.screen.contains("Wrap long lines"))
        harness.press(.end)
        #expect(harness.screen.contains("Wrap long lines"))
        #expect(!harness.screen.contains("Show every key"))
    }

    @Test("the key-hint bar is built from the pane's bindings")
    func keyHintBar() throws {
        let harness = try Harness(columns: 160)
        harness.press(.character("3"))
        let bar = harness.terminal.lines[23]
        for binding in harness.app.currentPane.bindings where binding.shortLabel != nil {
            #expect(bar.contains(binding.shortLabel!), "bar lacks \(binding.shortLabel!): \(bar)")
        }
        #expect(bar.hasPrefix(" ? Help"))
        #expect(bar.hasSuffix("q Quit"))
    }

    @Test("a disabled binding says why in the status line and does nothing")
    func disabledBinding() throws {
        let harness = try Harness()
        harness.press(.character("4"), .character("b"))
        #expect(harness.app.session.statusText.contains("upload an app first"))
        #expect(harness.app.session.statusIsError)
        #expect(harness.backend.state.withLock { $0.records.isEmpty })
    }

    @Test("ASCII glyphs outside a UTF-8 locale")
    func asciiFallback() throws {
        let harness = try Harness(unicode: false)
        harness.createFusionSet("Production")
        harness.press(.character("2"), .down, .down, .down, .character(" "))
        Golden.check(harness.screen, "ascii-secure-communication")
        let nonASCII = harness.screen.unicodeScalars.filter { !$0.isASCII }
        #expect(nonASCII.isEmpty, "non-ASCII on screen: \(String(String.UnicodeScalarView(nonASCII)))")
    }
}

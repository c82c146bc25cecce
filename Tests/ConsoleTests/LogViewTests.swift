@testable import Console
import Foundation
import Testing

@Suite("Log view")
struct LogViewTests {
    private func line(_ n: Int, _ level: LogLevel = .info, _ message: String? = nil) -> LogLine {
        LogLine(time: InMemoryBackend.epoch + Double(n), level: level, stage: "Sign", message: message ?? "line \(n)")
    }

    private func render(_ log: LogView, rows: Int = 6, columns: Int = 60) -> [String] {
        let terminal = GridTerminal(rows: rows, columns: columns)
        let canvas = Canvas(terminal: terminal, bounds: Rect(row: 0, column: 0, width: columns, height: rows), glyphs: .unicode)
        log.draw(into: canvas, theme: try! ThemeCatalog(folders: []).load("default").resolved(for: .palette256))
        return terminal.lines
    }

    @Test("follows the tail; scrolling up pauses it and counts new lines; End follows again")
    func followAndPause() {
        let log = LogView()
        for n in 0..<100 { log.append(line(n)) }
        #expect(render(log).last!.hasSuffix("Sign: line 99"))
        _ = log.handle(.up) { _ in }
        #expect(!log.isFollowing)
        for n in 100..<105 { log.append(line(n)) }
        let lines = render(log)
        #expect(lines.last!.hasSuffix("Sign: line 98"))
        #expect(lines[0].contains("paused (5 new, End to follow)"))
        _ = log.handle(.end) { _ in }
        #expect(render(log).last!.hasSuffix("Sign: line 104"))
    }

    @Test("the level filter keeps only that level and above")
    func levelFilter() {
        let log = LogView()
        log.append(line(0, .debug))
        log.append(line(1, .info))
        log.append(line(2, .warning))
        log.append(line(3, .error))
        _ = log.handle(.character("l")) { _ in }
        #expect(log.visibleCount == 3)
        _ = log.handle(.character("l")) { _ in }
        #expect(log.visibleCount == 2)
        #expect(render(log)[0].contains("level warning+"))
        log.append(line(4, .info))
        #expect(log.visibleCount == 2)
        _ = log.handle(.character("l")) { _ in }
        _ = log.handle(.character("l")) { _ in }
        #expect(log.visibleCount == 5)
    }

    @Test("/ searches older lines, n and N move between matches, matches are highlighted")
    func search() {
        let log = LogView()
        for n in 0..<50 { log.append(line(n, .info, n % 10 == 3 ? "signer certificate \(n)" : "entry \(n)")) }
        _ = log.handle(.character("/")) { _ in }
        #expect(log.isSearching)
        for character in "CERTIFICATE" { _ = log.handle(.character(character)) { _ in } }
        _ = log.handle(.enter) { _ in }
        #expect(render(log).last!.hasSuffix("signer certificate 43"))
        _ = log.handle(.character("n")) { _ in }
        #expect(render(log).last!.hasSuffix("signer certificate 33"))
        _ = log.handle(.character("N")) { _ in }
        #expect(render(log).last!.hasSuffix("signer certificate 43"))
        var reported = ""
        _ = log.handle(.character("N")) { reported = $0 }
        #expect(reported == "No newer match for 'CERTIFICATE'")
        let terminal = GridTerminal(rows: 6, columns: 60)
        let theme = try! ThemeCatalog(folders: []).load("default").resolved(for: .palette256)
        log.draw(into: Canvas(terminal: terminal, bounds: Rect(row: 0, column: 0, width: 60, height: 6), glyphs: .unicode), theme: theme)
        let row = terminal.lines.count - 1
        let column = terminal.lines[row].distance(from: terminal.lines[row].startIndex, to: terminal.lines[row].range(of: "certificate")!.lowerBound)
        #expect(terminal.style(row: row, column: column) == theme[.logMatch])
        #expect(terminal.style(row: row, column: 0) == theme[.logInfo])
    }

    @Test("long lines wrap, or are cut when wrapping is off")
    func wrapping() {
        let log = LogView()
        log.append(line(0, .info, String(repeating: "abcdefghij ", count: 10)))
        var lines = render(log, rows: 8, columns: 40)
        #expect(lines.filter { $0.contains("abcdefghij") }.count == 4)
        _ = log.handle(.character("w")) { _ in }
        lines = render(log, rows: 8, columns: 40)
        #expect(lines.filter { $0.contains("abcdefghij") }.count == 1)
        #expect(lines.last!.hasSuffix("…"))
    }

    @Test("past its capacity the oldest tenth is dropped and the header says so")
    func capacity() {
        let log = LogView(capacity: 100)
        for n in 0..<150 { log.append(line(n)) }
        #expect(log.lines.count <= 100)
        #expect(log.lines.last?.message == "line 149")
        #expect(render(log, columns: 120)[0].contains("oldest in build.log"))
    }
}

@Suite("Mailbox")
struct MailboxTests {
    @Test("drain(limit:) hands over the oldest messages and keeps the rest in order")
    func limitedDrain() {
        let mailbox = Mailbox<Int>()
        for n in 0..<25 { mailbox.post(n) }
        #expect(mailbox.drain(limit: 10) == Array(0..<10))
        #expect(mailbox.drain(limit: 10) == Array(10..<20))
        #expect(mailbox.drain(limit: 10) == Array(20..<25))
        #expect(mailbox.isEmpty)
    }
}

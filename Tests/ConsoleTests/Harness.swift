@testable import Console
import Foundation
import Testing
import TestSupport

/// A console on a GridTerminal with the in-memory backend, driven by keys.
final class Harness {
    let terminal: GridTerminal
    let backend: InMemoryBackend
    let app: ConsoleApp

    init(rows: Int = 24, columns: Int = 80, backend: InMemoryBackend = InMemoryBackend(), theme: String = "default",
         colorDepth: ColorDepth = .palette256, unicode: Bool = true, clipboard: Bool = true,
         startFolder: String = "/nonexistent-appseal-folder") throws {
        terminal = GridTerminal(rows: rows, columns: columns, colorDepth: colorDepth, supportsUnicode: unicode,
                                clipboardSupported: clipboard)
        self.backend = backend
        let catalog = ThemeCatalog(folders: [])
        app = ConsoleApp(terminal: terminal, backend: backend, theme: try catalog.load(theme), themes: catalog,
                         startFolder: startFolder, clock: { InMemoryBackend.epoch })
        app.render()
    }

    /// Feeds every queued event, drains engine results and redraws, as one pass of the loop does.
    func pump() {
        while let event = terminal.readEvent(timeoutMilliseconds: 0) { app.handle(event) }
        app.tick()
        app.render()
    }

    func press(_ keys: Key...) {
        terminal.enqueue(keys: keys)
        pump()
    }

    func type(_ text: String) {
        terminal.type(text)
        pump()
    }

    /// Ticks until `condition` holds (engine results arrive from other tasks), at most 5 s.
    func settle(until condition: () -> Bool) async throws {
        for _ in 0..<1000 {
            app.tick()
            if condition() { app.render(); return }
            try await Task.sleep(for: .milliseconds(5))
        }
        app.render()
        Issue.record("condition not reached; screen:\n\(terminal.text)")
    }

    var screen: String { terminal.text }

    /// Uploads the fake APK path (the in-memory backend accepts any *.apk) and waits for the result.
    func uploadApp(_ path: String = "/tmp/appseal-console-notes.apk") async throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: Data(count: 64)) }
        press(.character("1"), .character("o"))
        press(.control("u"))
        type(path)
        press(.enter)
        try await settle { app.session.app != nil }
    }

    /// Creates a Fusion Set through the keys a user would press.
    func createFusionSet(_ name: String, platform: AppPlatform = .android) {
        press(.character("3"), .character("n"))
        type(name)
        press(.enter, .home)
        for _ in 0..<AppPlatform.allCases.firstIndex(of: platform)! { press(.down) }
        press(.enter)
    }
}

/// Golden screens: Tests/ConsoleTests/Golden/<name>.screen. APPSEAL_UPDATE_GOLDEN=1 rewrites them.
enum Golden {
    static let folder = Project.root.appendingPathComponent("Tests/ConsoleTests/Golden")

    static var updating: Bool { ProcessInfo.processInfo.environment["APPSEAL_UPDATE_GOLDEN"] == "1" }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = folder.appendingPathComponent("\(name).screen")
        let text = actual + "\n"
        if updating {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("missing golden screen \(file.path); run with APPSEAL_UPDATE_GOLDEN=1 to create it\n\(text)",
                         sourceLocation: sourceLocation)
            return
        }
        if expected != text {
            Issue.record("screen differs from \(name).screen (- expected, + actual):\n\(diff(expected, text))", sourceLocation: sourceLocation)
        }
    }

    /// A line diff: every row that differs, with its number.
    static func diff(_ expected: String, _ actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? String(a[index]) : nil
            let right = index < b.count ? String(b[index]) : nil
            if left != right {
                if let left { out.append(String(format: "%3d - ", index + 1) + left) }
                if let right { out.append(String(format: "%3d + ", index + 1) + right) }
            }
        }
        return out.joined(separator: "\n")
    }
}

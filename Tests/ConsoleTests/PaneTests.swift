@testable import Console
import Foundation
import Testing

/// A folder with a fixed path so golden screens can show it.
private func uploadFolder() throws -> String {
    let folder = "/tmp/appseal-console-golden-upload"
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder + "/release", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: folder + "/notes.apk", contents: Data(count: 1_234))
    FileManager.default.createFile(atPath: folder + "/shop.aab", contents: Data(count: 2_500_000))
    FileManager.default.createFile(atPath: folder + "/Game.ipa", contents: Data(count: 10))
    FileManager.default.createFile(atPath: folder + "/readme.txt", contents: Data(count: 5))
    FileManager.default.createFile(atPath: folder + "/.hidden.apk", contents: Data(count: 5))
    FileManager.default.createFile(atPath: folder + "/release/notes-release.apk", contents: Data(count: 99))
    return folder
}

@Suite("Upload pane", .serialized)
struct UploadPaneTests {
    @Test("browses folders showing only apps, then inspects the chosen one")
    func browseAndInspect() async throws {
        let folder = try uploadFolder()
        let harness = try Harness(startFolder: folder)
        Golden.check(harness.screen, "upload-browse")
        harness.press(.character("a"))
        #expect(harness.screen.contains("readme.txt"))
        harness.press(.character("a"))
        #expect(!harness.screen.contains("readme.txt"))
        #expect(!harness.screen.contains(".hidden"))
        harness.press(.enter)
        #expect(harness.screen.contains("Folder: \(folder)/release"))
        harness.press(.enter)
        try await harness.settle { harness.app.session.app != nil }
        #expect(harness.backend.state.withLock { $0.inspected } == ["\(folder)/release/notes-release.apk"])
        Golden.check(harness.screen, "upload-result")
        harness.press(.escape, .backspace)
        #expect(harness.screen.contains("Folder: \(folder)\n") || harness.terminal.lines[1].hasSuffix("Folder: \(folder)"))
    }

    @Test("a typed path opens a folder or inspects an app; a wrong one says why")
    func typedPath() async throws {
        let folder = try uploadFolder()
        let harness = try Harness(startFolder: "/")
        harness.press(.character("o"), .control("u"))
        harness.type(folder + "/readme.txt")
        harness.press(.enter)
        #expect(harness.app.session.statusText == "readme.txt is not an .apk, .aab or .ipa file")
        harness.press(.character("o"), .control("u"))
        harness.type(folder + "/missing.apk")
        harness.press(.enter)
        #expect(harness.app.session.statusText == "No such file or folder: \(folder)/missing.apk")
        harness.press(.character("o"), .control("u"))
        harness.type(folder + "/shop.aab")
        harness.press(.enter)
        try await harness.settle { harness.app.session.statusText.contains("failed") }
        #expect(harness.app.session.statusText.contains("Inspecting shop.aab failed: \(folder)/shop.aab: not a ZIP archive"))
        #expect(harness.app.session.app == nil)
    }

    @Test("q typed into the path field is text, not quit")
    func pathFieldCapturesKeys() throws {
        let harness = try Harness(startFolder: "/")
        harness.press(.character("o"))
        #expect(harness.app.handle(.key(.character("q"))))
        harness.pump()
        #expect(harness.terminal.lines[21].contains("Path: //q"))
    }
}

@Suite("Fusion Sets pane")
struct FusionSetsPaneTests {
    @Test("create, rename, annotate, duplicate and delete through the keys")
    func lifecycle() throws {
        let harness = try Harness()
        harness.createFusionSet("Production")
        let created = try #require(harness.backend.fusionSets().first)
        #expect(created.platform == .android)
        #expect(harness.app.session.fusionSetID == created.id)
        harness.press(.character("r"), .control("u"))
        harness.type("Prod")
        harness.press(.enter)
        harness.press(.character("a"))
        harness.type("owner: mobile-team")
        harness.press(.enter)
        harness.press(.character("d"), .enter)
        #expect(try harness.backend.fusionSets().map(\.name) == ["Prod", "Prod copy"])
        Golden.check(harness.screen, "fusion-sets-list")
        harness.press(.character("x"))
        Golden.check(harness.screen, "fusion-sets-delete-confirm")
        harness.press(.character("n"))
        #expect(try harness.backend.fusionSets().count == 2, "n keeps the set")
        harness.press(.character("x"), .character("y"))
        #expect(try harness.backend.fusionSets().map(\.name) == ["Prod"])
    }

    @Test("a duplicate name is refused inside the prompt with the engine's message")
    func duplicateName() throws {
        let harness = try Harness()
        harness.createFusionSet("A")
        harness.createFusionSet("B")
        harness.press(.character("r"), .control("u"))
        harness.type("A")
        harness.press(.enter)
        #expect(harness.app.hasModal)
        #expect(harness.screen.contains("a Fusion Set named 'A' exists already"))
        harness.press(.escape)
        #expect(try harness.backend.fusionSets().map(\.name) == ["A", "B"])
    }

    @Test("the Detail Summary shows every field and the full ID, which c copies")
    func detail() throws {
        let harness = try Harness()
        harness.createFusionSet("Production")
        let id = try #require(harness.backend.fusionSets().first?.id)
        try harness.backend.setFeature("mobile-client-certificates",
                                       options: ["keyType": .choice("ec-p384"), "validityDays": .number(90),
                                                 "scope": .choice("per-app"), "hosts": .list(["api.example.com"])],
                                       inFusionSet: id)
        try harness.backend.setFeature("block-cleartext-traffic", options: [:], inFusionSet: id)
        try harness.backend.annotateFusionSet(id: id, annotation: "prod")
        harness.press(.enter)
        Golden.check(harness.screen, "fusion-set-detail")
        harness.press(.character("c"))
        #expect(harness.terminal.clipboard == [id])
        #expect(harness.app.session.statusText == "Copied Fusion Set ID to the clipboard (OSC 52)")
    }

    @Test("without OSC 52 the console says so; the ID stays on screen")
    func noClipboard() throws {
        let harness = try Harness(clipboard: false)
        harness.createFusionSet("Production")
        harness.press(.character("c"))
        #expect(harness.app.session.statusIsError)
        #expect(harness.app.session.statusText.contains("does not take clipboard text"))
        #expect(harness.screen.contains(try harness.backend.fusionSets()[0].id))
    }
}

@Suite("Secure Communication pane")
struct SecureCommunicationPaneTests {
    @Test("without a Fusion Set the toggle says why")
    func needsSet() throws {
        let harness = try Harness()
        harness.press(.character("2"), .character(" "))
        #expect(harness.app.session.statusText.contains("no Fusion Set selected"))
    }

    @Test("ticking a feature saves it with defaults; options are validated inline and saved")
    func tickAndEdit() throws {
        let harness = try Harness()
        harness.createFusionSet("Production")
        let id = try #require(harness.backend.fusionSets().first?.id)
        harness.press(.character("2"))
        #expect(harness.terminal.text.contains("[ ] Mobile Client Certificates"))
        harness.press(.character(" "))
        var detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "validityDays") == .number(365))
        harness.press(.enter)
        harness.press(.character(" "))
        detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "keyType") == .choice("ec-p384"))
        harness.press(.down, .enter, .control("u"))
        harness.type("0")
        harness.press(.enter)
        Golden.check(harness.screen, "secure-communication-invalid")
        detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "validityDays") == .number(365), "rejected value not saved")
        harness.press(.control("u"))
        harness.type("90")
        harness.press(.enter)
        detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "validityDays") == .number(90))
        #expect(!harness.screen.contains("out of range"))
        harness.press(.down, .down, .enter)
        harness.type("api.example.com, pay.example.com")
        harness.press(.enter)
        detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "hosts") == .list(["api.example.com", "pay.example.com"]))
        Golden.check(harness.screen, "secure-communication-form")
        harness.press(.escape, .character(" "))
        detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates") == nil, "Space again unticks")
    }

    @Test("options that must be set together: the first stays in the form, unsaved, until its partner is given")
    func optionsSetTogether() throws {
        let harness = try Harness()
        harness.backend.combinationRule = { feature, options in
            guard feature == "mobile-client-certificates", options["validityDays"] != .number(365),
                  options["hosts"] == .list([]) else { return nil }
            return "validityDays other than 365 requires hosts"
        }
        harness.createFusionSet("Together")
        let id = try #require(harness.backend.fusionSets().first?.id)
        harness.press(.character("2"), .character(" "), .enter)
        harness.press(.down, .enter, .control("u"))
        harness.type("90")
        harness.press(.enter)
        #expect(harness.screen.contains("not saved yet: validityDays other"), "the engine's reason shows under the field")
        #expect(harness.screen.contains("90"), "the refused value stays in the form")
        var detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "validityDays") == .number(365))
        harness.press(.down, .down, .enter)
        harness.type("api.example.com")
        harness.press(.enter)
        detail = try harness.backend.fusionSet(id: id)
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "validityDays") == .number(90))
        #expect(detail.setting(for: "mobile-client-certificates")?.value(of: "hosts") == .list(["api.example.com"]))
    }

    @Test("saving an option of an unticked feature ticks it, so required options can be given first")
    func editingTicks() throws {
        let harness = try Harness()
        harness.createFusionSet("P")
        let id = try #require(harness.backend.fusionSets().first?.id)
        harness.press(.character("2"), .down, .down, .enter)
        harness.press(.enter)
        harness.type("api.example.com")
        harness.press(.enter)
        let setting = try #require(try harness.backend.fusionSet(id: id).setting(for: "trusted-domains"))
        #expect(setting.value(of: "domains") == .list(["api.example.com"]))
        #expect(harness.app.session.statusText == "Added Trusted Domains with domains = api.example.com in P")
    }

    @Test("a number option refuses text before asking the engine")
    func numberParsing() throws {
        let harness = try Harness()
        harness.createFusionSet("P")
        harness.press(.character("2"), .character(" "), .enter, .down, .enter, .control("u"))
        harness.type("ten")
        harness.press(.enter)
        #expect(harness.screen.contains("Validity (days): enter a whole"))
        #expect(harness.screen.contains("number, got 'ten'"))
    }

    @Test("an unavailable feature shows its reason and cannot be ticked")
    func unavailable() throws {
        let harness = try Harness()
        harness.createFusionSet("P")
        harness.press(.character("2"), .end, .character(" "))
        #expect(harness.app.session.statusText.contains("unavailable: not yet applied on Android builds"))
        #expect(harness.screen.contains("Unavailable here: not yet applied on Android"))
        #expect(try harness.backend.fusionSets()[0].featureCount == 0)
    }
}

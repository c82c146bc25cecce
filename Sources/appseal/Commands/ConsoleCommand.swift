import BuildEngine
import Console
import Foundation

// `appseal [console] [--theme NAME]`: the ncurses console over the in-process engine.
// EngineConsoleBackend maps BuildEngine onto the console's narrow ConsoleBackend protocol.

let consoleCommand = Command(
    name: "console",
    abstract: "Open the interactive console (also what `appseal` alone does on a terminal).",
    discussion: """
    Upload an app, pick protections in Build › Security › Secure Communication, keep them in a
    Fusion Set and press Build My App. Builds are signed with the workspace debug key; use
    `appseal build` for a release keystore. Press ? for every key. Themes: default, light,
    high-contrast, monochrome, or your own in ~/.config/appseal/themes (docs/console.md).
    NO_COLOR set: monochrome.
    """,
    options: [.value("theme", "name", help: "Colour theme (default: default).")],
    run: runConsole
)

struct ConsoleCommandError: ReportableError {
    let exitCode: ExitCode
    let message: String
}

extension TerminalError: ReportableError {
    var exitCode: ExitCode { .invalidInput }
}

extension ThemeError: ReportableError {
    var exitCode: ExitCode { .invalidInput }
}

@Sendable
private func runConsole(_ invocation: Invocation) async throws -> ExitCode {
    let workspace = try Workspace.open(at: invocation.workspacePath)
    let engine = Engine(workspace: workspace)
    let catalog = ThemeCatalog(folders: ThemeCatalog.standardFolders(environment: invocation.environment,
                                                                     workspace: workspace.root.path))
    let theme = try catalog.load(invocation.value("theme") ?? "default")
    let backend = EngineConsoleBackend(engine: engine, caPassphrase: invocation.environment["APPSEAL_CA_PASSPHRASE"])
    let allowColor = invocation.colorAllowed
    let environment = invocation.environment
    let firstRun = try prepareFirstRun(workspace, caPassphrase: invocation.environment["APPSEAL_CA_PASSPHRASE"])
    // Until the first build, the picker starts beside the sample app so it is one Enter away.
    let startFolder = FirstRun.offersSample(workspace) ? workspace.samplesDirectory.path : FileManager.default.currentDirectoryPath
    // The console loop blocks while it polls the terminal, so it gets a thread of its own and
    // the cooperative pool stays free for the engine.
    let outcome: Result<ConsoleExit, any Error> = await withCheckedContinuation { continuation in
        let thread = Thread {
            do {
                let terminal = try CursesTerminal(allowColor: allowColor, environment: environment)
                let app = ConsoleApp(terminal: terminal, backend: backend, theme: theme, themes: catalog, startFolder: startFolder,
                                     notice: firstRun)
                let exit = app.run(pendingSignal: { terminal.takePendingSignal() })
                terminal.close()
                continuation.resume(returning: .success(exit))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        thread.name = "appseal console"
        thread.stackSize = 8 << 20
        thread.start()
    }
    switch try outcome.get() {
    case .quit: return .ok
    case let .signal(number):
        // Like a shell: 128 + the signal, after the terminal has been restored.
        exit(128 + number)
    }
}

/// Readies an unused workspace (see `FirstRun`) and says what was done, for the status line.
private func prepareFirstRun(_ workspace: Workspace, caPassphrase: String?) throws -> String? {
    let preparation: FirstRun.Preparation
    do {
        guard let prepared = try FirstRun.prepare(workspace, caPassphrase: caPassphrase) else { return nil }
        preparation = prepared
    } catch let error as ReportableError {
        throw error
    } catch {
        throw ConsoleCommandError(exitCode: .failed, message: "cannot ready the new workspace: \(error)")
    }
    let key = preparation.caKeyEncrypted ? "key encrypted with APPSEAL_CA_PASSPHRASE" : "key not encrypted"
    return "New workspace: created its CA (\(key)) and a sample app, \(preparation.sampleApp.lastPathComponent); "
        + "press Enter on it to inspect it"
}

/// The engine as the console sees it. Workspace reads and writes are quick and synchronous;
/// inspection and builds run off the UI thread.
final class EngineConsoleBackend: ConsoleBackend {
    let engine: Engine
    let caPassphrase: String?

    init(engine: Engine, caPassphrase: String?) {
        self.engine = engine
        self.caPassphrase = caPassphrase?.isEmpty == false ? caPassphrase : nil
    }

    var workspaceDescription: String { engine.workspace.root.path }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Engine errors carry their message for the CLI; the console shows the same words.
    private func translated<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as any ReportableError {
            throw Failure(description: error.message)
        }
    }

    // MARK: Apps

    func inspect(appAt path: String) async throws -> Console.AppSummary {
        let description = try translated { try engine.describe(path: path) }
        let facts = description.facts
        var levels: [String] = []
        if let min = facts.minSdk { levels.append("min \(min)") }
        if let target = facts.targetSdk { levels.append("target \(target)") }
        let version = [facts.versionName, facts.versionCode.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        return Console.AppSummary(path: path, platform: facts.platform == .android ? .android : .ios,
                                  identifier: facts.appID, version: version.isEmpty ? "(not stated)" : version,
                                  sdkLevels: levels, frameworks: description.frameworks,
                                  signatures: description.signatures, problems: description.problems)
    }

    // MARK: Catalog

    func featureTree(for platform: Console.AppPlatform) throws -> [FeatureNode] {
        [node(engine.catalog.root, platform: platform)]
    }

    private func node(_ catalogNode: CatalogNode, platform: Console.AppPlatform) -> FeatureNode {
        guard let feature = catalogNode.feature else {
            return FeatureNode(id: catalogNode.id, title: catalogNode.title,
                               children: catalogNode.children.map { node($0, platform: platform) })
        }
        let reasons: [String] = enginePlatforms(platform).compactMap { feature.availability(on: $0).reason }
        return FeatureNode(id: feature.id, title: feature.title, summary: feature.summary, description: feature.description,
                           options: feature.options.map(option), unavailableReason: reasons.first)
    }

    private func enginePlatforms(_ platform: Console.AppPlatform) -> [BuildEngine.AppPlatform] {
        switch platform {
        case .android: return [.android]
        case .ios: return [.ios]
        case .any: return [.android, .ios]
        }
    }

    private func option(_ descriptor: OptionDescriptor) -> FeatureOption {
        let kind: Console.OptionKind
        var allowed: [String] = []
        switch descriptor.kind {
        case let .choice(words): kind = .choice; allowed = words
        case .integer: kind = .number
        case .hostList, .pinMap, .certificateFileMap: kind = .list
        case .filePath: kind = .text
        }
        let defaultValue = descriptor.defaultValue.map { consoleValue($0, kind: kind) } ?? emptyValue(kind)
        return FeatureOption(key: descriptor.key, title: descriptor.title, kind: kind, defaultValue: defaultValue,
                             allowedValues: allowed, help: "\(descriptor.help) Allowed: \(descriptor.kind.allowedDescription).")
    }

    private func emptyValue(_ kind: Console.OptionKind) -> Console.OptionValue {
        switch kind {
        case .text: return .text("")
        case .choice: return .choice("")
        case .number: return .number(0)
        case .toggle: return .toggle(false)
        case .list: return .list([])
        }
    }

    private func consoleValue(_ value: BuildEngine.OptionValue, kind: Console.OptionKind) -> Console.OptionValue {
        switch value {
        case let .string(text): return kind == .choice ? .choice(text) : .text(text)
        case let .integer(number): return .number(number)
        case let .list(items): return .list(items)
        case let .map(entries): return .list(entries.keys.sorted().map { "\($0)=\(entries[$0]!.joined(separator: "|"))" })
        }
    }

    /// The words `appseal fusion-set --feature` would take for this value; nil for "not set".
    private func occurrences(_ value: Console.OptionValue, feature: String, option: String) -> [String]? {
        let kind = engine.catalog.feature(feature)?.option(option)?.kind
        switch value {
        case let .text(text), let .choice(text): return text.isEmpty ? nil : [text]
        case let .number(number): return [String(number)]
        case let .toggle(on): return [on ? "true" : "false"]
        case let .list(items):
            if items.isEmpty { return nil }
            if case .hostList = kind { return [items.joined(separator: "|")] }
            return items
        }
    }

    func validate(featureID: String, option: String, value: Console.OptionValue) -> String? {
        guard let words = occurrences(value, feature: featureID, option: option) else { return nil }
        do {
            _ = try engine.validateOption(feature: featureID, option: option, text: words.joined(separator: "|"))
            if words.count > 1 { _ = try engine.validator.parseOption(feature: featureID, option: option, occurrences: words) }
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: Fusion Sets

    private func summary(_ set: FusionSet) -> Console.FusionSetSummary {
        let platform: Console.AppPlatform = switch set.platform.rawValue {
        case "android": .android
        case "ios": .ios
        default: .any
        }
        return Console.FusionSetSummary(id: set.id, name: set.name, platform: platform, featureCount: set.features.count)
    }

    func fusionSets() throws -> [Console.FusionSetSummary] {
        let listed = engine.fusionSets.list()
        if listed.sets.isEmpty, let problem = listed.problems.first { throw Failure(description: problem) }
        return listed.sets.map(summary)
    }

    func fusionSet(id: String) throws -> FusionSetDetail {
        let set = try translated { try engine.fusionSets.find(id) }
        let features = set.orderedFeatureIDs(catalog: engine.catalog).map { featureID -> FeatureSetting in
            let descriptor = engine.catalog.feature(featureID)
            let effective = engine.validator.effectiveOptions(feature: featureID, stored: set.features[featureID] ?? [:])
            let options = (descriptor?.options ?? []).compactMap { option -> (key: String, value: Console.OptionValue)? in
                guard let value = effective[option.key] else { return nil }
                return (option.key, consoleValue(value, kind: self.option(option).kind))
            }
            return FeatureSetting(featureID: featureID, title: descriptor?.title ?? featureID, options: options)
        }
        let builds = engine.builds.builds(usingFusionSet: set.id).map(\.id)
        return FusionSetDetail(summary: summary(set), annotations: set.annotations, created: set.created, updated: set.updated,
                               features: features, builds: builds)
    }

    func createFusionSet(name: String, platform: Console.AppPlatform) throws -> Console.FusionSetSummary {
        let enginePlatform = FusionSetPlatform(rawValue: platform.rawValue) ?? .any
        return summary(try translated { try engine.fusionSets.create(name: name, platform: enginePlatform, features: [:], annotations: []) })
    }

    func renameFusionSet(id: String, to name: String) throws {
        _ = try translated { try engine.fusionSets.edit(id) { $0.name = name } }
    }

    func annotateFusionSet(id: String, annotation: String) throws {
        _ = try translated { try engine.fusionSets.edit(id) { $0.annotations.append(annotation) } }
    }

    func duplicateFusionSet(id: String, name: String) throws -> Console.FusionSetSummary {
        summary(try translated { try engine.fusionSets.duplicate(id, name: name) })
    }

    func deleteFusionSet(id: String) throws {
        _ = try translated { try engine.fusionSets.delete(id) }
    }

    /// Stores only what differs from the catalog's defaults (the engine applies those at build
    /// time), so an option left at its default never conflicts with one the user set.
    func setFeature(_ featureID: String, options: [String: Console.OptionValue]?, inFusionSet id: String) throws {
        guard let options else {
            _ = try translated { try engine.fusionSets.edit(id) { $0.features[featureID] = nil } }
            return
        }
        let descriptor = engine.catalog.feature(featureID)
        var stored: FeatureOptions = [:]
        for (key, value) in options {
            guard let words = occurrences(value, feature: featureID, option: key) else { continue }
            let parsed = try translated { try engine.validator.parseOption(feature: featureID, option: key, occurrences: words) }
            if parsed == descriptor?.option(key)?.defaultValue { continue }
            stored[key] = parsed
        }
        _ = try translated { try engine.fusionSets.edit(id) { $0.features[featureID] = stored } }
    }

    // MARK: Builds

    func startBuild(appPath: String, fusionSetID: String) throws -> Console.BuildHandle {
        let request = BuildRequest(inputPath: appPath, fusionSet: fusionSetID, signing: .debugKey,
                                   caPassphrase: caPassphrase.map(SecretText.init))
        let handle = try translated { try engine.startBuild(request) }
        let workspace = engine.workspace
        let (events, continuation) = AsyncStream.makeStream(of: Console.BuildEvent.self, bufferingPolicy: .unbounded)
        let forward = Task.detached {
            for await event in handle.events {
                for mapped in Self.map(event, workspace: workspace) { continuation.yield(mapped) }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in forward.cancel() }
        return Console.BuildHandle(buildID: handle.id, stages: BuildStage.allCases.map(\.title), events: events,
                                   cancel: { handle.cancel() })
    }

    private static func consoleLevel(_ level: BuildEngine.LogLevel) -> Console.LogLevel {
        switch level {
        case .debug: return .debug
        case .info: return .info
        case .warning: return .warning
        case .error: return .error
        }
    }

    private static func map(_ event: BuildEngine.BuildEvent, workspace: Workspace) -> [Console.BuildEvent] {
        let time = event.time
        switch event.kind {
        case let .stageStarted(stage):
            return [Console.BuildEvent(time: time, kind: .stageStarted(stage: stage.title))]
        case let .progress(stage, fraction, done, total):
            return [Console.BuildEvent(time: time, kind: .stageProgress(stage: stage.title, fraction: fraction, bytesDone: done, bytesTotal: total))]
        case let .log(entry):
            return [Console.BuildEvent(time: time, kind: .log(LogLine(time: entry.time, level: consoleLevel(entry.level),
                                                                        stage: entry.stage?.title ?? "", message: entry.message)))]
        case let .stageFinished(stage, outcome, _):
            switch outcome {
            case .done:
                return [Console.BuildEvent(time: time, kind: .stageFinished(stage: stage.title))]
            case .skipped:
                return [Console.BuildEvent(time: time, kind: .log(LogLine(time: time, level: .info, stage: stage.title, message: "skipped"))),
                        Console.BuildEvent(time: time, kind: .stageFinished(stage: stage.title))]
            case .failed, .cancelled:
                return []
            }
        case let .finished(record):
            switch record.status {
            case .succeeded:
                let report = (try? workspace.buildDirectory(id: record.id).appendingPathComponent("report.md").path) ?? ""
                return [Console.BuildEvent(time: time, kind: .finished(BuildResult(
                    outputPath: record.outputPath ?? "", certificateFingerprint: record.certificateSHA256 ?? "(no certificate)",
                    reportPath: report)))]
            case .cancelled:
                return [Console.BuildEvent(time: time, kind: .cancelled)]
            case .failed, .running:
                let message = record.failure.map { "\($0.stage): \($0.message)" } ?? "the build stopped without a result"
                return [Console.BuildEvent(time: time, kind: .failed(message: message))]
            }
        }
    }

    func builds() throws -> [Console.BuildRecord] {
        engine.builds.list().records.sorted { $0.started > $1.started }.map { record in
            let outcome: BuildOutcome = switch record.status {
            case .running: .running
            case .succeeded: .succeeded
            case .failed: .failed
            case .cancelled: .cancelled
            }
            return Console.BuildRecord(id: record.id, started: record.started,
                                       appName: record.appID ?? (record.inputPath as NSString).lastPathComponent,
                                       fusionSetName: record.fusionSetName, outcome: outcome)
        }
    }

    func buildLog(id: String) throws -> [LogLine] {
        try translated { try engine.log(ofBuild: id) }.map {
            LogLine(time: $0.time, level: Self.consoleLevel($0.level), stage: $0.stage?.title ?? "", message: $0.message)
        }
    }
}

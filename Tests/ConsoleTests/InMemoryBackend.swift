import Console
import Foundation
import Synchronization

/// A backend for tests: a small catalog shaped like the engine's, Fusion Sets kept in
/// memory, and builds that play a scripted list of events.
final class InMemoryBackend: ConsoleBackend {
    struct StoredSet {
        var summary: FusionSetSummary
        var annotations: [String] = []
        var created: Date
        var updated: Date
        var features: [String: [String: OptionValue]] = [:]
        var builds: [String] = []
    }

    struct State {
        var sets: [StoredSet] = []
        var nextID = 1
        var records: [BuildRecord] = []
        var logs: [String: [LogLine]] = [:]
        var cancelled: Set<String> = []
        var inspected: [String] = []
    }

    let state = Mutex(State())
    let workspaceDescription = "/tmp/ws"
    /// Events every build plays, before its final event.
    let script: @Sendable (String) -> [BuildEvent]
    /// When true, builds wait after their script until cancelled.
    let holdsUntilCancelled: Bool

    static let epoch = Date(timeIntervalSince1970: 1_796_299_200) // 2026-12-03 12:00:00 UTC

    init(holdsUntilCancelled: Bool = false, script: @escaping @Sendable (String) -> [BuildEvent] = InMemoryBackend.standardScript) {
        self.holdsUntilCancelled = holdsUntilCancelled
        self.script = script
    }

    static let stages = ["Inspect", "Validate", "Credentials", "Embed", "Patch", "Runtime", "Repackage", "Sign", "Verify", "Report"]

    static func standardScript(_ buildID: String) -> [BuildEvent] {
        var events: [BuildEvent] = []
        var time = epoch
        for (index, stage) in stages.enumerated() {
            events.append(BuildEvent(time: time, kind: .stageStarted(stage: stage)))
            events.append(BuildEvent(time: time, kind: .log(LogLine(time: time, level: .info, stage: stage, message: "\(stage) started"))))
            if stage == "Repackage" {
                time += 2
                events.append(BuildEvent(time: time, kind: .stageProgress(stage: stage, fraction: 1, bytesDone: 20_000_000, bytesTotal: 20_000_000)))
            }
            if index == 2 {
                events.append(BuildEvent(time: time, kind: .log(LogLine(time: time, level: .warning, stage: stage,
                                                                        message: "issuing a per-build certificate valid for 365 days"))))
            }
            events.append(BuildEvent(time: time, kind: .stageFinished(stage: stage)))
            time += 1
        }
        events.append(BuildEvent(time: time, kind: .finished(BuildResult(
            outputPath: "/tmp/ws/builds/\(buildID)/app-secured.apk",
            certificateFingerprint: "AB:CD:EF:01:23:45:67:89",
            reportPath: "/tmp/ws/builds/\(buildID)/report.md"))))
        return events
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A rule over a feature's options taken together (the engine's requires/conflicts); nil accepts all.
    nonisolated(unsafe) var combinationRule: ((_ featureID: String, _ options: [String: OptionValue]) -> String?)?

    // MARK: Apps

    func inspect(appAt path: String) async throws -> AppSummary {
        state.withLock { $0.inspected.append(path) }
        guard path.hasSuffix(".apk") else { throw Failure(description: "\(path): not a ZIP archive (no end of central directory)") }
        return AppSummary(path: path, platform: .android, identifier: "com.example.notes", version: "2.4.1 (241)",
                          sdkLevels: ["min 24", "target 34"], frameworks: ["Kotlin", "OkHttp 4"],
                          signatures: ["v2 RSA-2048 CN=Example Release", "v3 RSA-2048 CN=Example Release"],
                          problems: ["usesCleartextTraffic is true"])
    }

    // MARK: Catalog

    static let tree: [FeatureNode] = [
        FeatureNode(id: "build", title: "Build", children: [
            FeatureNode(id: "security", title: "Security", children: [
                FeatureNode(id: "secure-communication", title: "Secure Communication", children: [
                    FeatureNode(id: "mobile-client-certificates", title: "Mobile Client Certificates",
                                summary: "A client certificate per app or build, sealed into the package.",
                                description: "The app proves itself in every TLS handshake; the server rejects clients without it.",
                                options: [
                                    FeatureOption(key: "keyType", title: "Key type", kind: .choice, defaultValue: .choice("ec-p256"),
                                                  allowedValues: ["ec-p256", "ec-p384", "rsa-2048"]),
                                    FeatureOption(key: "validityDays", title: "Validity (days)", kind: .number, defaultValue: .number(365),
                                                  help: "1 to 825 days"),
                                    FeatureOption(key: "scope", title: "Scope", kind: .choice, defaultValue: .choice("per-build"),
                                                  allowedValues: ["per-build", "per-app"]),
                                    FeatureOption(key: "hosts", title: "Hosts", kind: .list, defaultValue: .list([])),
                                ]),
                    FeatureNode(id: "certificate-pinning", title: "Certificate Pinning",
                                summary: "Pins per domain.", options: [
                                    FeatureOption(key: "scheme", title: "Scheme", kind: .choice, defaultValue: .choice("public-key"),
                                                  allowedValues: ["chain", "leaf", "root", "public-key"]),
                                ]),
                    FeatureNode(id: "trusted-domains", title: "Trusted Domains", summary: "Hosts the protections apply to.",
                                options: [FeatureOption(key: "domains", title: "Domains", kind: .list, defaultValue: .list([]))]),
                    FeatureNode(id: "block-cleartext-traffic", title: "Block Cleartext Traffic",
                                summary: "usesCleartextTraffic=false on Android, ATS on iOS."),
                    FeatureNode(id: "enforce-minimum-tls", title: "Enforce Minimum TLS Version", summary: "TLS 1.2 or 1.3.",
                                options: [FeatureOption(key: "version", title: "Version", kind: .choice, defaultValue: .choice("1.2"),
                                                        allowedValues: ["1.2", "1.3"])],
                                unavailableReason: "not yet applied on Android builds"),
                ]),
            ]),
        ]),
    ]

    static func features(_ nodes: [FeatureNode] = tree) -> [FeatureNode] {
        nodes.flatMap { $0.isGroup ? features($0.children) : [$0] }
    }

    func featureTree(for platform: AppPlatform) throws -> [FeatureNode] { Self.tree }

    func validate(featureID: String, option: String, value: OptionValue) -> String? {
        if featureID == "mobile-client-certificates", option == "validityDays", case let .number(days) = value, !(1...825).contains(days) {
            return "mobile-client-certificates.validityDays: \(days) is out of range; allowed 1 to 825"
        }
        if option == "hosts" || option == "domains", case let .list(hosts) = value,
           let bad = hosts.first(where: { $0.contains(" ") || $0.isEmpty }) {
            return "\(featureID).\(option): '\(bad)' is not a host name"
        }
        return nil
    }

    // MARK: Fusion Sets

    private func withSet<T>(_ id: String, _ body: (inout StoredSet) throws -> T) throws -> T {
        try state.withLock { state in
            guard let index = state.sets.firstIndex(where: { $0.summary.id == id }) else {
                throw Failure(description: "no Fusion Set with ID \(id)")
            }
            return try body(&state.sets[index])
        }
    }

    func fusionSets() throws -> [FusionSetSummary] { state.withLock { $0.sets.map(\.summary) } }

    func fusionSet(id: String) throws -> FusionSetDetail {
        try withSet(id) { set in
            let features = Self.features().compactMap { node -> FeatureSetting? in
                guard let options = set.features[node.id] else { return nil }
                return FeatureSetting(featureID: node.id, title: node.title,
                                      options: node.options.compactMap { option in options[option.key].map { (option.key, $0) } })
            }
            return FusionSetDetail(summary: set.summary, annotations: set.annotations, created: set.created, updated: set.updated,
                                   features: features, builds: set.builds)
        }
    }

    func createFusionSet(name: String, platform: AppPlatform) throws -> FusionSetSummary {
        try state.withLock { state in
            guard !state.sets.contains(where: { $0.summary.name == name }) else {
                throw Failure(description: "a Fusion Set named '\(name)' exists already")
            }
            let id = String(format: "%032x", state.nextID * 0x1111)
            state.nextID += 1
            let summary = FusionSetSummary(id: id, name: name, platform: platform, featureCount: 0)
            state.sets.append(StoredSet(summary: summary, created: Self.epoch, updated: Self.epoch))
            return summary
        }
    }

    func renameFusionSet(id: String, to name: String) throws {
        let taken = state.withLock { $0.sets.contains { $0.summary.name == name && $0.summary.id != id } }
        if taken { throw Failure(description: "a Fusion Set named '\(name)' exists already") }
        try withSet(id) { $0.summary.name = name }
    }

    func annotateFusionSet(id: String, annotation: String) throws { try withSet(id) { $0.annotations.append(annotation) } }

    func duplicateFusionSet(id: String, name: String) throws -> FusionSetSummary {
        let original = try withSet(id) { $0 }
        let copy = try createFusionSet(name: name, platform: original.summary.platform)
        try withSet(copy.id) { set in
            set.features = original.features
            set.annotations = original.annotations
            set.summary.featureCount = original.summary.featureCount
        }
        return try fusionSets().first { $0.id == copy.id }!
    }

    func deleteFusionSet(id: String) throws {
        _ = try withSet(id) { _ in }
        state.withLock { $0.sets.removeAll { $0.summary.id == id } }
    }

    func setFeature(_ featureID: String, options: [String: OptionValue]?, inFusionSet id: String) throws {
        if let options {
            for (key, value) in options {
                if let problem = validate(featureID: featureID, option: key, value: value) { throw Failure(description: problem) }
            }
            if let problem = combinationRule?(featureID, options) { throw Failure(description: problem) }
        }
        try withSet(id) { set in
            set.features[featureID] = options
            set.summary.featureCount = set.features.count
        }
    }

    // MARK: Builds

    func startBuild(appPath: String, fusionSetID: String) throws -> BuildHandle {
        let setName = try withSet(fusionSetID) { $0.summary.name }
        let buildID = state.withLock { state in
            let id = "B\(String(format: "%05d", state.records.count + 1))"
            state.records.insert(BuildRecord(id: id, started: Self.epoch, appName: (appPath as NSString).lastPathComponent,
                                             fusionSetName: setName, outcome: .running), at: 0)
            return id
        }
        try withSet(fusionSetID) { $0.builds.insert(buildID, at: 0) }
        var events = script(buildID)
        let hold = holdsUntilCancelled
        let last = events.popLast()
        let final = hold ? nil : last
        let (stream, continuation) = AsyncStream.makeStream(of: BuildEvent.self)
        for event in events {
            continuation.yield(event)
            if case let .log(line) = event.kind { state.withLock { $0.logs[buildID, default: []].append(line) } }
        }
        let outcome: BuildOutcome
        if let final {
            continuation.yield(final)
            continuation.finish()
            if case .finished = final.kind { outcome = .succeeded } else { outcome = .failed }
            state.withLock { state in
                if let index = state.records.firstIndex(where: { $0.id == buildID }) { state.records[index].outcome = outcome }
            }
        }
        return BuildHandle(buildID: buildID, stages: Self.stages, events: stream, cancel: { [self] in
            self.state.withLock { state in
                state.cancelled.insert(buildID)
                if let index = state.records.firstIndex(where: { $0.id == buildID }) { state.records[index].outcome = .cancelled }
            }
            continuation.yield(BuildEvent(time: Self.epoch + 100, kind: .cancelled))
            continuation.finish()
        })
    }

    func builds() throws -> [BuildRecord] { state.withLock { $0.records } }

    func buildLog(id: String) throws -> [LogLine] {
        guard let log = state.withLock({ $0.logs[id] }) else { throw Failure(description: "no build with ID \(id)") }
        return log
    }
}

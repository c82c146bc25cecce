import Foundation

// The console's view of the engine. The executable adapts BuildEngine to this protocol;
// the console knows nothing of file formats, only these value types.

public enum AppPlatform: String, Sendable, CaseIterable {
    case android, ios, any
}

/// What inspecting an uploaded app found, ready to show as lines.
public struct AppSummary: Sendable, Equatable {
    public var path: String
    public var platform: AppPlatform
    public var identifier: String
    public var version: String
    /// e.g. "min 21", "target 34" or "iOS 15.0".
    public var sdkLevels: [String]
    public var frameworks: [String]
    public var signatures: [String]
    public var problems: [String]

    public init(path: String, platform: AppPlatform, identifier: String, version: String, sdkLevels: [String],
                frameworks: [String], signatures: [String], problems: [String]) {
        self.path = path
        self.platform = platform
        self.identifier = identifier
        self.version = version
        self.sdkLevels = sdkLevels
        self.frameworks = frameworks
        self.signatures = signatures
        self.problems = problems
    }
}

/// A typed option value, as a Fusion Set stores it.
public enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case number(Int)
    case choice(String)
    case toggle(Bool)
    case list([String])

    public var description: String {
        switch self {
        case let .text(text), let .choice(text): return text
        case let .number(number): return String(number)
        case let .toggle(on): return on ? "on" : "off"
        case let .list(items): return items.isEmpty ? "(none)" : items.joined(separator: ", ")
        }
    }
}

public enum OptionKind: String, Sendable {
    case text, number, choice, toggle, list
}

public struct FeatureOption: Sendable, Equatable {
    public var key: String
    public var title: String
    public var kind: OptionKind
    public var defaultValue: OptionValue
    /// The choices of a `choice` option; empty otherwise.
    public var allowedValues: [String]
    public var help: String

    public init(key: String, title: String, kind: OptionKind, defaultValue: OptionValue,
                allowedValues: [String] = [], help: String = "") {
        self.key = key
        self.title = title
        self.kind = kind
        self.defaultValue = defaultValue
        self.allowedValues = allowedValues
        self.help = help
    }
}

/// A node of the feature catalog: a group (children, no options) or a feature.
public struct FeatureNode: Sendable, Equatable {
    public var id: String
    public var title: String
    public var summary: String
    public var description: String
    public var options: [FeatureOption]
    /// Nil when the feature can be applied; otherwise why not (for this platform).
    public var unavailableReason: String?
    public var children: [FeatureNode]

    public init(id: String, title: String, summary: String = "", description: String = "",
                options: [FeatureOption] = [], unavailableReason: String? = nil, children: [FeatureNode] = []) {
        self.id = id
        self.title = title
        self.summary = summary
        self.description = description
        self.options = options
        self.unavailableReason = unavailableReason
        self.children = children
    }

    public var isGroup: Bool { !children.isEmpty }
}

public struct FusionSetSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var platform: AppPlatform
    public var featureCount: Int

    public init(id: String, name: String, platform: AppPlatform, featureCount: Int) {
        self.id = id
        self.name = name
        self.platform = platform
        self.featureCount = featureCount
    }
}

/// A feature switched on in a Fusion Set, with its option values in catalog order.
public struct FeatureSetting: Sendable, Equatable {
    public var featureID: String
    public var title: String
    public var options: [(key: String, value: OptionValue)]

    public init(featureID: String, title: String, options: [(key: String, value: OptionValue)]) {
        self.featureID = featureID
        self.title = title
        self.options = options
    }

    public static func == (a: FeatureSetting, b: FeatureSetting) -> Bool {
        a.featureID == b.featureID && a.title == b.title
            && a.options.map(\.key) == b.options.map(\.key) && a.options.map(\.value) == b.options.map(\.value)
    }

    public func value(of key: String) -> OptionValue? { options.first { $0.key == key }?.value }
}

/// The Detail Summary of a Fusion Set.
public struct FusionSetDetail: Sendable, Equatable {
    public var summary: FusionSetSummary
    public var annotations: [String]
    public var created: Date
    public var updated: Date
    public var features: [FeatureSetting]
    /// IDs of the builds that used this set, newest first.
    public var builds: [String]

    public init(summary: FusionSetSummary, annotations: [String], created: Date, updated: Date,
                features: [FeatureSetting], builds: [String]) {
        self.summary = summary
        self.annotations = annotations
        self.created = created
        self.updated = updated
        self.features = features
        self.builds = builds
    }

    public func setting(for featureID: String) -> FeatureSetting? { features.first { $0.featureID == featureID } }
}

public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warning, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    public var label: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }
}

public struct LogLine: Sendable, Equatable {
    public var time: Date
    public var level: LogLevel
    public var stage: String
    public var message: String

    public init(time: Date, level: LogLevel, stage: String, message: String) {
        self.time = time
        self.level = level
        self.stage = stage
        self.message = message
    }
}

public struct BuildResult: Sendable, Equatable {
    public var outputPath: String
    public var certificateFingerprint: String
    public var reportPath: String

    public init(outputPath: String, certificateFingerprint: String, reportPath: String) {
        self.outputPath = outputPath
        self.certificateFingerprint = certificateFingerprint
        self.reportPath = reportPath
    }
}

/// One event of a running build, stamped with when it happened (rates are computed from it).
public struct BuildEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case stageStarted(stage: String)
        case stageProgress(stage: String, fraction: Double, bytesDone: Int64, bytesTotal: Int64)
        case stageFinished(stage: String)
        case log(LogLine)
        case finished(BuildResult)
        case failed(message: String)
        case cancelled
    }

    public var time: Date
    public var kind: Kind

    public init(time: Date, kind: Kind) {
        self.time = time
        self.kind = kind
    }
}

/// A started build: its ID, its events (ending after finished/failed/cancelled) and a way to stop it.
public struct BuildHandle: Sendable {
    public let buildID: String
    public let stages: [String]
    public let events: AsyncStream<BuildEvent>
    public let cancel: @Sendable () -> Void

    public init(buildID: String, stages: [String], events: AsyncStream<BuildEvent>, cancel: @escaping @Sendable () -> Void) {
        self.buildID = buildID
        self.stages = stages
        self.events = events
        self.cancel = cancel
    }
}

public enum BuildOutcome: String, Sendable {
    case running, succeeded, failed, cancelled
}

public struct BuildRecord: Sendable, Equatable {
    public var id: String
    public var started: Date
    public var appName: String
    public var fusionSetName: String
    public var outcome: BuildOutcome

    public init(id: String, started: Date, appName: String, fusionSetName: String, outcome: BuildOutcome) {
        self.id = id
        self.started = started
        self.appName = appName
        self.fusionSetName = fusionSetName
        self.outcome = outcome
    }
}

/// Everything the console asks of the engine. Workspace operations are quick file work and
/// synchronous; inspecting and building are long and never block the UI.
public protocol ConsoleBackend: Sendable {
    /// Shown in the title bar: usually the workspace folder.
    var workspaceDescription: String { get }

    func inspect(appAt path: String) async throws -> AppSummary

    /// The catalog tree, with availability for `platform`.
    func featureTree(for platform: AppPlatform) throws -> [FeatureNode]
    /// The engine's message when `value` is not acceptable for the option, else nil.
    func validate(featureID: String, option: String, value: OptionValue) -> String?

    func fusionSets() throws -> [FusionSetSummary]
    func fusionSet(id: String) throws -> FusionSetDetail
    func createFusionSet(name: String, platform: AppPlatform) throws -> FusionSetSummary
    func renameFusionSet(id: String, to name: String) throws
    func annotateFusionSet(id: String, annotation: String) throws
    func duplicateFusionSet(id: String, name: String) throws -> FusionSetSummary
    func deleteFusionSet(id: String) throws
    /// Switches a feature on with these options (validated by the engine), or off when nil.
    func setFeature(_ featureID: String, options: [String: OptionValue]?, inFusionSet id: String) throws

    func startBuild(appPath: String, fusionSetID: String) throws -> BuildHandle
    func builds() throws -> [BuildRecord]
    func buildLog(id: String) throws -> [LogLine]
}

/// The text the console shows for an error the backend threw.
func userMessage(_ error: any Error) -> String {
    if let localized = error as? LocalizedError, let description = localized.errorDescription { return description }
    return String(describing: error)
}

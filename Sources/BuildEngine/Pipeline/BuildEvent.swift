import Foundation

/// The stages of DESIGN.md's pipeline, in the order they run.
public enum BuildStage: String, Codable, Sendable, CaseIterable {
    case inspect
    case validate
    case credentials
    case embed
    case patch
    case runtime
    case repackage
    case sign
    case verify
    case report

    public var title: String {
        switch self {
        case .inspect: return "Inspect"
        case .validate: return "Validate"
        case .credentials: return "Credentials"
        case .embed: return "Embed"
        case .patch: return "Patch"
        case .runtime: return "Runtime"
        case .repackage: return "Repackage"
        case .sign: return "Sign"
        case .verify: return "Verify"
        case .report: return "Report"
        }
    }
}

public enum LogLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case debug
    case info
    case warning
    case error

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How a stage ended.
public enum StageOutcome: String, Codable, Sendable {
    case done
    /// The stage had nothing to do for this build (e.g. Sign for an unsigned build).
    case skipped
    case failed
    case cancelled
}

/// One line of build.log: `{"time", "level", "stage", "message"}`.
public struct LogEntry: Codable, Sendable, Equatable {
    public let time: Date
    public let level: LogLevel
    public let stage: BuildStage?
    public let message: String

    public init(time: Date = Date(), level: LogLevel, stage: BuildStage?, message: String) {
        self.time = time
        self.level = level
        self.stage = stage
        self.message = message
    }
}

/// What the engine reports while a build runs, in order, on `BuildHandle.events`.
public struct BuildEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case stageStarted(BuildStage)
        /// `fraction` in 0...1; bytes are those the stage reads or writes, total 0 when unknown.
        case progress(BuildStage, fraction: Double, bytesDone: Int64, bytesTotal: Int64)
        case log(LogEntry)
        case stageFinished(BuildStage, outcome: StageOutcome, seconds: Double)
        /// Always the last event of a build.
        case finished(BuildRecord)
    }

    public let time: Date
    public let buildID: String
    public let kind: Kind

    public init(time: Date = Date(), buildID: String, kind: Kind) {
        self.time = time
        self.buildID = buildID
        self.kind = kind
    }
}

extension BuildEvent: Encodable {
    private enum Keys: String, CodingKey {
        case time, build, event, stage, fraction, bytesDone, bytesTotal, level, message, outcome, seconds
        case status, output, outputSHA256, certificateSerial, certificateSHA256, failure
    }

    /// The NDJSON form of `--json-events`: one flat object per event with an `event` tag.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(time, forKey: .time)
        try container.encode(buildID, forKey: .build)
        switch kind {
        case let .stageStarted(stage):
            try container.encode("stage-started", forKey: .event)
            try container.encode(stage, forKey: .stage)
        case let .progress(stage, fraction, done, total):
            try container.encode("progress", forKey: .event)
            try container.encode(stage, forKey: .stage)
            try container.encode((fraction * 1000).rounded() / 1000, forKey: .fraction)
            try container.encode(done, forKey: .bytesDone)
            try container.encode(total, forKey: .bytesTotal)
        case let .log(entry):
            try container.encode("log", forKey: .event)
            try container.encodeIfPresent(entry.stage, forKey: .stage)
            try container.encode(entry.level, forKey: .level)
            try container.encode(entry.message, forKey: .message)
        case let .stageFinished(stage, outcome, seconds):
            try container.encode("stage-finished", forKey: .event)
            try container.encode(stage, forKey: .stage)
            try container.encode(outcome, forKey: .outcome)
            try container.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
        case let .finished(record):
            try container.encode("finished", forKey: .event)
            try container.encode(record.status, forKey: .status)
            try container.encodeIfPresent(record.outputPath, forKey: .output)
            try container.encodeIfPresent(record.outputSHA256, forKey: .outputSHA256)
            try container.encodeIfPresent(record.certificateSerial, forKey: .certificateSerial)
            try container.encodeIfPresent(record.certificateSHA256, forKey: .certificateSHA256)
            try container.encodeIfPresent(record.failure, forKey: .failure)
        }
    }
}

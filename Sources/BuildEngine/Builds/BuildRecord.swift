import Foundation

/// The state of one build, kept in `builds/<BUILD-ID>/build.json` and updated as it runs.
public struct BuildRecord: Codable, Sendable, Equatable {
    public static let schemaVersion = 1
    public static let fileName = "build.json"

    public enum Status: String, Codable, Sendable {
        case running
        case succeeded
        case failed
        case cancelled
    }

    public struct Failure: Codable, Sendable, Equatable {
        public let stage: String
        public let message: String
        /// 3 invalid input, 4 build or verification failed, 1 internal (DESIGN.md exit codes).
        public let exitCode: Int32
    }

    public var schema: Int
    public let id: String
    public let fusionSetID: String
    public let fusionSetName: String
    public let inputPath: String
    public var inputSHA256: String?
    public var appID: String?
    public var platform: AppPlatform?
    public var status: Status
    public let started: Date
    public var finished: Date?
    public var outputPath: String?
    public var outputSHA256: String?
    public var certificateSerial: String?
    public var certificateSHA256: String?
    public var failure: Failure?
    /// Process that runs the build; lets `builds list` tell a crashed build from a running one.
    public var processID: Int32?

    public init(id: String, fusionSet: FusionSet, inputPath: String, started: Date) {
        self.schema = Self.schemaVersion
        self.id = id
        self.fusionSetID = fusionSet.id
        self.fusionSetName = fusionSet.name
        self.inputPath = inputPath
        self.status = .running
        self.started = started
        self.processID = getpid()
    }
}

/// Build IDs sort by time and stay unique across processes: `YYYYMMDD-HHMMSS-<8 hex>`.
public enum BuildID {
    public static func generate(at date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        return "\(formatter.string(from: date))-\(suffix)"
    }
}

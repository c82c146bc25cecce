import Foundation

/// One build from start to finish on its own thread: runs the stages in order, reports
/// events, and either publishes every output at the end or removes all of them.
final class BuildRun: @unchecked Sendable {
    let id: String
    let workspace: Workspace
    let request: BuildRequest
    let fusionSet: FusionSet
    let validator: FusionSetValidator
    let folder: URL
    /// Outputs are written here first and moved into place only when every stage succeeded.
    let staging: URL
    let log: BuildLog
    let cancellation: CancellationFlag
    private let continuation: AsyncStream<BuildEvent>.Continuation
    var record: BuildRecord
    private let store: BuildStore

    /// What the stages hand each other.
    var state = BuildState()

    init(id: String, workspace: Workspace, request: BuildRequest, fusionSet: FusionSet, validator: FusionSetValidator,
         cancellation: CancellationFlag, continuation: AsyncStream<BuildEvent>.Continuation) throws {
        self.id = id
        self.workspace = workspace
        self.request = request
        self.fusionSet = fusionSet
        self.validator = validator
        self.cancellation = cancellation
        self.continuation = continuation
        store = BuildStore(workspace: workspace)
        folder = try workspace.buildDirectory(id: id)
        staging = folder.appendingPathComponent(".staging", isDirectory: true)
        try workspace.ensureDirectory(folder)
        try workspace.ensureDirectory(staging)
        log = try BuildLog(url: folder.appendingPathComponent(BuildLog.fileName))
        record = BuildRecord(id: id, fusionSet: fusionSet, inputPath: Self.absolute(request.inputPath), started: Date())
        try store.save(record)
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    // MARK: running

    func run() -> BuildRecord {
        info(nil, "build \(id) of \(record.inputPath) with Fusion Set \(fusionSet.id) '\(fusionSet.name)'")
        var current: BuildStage?
        do {
            for stage in BuildStage.allCases {
                request.beforeStage?(stage)
                try checkCancellation()
                current = stage
                let started = Date()
                emit(.stageStarted(stage))
                log.append(LogEntry(level: .debug, stage: stage, message: "\(stage.title) started"))
                let outcome = try perform(stage)
                let seconds = Date().timeIntervalSince(started)
                log.append(LogEntry(level: .debug, stage: stage,
                                    message: "\(stage.title) \(outcome.rawValue) in \(String(format: "%.3f", seconds)) s"))
                emit(.stageFinished(stage, outcome: outcome, seconds: seconds))
                current = nil
            }
            try checkCancellation()
            try publish()
            record.status = .succeeded
            info(nil, "build succeeded: \(record.outputPath ?? "")")
        } catch is BuildCancelled {
            discardOutputs()
            if let current { emit(.stageFinished(current, outcome: .cancelled, seconds: 0)) }
            record.status = .cancelled
            log.append(LogEntry(level: .warning, stage: current, message: "build cancelled; no output was written"))
        } catch {
            discardOutputs()
            let failure = BuildFailure.classify(error)
            if let current { emit(.stageFinished(current, outcome: .failed, seconds: 0)) }
            record.status = .failed
            record.failure = .init(stage: current?.rawValue ?? "publish", message: failure.message, exitCode: failure.exitCode)
            log.append(LogEntry(level: .error, stage: current, message: failure.message))
        }
        // A failed or cancelled build still records what its input was.
        try? settleInputDigest(announcingIn: nil)
        record.finished = Date()
        record.processID = nil
        if record.status != .succeeded {
            record.outputPath = nil
            record.outputSHA256 = nil
        }
        do {
            try store.save(record)
        } catch {
            log.append(LogEntry(level: .error, stage: nil, message: "cannot record the result: \(error)"))
        }
        log.sync()
        emit(.finished(record))
        continuation.finish()
        return record
    }

    private func perform(_ stage: BuildStage) throws -> StageOutcome {
        switch stage {
        case .inspect: return try inspectStage()
        case .validate: return try validateStage()
        case .credentials: return try credentialsStage()
        case .embed: return try embedStage()
        case .patch: return try patchStage()
        case .runtime: return try runtimeStage()
        case .repackage: return try repackageStage()
        case .sign: return try signStage()
        case .verify: return try verifyStage()
        case .report: return try reportStage()
        }
    }

    // MARK: for the stages

    func checkCancellation() throws {
        if cancellation.isRequested { throw BuildCancelled() }
    }

    func emit(_ kind: BuildEvent.Kind) {
        continuation.yield(BuildEvent(buildID: id, kind: kind))
    }

    func info(_ stage: BuildStage?, _ message: String) { say(.info, stage, message) }
    func warn(_ stage: BuildStage?, _ message: String) { say(.warning, stage, message) }

    func say(_ level: LogLevel, _ stage: BuildStage?, _ message: String) {
        let entry = LogEntry(level: level, stage: stage, message: message)
        log.append(entry)
        emit(.log(entry))
    }

    /// A progress reporter for a stage, throttled to whole per-mille steps, that also checks
    /// for cancellation so long loops stop promptly.
    func progress(_ stage: BuildStage, total: Int64) -> ProgressReporter {
        ProgressReporter(stage: stage, total: total, run: self)
    }

    func updateRecord(_ change: (inout BuildRecord) -> Void) throws {
        change(&record)
        try store.save(record)
    }

    // MARK: publishing

    /// Moves the staged outputs into place: report, server/ and the app, the app last.
    private func publish() throws {
        let fileManager = FileManager.default
        for name in (try? fileManager.contentsOfDirectory(atPath: staging.path)) ?? [] {
            let target = folder.appendingPathComponent(name)
            if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
            guard rename(staging.appendingPathComponent(name).path, target.path) == 0 else {
                throw WorkspaceError.writeFailed(path: target.path, operation: "rename", reason: String(cString: strerror(errno)))
            }
        }
        guard let output = state.outputTemporary, let destination = state.outputDestination else {
            throw BuildFailure(.internalError, "no output was produced")
        }
        guard rename(output.path, destination.path) == 0 else {
            throw WorkspaceError.writeFailed(path: destination.path, operation: "rename", reason: String(cString: strerror(errno)))
        }
        state.outputTemporary = nil
        try AtomicFile.syncDirectory(destination.deletingLastPathComponent())
        try AtomicFile.syncDirectory(folder)
        try? fileManager.removeItem(at: staging)
        record.outputPath = destination.path
    }

    /// Removes everything a failed or cancelled build wrote, except its record and log.
    private func discardOutputs() {
        let fileManager = FileManager.default
        if let temporary = state.outputTemporary { try? fileManager.removeItem(at: temporary) }
        for temporary in state.scratchFiles { try? fileManager.removeItem(at: temporary) }
        try? fileManager.removeItem(at: staging)
        state.outputTemporary = nil
        revokeUnshippedCertificate()
    }
}

/// Throttled progress events for one stage; every report also checks for cancellation.
final class ProgressReporter {
    let stage: BuildStage
    let total: Int64
    unowned let run: BuildRun
    private var lastPerMille: Int64 = -1

    init(stage: BuildStage, total: Int64, run: BuildRun) {
        self.stage = stage
        self.total = total
        self.run = run
    }

    func report(_ done: Int64) throws {
        try run.checkCancellation()
        let perMille = total > 0 ? min(1000, done * 1000 / total) : 0
        guard perMille != lastPerMille else { return }
        lastPerMille = perMille
        run.emit(.progress(stage, fraction: Double(perMille) / 1000, bytesDone: done, bytesTotal: total))
    }
}

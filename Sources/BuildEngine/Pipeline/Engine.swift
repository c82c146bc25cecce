import Foundation

/// The engine as the console and the CLI drive it: Fusion Sets, the catalog, app
/// inspection, builds and their logs. Everything runs in-process; builds run on threads of
/// their own and report on an AsyncStream, so a caller never waits on one.
public final class Engine: Sendable {
    public let workspace: Workspace
    public let validator: FusionSetValidator

    public init(workspace: Workspace, validator: FusionSetValidator = .standard) {
        self.workspace = workspace
        self.validator = validator
    }

    public var catalog: FeatureCatalog { validator.catalog }
    public var fusionSets: FusionSetStore { FusionSetStore(workspace: workspace, validator: validator) }
    public var builds: BuildStore { BuildStore(workspace: workspace) }

    /// Checks one option value as typed in a form: the message says what is allowed.
    public func validateOption(feature: String, option: String, text: String) throws(FusionSetError) -> OptionValue {
        try validator.parseOption(feature: feature, option: option, occurrences: [text])
    }

    /// What the pipeline knows about an app before building it.
    public func inspect(path: String) throws -> AppFacts {
        try AppInspector.inspect(path: path)
    }

    /// Starts a build. An unknown Fusion Set fails here, before any build folder exists; any
    /// later problem is reported by the build itself (its record, log and final event).
    public func startBuild(_ request: BuildRequest) throws -> BuildHandle {
        let fusionSet = try fusionSets.find(request.fusionSet)
        let id = BuildID.generate()
        var continuation: AsyncStream<BuildEvent>.Continuation!
        let events = AsyncStream<BuildEvent>(bufferingPolicy: .unbounded) { continuation = $0 }
        let cancellation = CancellationFlag()
        let completion = Completion<BuildRecord>()
        let run = try BuildRun(id: id, workspace: workspace, request: request, fusionSet: fusionSet, validator: validator,
                               cancellation: cancellation, continuation: continuation)
        let thread = Thread {
            completion.resolve(run.run())
        }
        thread.name = "appseal build \(id)"
        thread.stackSize = 4 << 20
        thread.start()
        return BuildHandle(id: id, events: events, cancellation: cancellation, completion: completion)
    }

    /// The log of a build so far.
    public func log(ofBuild id: String) throws -> [LogEntry] {
        let file = try builds.logFile(id: id)
        guard let data = try WorkspaceJSON.readBytesIfPresent(file) else { throw BuildStoreError.notFound(id: id) }
        return BuildLog.parse(data)
    }
}

import BuildEngine
import Foundation

// `appseal fusion-set ...`: the Fusion Sets of the workspace, for scripts and CI.

private let featureHelp = """
    Add a feature: ID[:key=value,...]. A list takes items separated by '|' or a repeated key \
    (hosts=a.example.com|b.example.com or hosts=a.example.com,hosts=b.example.com); pins take \
    HOST=PIN|PIN per host. See 'appseal fusion-set catalog' for IDs and options.
    """

private let featureSyntax = """
    Features are given as --feature ID[:key=value,key=value,...]:
      --feature mobile-client-certificates:keyType=ec-p384,validityDays=90,hosts=api.example.com|*.example.org
      --feature block-cleartext-traffic
      --feature trusted-domains:domains=api.example.com,domains=cdn.example.com
      --feature certificate-pinning:pins=api.example.com=sha256/AAA...=|sha256/BBB...=
    A list option takes items separated by '|' or the same key repeated; a map option (pins,
    pinCertificates) takes HOST=item|item and may repeat for more hosts. Values cannot contain ','.
    """

let fusionSetCommand = Command(
    name: "fusion-set",
    abstract: "Create, list, show, edit and share Fusion Sets (named security templates).",
    subcommands: [
        Command(name: "create", abstract: "Create a Fusion Set.",
                discussion: featureSyntax,
                options: [
                    .value("name", "name", help: "Unique name of the set.", required: true),
                    .value("platform", "platform", help: "android, ios or any (default: android)."),
                    .value("feature", "spec", help: featureHelp, repeatable: true),
                    .value("annotate", "text", help: "Add an annotation (repeatable).", repeatable: true),
                    .flag("json", help: "Print the created set as JSON."),
                ],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let platform = try parsePlatform(invocation)
                        let features = try parseFeatures(invocation.values("feature"), validator: store.validator)
                        let set = try store.create(name: try invocation.requiredValue("name"), platform: platform,
                                                   features: features, annotations: invocation.values("annotate"))
                        try printChanged(set, verb: "created", store: store, invocation: invocation)
                    }
                }),
        Command(name: "list", abstract: "List the Fusion Sets of the workspace.",
                options: [.flag("json", help: "Print JSON.")],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let (sets, problems) = store.list()
                        for problem in problems { Output.err("warning: skipped \(problem)\n") }
                        if invocation.flag("json") {
                            try Output.json(sets)
                            return
                        }
                        if sets.isEmpty {
                            Output.out("No Fusion Sets yet. Create one with 'appseal fusion-set create --name NAME --feature ID'.\n")
                            return
                        }
                        let width = max(4, sets.map(\.name.count).max() ?? 4)
                        Output.out("ID                                NAME\(String(repeating: " ", count: width - 4))  PLATFORM  FEATURES  UPDATED\n")
                        for set in sets {
                            let padding = String(repeating: " ", count: width - set.name.count)
                            let platform = set.platform.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                            let count = String(set.features.count).padding(toLength: 8, withPad: " ", startingAt: 0)
                            Output.out("\(set.id)  \(set.name)\(padding)  \(platform)  \(count)  \(FusionSetSummary.timeText(set.updated))\n")
                        }
                    }
                }),
        Command(name: "show", abstract: "Print the Detail Summary of a Fusion Set, with the builds that used it.",
                arguments: [CommandArgument(name: "id", help: "Fusion Set ID, a unique ID prefix (6+ digits), or its exact name.")],
                options: [.flag("json", help: "Print JSON.")],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let set = try store.find(try invocation.requiredArgument("id"))
                        try printSummary(set, store: store, invocation: invocation)
                    }
                }),
        Command(name: "edit", abstract: "Change a Fusion Set.",
                discussion: featureSyntax + """

                    --remove-feature and --remove-annotation apply first, then --feature adds a feature or
                    merges the given options into the one already there.
                    """,
                arguments: [CommandArgument(name: "id", help: "Fusion Set ID, unique ID prefix, or exact name.")],
                options: [
                    .value("name", "name", help: "Rename the set."),
                    .value("platform", "platform", help: "android, ios or any."),
                    .value("feature", "spec", help: featureHelp, repeatable: true),
                    .value("remove-feature", "id", help: "Remove a feature (repeatable).", repeatable: true),
                    .value("annotate", "text", help: "Add an annotation (repeatable).", repeatable: true),
                    .value("remove-annotation", "text", help: "Remove an annotation (repeatable).", repeatable: true),
                    .flag("json", help: "Print the changed set as JSON."),
                ],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let reference = try invocation.requiredArgument("id")
                        let additions = try invocation.values("feature").map { spec throws(FusionSetError) in
                            let parsed = try FeatureSpec.parse(spec)
                            return (parsed.featureID, try parsed.options(using: store.validator))
                        }
                        let platform = invocation.value("platform") == nil ? nil : try parsePlatform(invocation)
                        let set = try store.edit(reference) { set in
                            if let name = invocation.value("name") { set.name = name }
                            if let platform { set.platform = platform }
                            for featureID in invocation.values("remove-feature") {
                                guard set.features.removeValue(forKey: featureID) != nil else {
                                    throw EngineCommandError(.invalidInput, "Fusion Set \(set.id) has no feature '\(featureID)'")
                                }
                            }
                            for text in invocation.values("remove-annotation") {
                                guard set.annotations.contains(text) else {
                                    throw EngineCommandError(.invalidInput, "Fusion Set \(set.id) has no annotation '\(text)'")
                                }
                                set.annotations.removeAll { $0 == text }
                            }
                            set.annotations += invocation.values("annotate")
                            for (featureID, options) in additions {
                                set.features[featureID, default: [:]].merge(options) { _, new in new }
                            }
                        }
                        try printChanged(set, verb: "updated", store: store, invocation: invocation)
                    }
                }),
        Command(name: "delete", abstract: "Delete a Fusion Set (the builds made with it are kept).",
                arguments: [CommandArgument(name: "id", help: "Fusion Set ID, unique ID prefix, or exact name.")],
                options: [.flag("json", help: "Print the deleted set as JSON.")],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let set = try store.delete(try invocation.requiredArgument("id"))
                        if invocation.flag("json") { try Output.json(set) } else {
                            Output.out("Deleted Fusion Set \(set.id) '\(set.name)'.\n")
                        }
                    }
                }),
        Command(name: "duplicate", abstract: "Copy a Fusion Set under a new ID.",
                arguments: [CommandArgument(name: "id", help: "Fusion Set ID, unique ID prefix, or exact name.")],
                options: [
                    .value("name", "name", help: "Name of the copy (default: '<name> (copy)')."),
                    .flag("json", help: "Print the copy as JSON."),
                ],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let copy = try store.duplicate(try invocation.requiredArgument("id"), name: invocation.value("name"))
                        try printChanged(copy, verb: "created", store: store, invocation: invocation)
                    }
                }),
        Command(name: "export", abstract: "Write a Fusion Set as a JSON file others can import.",
                arguments: [CommandArgument(name: "id", help: "Fusion Set ID, unique ID prefix, or exact name.")],
                options: [.value("out", "file", help: "Write here instead of standard output.")],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let data = try store.export(try invocation.requiredArgument("id"))
                        if let out = invocation.value("out") {
                            try AtomicFile.write(data, to: URL(fileURLWithPath: out))
                            Output.err("Wrote \(out)\n")
                        } else {
                            Output.out(String(decoding: data, as: UTF8.self))
                        }
                    }
                }),
        Command(name: "import", abstract: "Add a Fusion Set from an exported JSON file.",
                arguments: [CommandArgument(name: "file", help: "The exported JSON file ('-' reads standard input).")],
                options: [
                    .flag("new-id", help: "Give the imported set a new ID (needed when its ID is already here)."),
                    .value("name", "name", help: "Import under this name (e.g. when the name is taken)."),
                    .flag("json", help: "Print the imported set as JSON."),
                ],
                run: { invocation in
                    try withFusionSets(invocation) { store in
                        let path = try invocation.requiredArgument("file")
                        let data: Data
                        if path == "-" {
                            data = FileHandle.standardInput.readDataToEndOfFile()
                        } else {
                            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                                throw EngineCommandError(.invalidInput, "cannot read \(path): \(describeFileError(error))")
                            }
                        }
                        let set = try store.importSet(data, source: path == "-" ? "standard input" : path,
                                                      newID: invocation.flag("new-id"), name: invocation.value("name"))
                        try printChanged(set, verb: "imported", store: store, invocation: invocation)
                    }
                }),
        Command(name: "catalog", abstract: "Show the feature catalog: IDs, options, defaults and availability.",
                options: [.flag("json", help: "Print JSON.")],
                run: { invocation in
                    let catalog = CatalogDescription(FeatureCatalog.standard)
                    if invocation.flag("json") { try Output.json(catalog) } else {
                        Output.out(catalog.lines.joined(separator: "\n") + "\n")
                    }
                    return .ok
                }),
    ]
)

// MARK: helpers shared with the build commands

/// An error of the engine's commands: its own exit code and message.
struct EngineCommandError: ReportableError {
    let exitCode: ExitCode
    let message: String

    init(_ exitCode: ExitCode, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }
}

extension FusionSetError: ReportableError {
    var exitCode: ExitCode { .invalidInput }
}

extension FusionSetImportError: ReportableError {
    var exitCode: ExitCode { .invalidInput }
}

extension BuildStoreError: ReportableError {
    var exitCode: ExitCode { .invalidInput }
}

/// Opens the workspace and maps its errors to exit codes: a workspace that cannot be used
/// as it is (unreadable, corrupt, newer) is invalid input; a failed write is a failure.
func openWorkspace(_ invocation: Invocation) throws -> Workspace {
    do {
        return try Workspace.open(at: invocation.workspacePath)
    } catch {
        throw workspaceFailure(error)
    }
}

func workspaceFailure(_ error: WorkspaceError) -> EngineCommandError {
    switch error {
    case .writeFailed, .lockFailed, .migrationFailed:
        return EngineCommandError(.failed, error.description)
    case .unreadable, .newerSchema, .corrupted, .notAWorkspace, .migrationMissing, .invalidName:
        return EngineCommandError(.invalidInput, error.description)
    }
}

private func withFusionSets(_ invocation: Invocation, _ body: (FusionSetStore) throws -> Void) throws -> ExitCode {
    let store = FusionSetStore(workspace: try openWorkspace(invocation), validator: .standard)
    do {
        try body(store)
    } catch let error as WorkspaceError {
        throw workspaceFailure(error)
    }
    return .ok
}

private func parsePlatform(_ invocation: Invocation) throws -> FusionSetPlatform {
    let text = try invocation.choice("platform", default: "android", allowed: FusionSetPlatform.allCases.map(\.rawValue))
    return FusionSetPlatform(rawValue: text)!
}

private func parseFeatures(_ specs: [String], validator: FusionSetValidator) throws -> [String: FeatureOptions] {
    var features: [String: FeatureOptions] = [:]
    for text in specs {
        let spec = try FeatureSpec.parse(text)
        guard features[spec.featureID] == nil else {
            throw EngineCommandError(.invalidInput, "feature '\(spec.featureID)' is given twice; put all its options in one --feature")
        }
        features[spec.featureID] = try spec.options(using: validator)
    }
    return features
}

private func printChanged(_ set: FusionSet, verb: String, store: FusionSetStore, invocation: Invocation) throws {
    let warnings = set.platform.appPlatforms.flatMap { store.validator.unavailableFeatures(of: set, on: $0) }
    for warning in warnings { Output.err("warning: \(warning.message); a build of this set on that platform fails in Validate\n") }
    if invocation.flag("json") {
        try Output.json(set)
    } else {
        Output.out("Fusion Set \(set.id) '\(set.name)' \(verb).\n")
    }
}

private func printSummary(_ set: FusionSet, store: FusionSetStore, invocation: Invocation) throws {
    let builds = BuildStore(workspace: store.workspace).builds(usingFusionSet: set.id)
    let summary = FusionSetSummary(set: set, builds: builds, validator: store.validator)
    if invocation.flag("json") { try Output.json(summary) } else {
        Output.out(summary.lines.joined(separator: "\n") + "\n")
    }
}

func describeFileError(_ error: Error) -> String {
    if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(posix.code)))
    }
    return (error as NSError).localizedDescription
}

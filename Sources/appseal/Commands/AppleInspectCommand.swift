import ApplePackage
import Foundation

/// `appseal inspect APP.ipa [--json]`: what the iOS app is, how it is signed and what would stop
/// appseal from securing it. Exit 0 when the app could be read (problems are listed in the
/// report), 3 when it is not a readable .ipa.
func inspectIPA(path: String, json: Bool) throws -> ExitCode {
    let inspection = try IPAInspector.inspect(path: path)
    if json {
        try Output.json(inspection)
    } else {
        Output.out(inspection.renderText())
    }
    return .ok
}

extension ApplePackageError: ReportableError {
    var exitCode: ExitCode { .invalidInput }
    var message: String { description }
}

/// `appseal inspect` for .ipa files, registered on this branch until the Android inspect command
/// (which dispatches by extension) is merged; then only `inspectIPA` remains in use.
let ipaInspectCommand = Command(
    name: "inspect",
    abstract: "Show what an app is, how it is signed, and what would stop appseal from securing it.",
    discussion: "Reads .ipa files: Info.plist, provisioning profile, every Mach-O and its code signature, the CodeResources seal and the frameworks used.",
    arguments: [CommandArgument(name: "app", help: "The app to inspect (.ipa).")],
    options: [.flag("json", help: "Print the inspection as JSON.")],
    run: { invocation in
        let path = try invocation.requiredArgument("app")
        guard path.lowercased().hasSuffix(".ipa") else {
            throw UsageError(message: "inspect on this build reads .ipa files; '\(path)' is not one")
        }
        return try inspectIPA(path: path, json: invocation.flag("json"))
    }
)

import ApplePackage
import Foundation

/// `appseal inspect APP.ipa [--json]` (dispatched from InspectCommands.swift by extension): what the
/// iOS app is, how it is signed and what would stop appseal from securing it. Exit 0 when the app
/// could be read (problems are listed in the report), 3 when it is not a readable .ipa.
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

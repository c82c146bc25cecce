import AndroidPackage
import Foundation

/// `appseal inspect APP [--json]`: what an .apk or .aab is, how it is signed, and what is wrong with it.
let inspectCommand = Command(
    name: "inspect",
    abstract: "Show what an app (.apk, .aab, .ipa) contains, how it is signed and what is risky about it.",
    discussion: """
    Reads the package in place: the manifest (binary XML in an APK, protobuf in an AAB), resources.arsc
    for the label, the v1 signature files and the APK Signing Block. Signer certificates are reported,
    not verified; use 'appseal verify' for that. Exit 3 when the file is not a readable Android package.
    An .ipa is read by ApplePackage: Info.plist, provisioning profile, every Mach-O and its code signature
    (verified), the CodeResources seal and the frameworks used; see docs/ios-inspect.md.
    """,
    arguments: [CommandArgument(name: "app", help: "The .apk, .aab or .ipa to inspect.")],
    options: [.flag("json", help: "Print the inspection as JSON.")],
    run: { invocation in
        let path = try invocation.requiredArgument("app")
        if path.lowercased().hasSuffix(".ipa") { return try inspectIPA(path: path, json: invocation.flag("json")) }
        let inspection = try AndroidPackageInspector.inspect(path: path)
        if invocation.flag("json") {
            try Output.json(inspection)
        } else {
            Output.out(inspection.renderedText())
        }
        return .ok
    }
)

extension AndroidPackageInspectionError: ReportableError {
    // The file is what is wrong: not a ZIP, no manifest, a manifest that does not parse.
    var exitCode: ExitCode { .invalidInput }
    var message: String { description }
}

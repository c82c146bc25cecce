import BuildEngine
import Foundation

/// `appseal sample [--out PATH] [--json]`: writes the sample app appseal makes itself.
let sampleCommand = Command(
    name: "sample",
    abstract: "Write a small, valid sample APK made by appseal itself, to try a build without an app of your own.",
    discussion: """
    The sample (package \(SampleApp.packageName), version \(SampleApp.versionName), minSdk \(SampleApp.minSdk)) has a
    launcher activity assembled into classes.dex and usesCleartextTraffic="true", so Block Cleartext Traffic
    changes it. It is signed with the workspace debug key (v2 and v3). The console writes it to
    <workspace>/samples/\(SampleApp.fileName) on its first run.
    """,
    options: [
        .value("out", "path", help: "Where to write the APK (default: <workspace>/samples/\(SampleApp.fileName))."),
        .flag("json", help: "Print what was written as JSON."),
    ],
    run: { invocation in
        let workspace = try openWorkspace(invocation)
        let destination = invocation.value("out").map { URL(fileURLWithPath: $0) } ?? workspace.sampleAppFile
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isFolder), isFolder.boolValue {
            throw UsageError(message: "--out \(destination.path) is a folder; give the path of the .apk to write")
        }
        do {
            if destination == workspace.sampleAppFile { try workspace.ensureDirectory(workspace.samplesDirectory) }
            try SampleApp.write(to: destination, workspace: workspace)
        } catch let error as ReportableError {
            throw error
        } catch let error as WorkspaceError {
            throw workspaceFailure(error)
        } catch let failure as BuildFailure {
            throw EngineCommandError(failure.kind == .internalError ? .internalError : .failed, failure.message)
        } catch {
            throw EngineCommandError(.failed, "cannot write the sample app to \(destination.path): \(error)")
        }
        let written = SampleWritten(path: destination.path, package: SampleApp.packageName,
                                    versionCode: Int(SampleApp.versionCode), versionName: SampleApp.versionName,
                                    minSdk: Int(SampleApp.minSdk))
        if invocation.flag("json") {
            try Output.json(written)
        } else {
            Output.out("Wrote \(written.path) (\(written.package) \(written.versionName), minSdk \(written.minSdk), "
                       + "signed with the workspace debug key)\n")
        }
        return .ok
    }
)

private struct SampleWritten: Encodable {
    let path: String
    let package: String
    let versionCode: Int
    let versionName: String
    let minSdk: Int
}

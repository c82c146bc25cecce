import AndroidPackage
import BuildEngine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// `appseal build` (headless Build My App) and `appseal builds` (past builds and their logs).

let buildCommand = Command(
    name: "build",
    abstract: "Build a secured version of an app with a Fusion Set (headless Build My App).",
    discussion: """
    Stages: Inspect → Validate → Credentials → Embed → Patch → Runtime → Repackage → Sign → Verify → Report.
    Signing: --keystore F.p12 with --keystore-password-file F (or env:NAME), or --debug-sign (the
    workspace debug key), or --unsigned for signing elsewhere; an unsigned build with Mobile Client
    Certificates needs --signer-cert F and/or --signer-sha256 HEX (repeatable, e.g. your upload key
    and the store's app-signing key) so the sealed blob opens once the app is signed with one of them.
    The output goes to --out, else builds/<BUILD-ID>/<name>-secured.apk. A failed or cancelled build
    (Ctrl-C) leaves no output. The CA passphrase, if the CA key is encrypted, comes from
    APPSEAL_CA_PASSPHRASE.
    Exit codes: 0 built · 3 invalid input (app, Fusion Set, options, keys) · 4 a stage failed
    (write, sign, verify) or the build was cancelled · 1 internal error.
    """,
    arguments: [CommandArgument(name: "app", help: "The .apk to secure (never modified).")],
    options: [
        .value("fusion-set", "id", help: "Fusion Set ID, unique ID prefix (6+ digits) or exact name.", required: true),
        .value("out", "path", help: "Where to write the secured app."),
        .value("keystore", "file", help: "PKCS#12 keystore to sign with."),
        .value("keystore-password-file", "file", help: "File whose first line is the keystore password, or env:NAME."),
        .flag("debug-sign", help: "Sign with the workspace debug key (created on first use)."),
        .flag("unsigned", help: "Leave the output unsigned, for signing elsewhere."),
        .value("signer-cert", "file", help: "With --unsigned: a certificate the app will be signed with (repeatable).",
               repeatable: true),
        .value("signer-sha256", "hex", help: "With --unsigned: SHA-256 of such a certificate (repeatable).", repeatable: true),
        .flag("json-events", help: "Print every build event as one JSON object per line on standard output."),
    ],
    run: { invocation in try await runBuild(invocation) }
)

let buildsCommand = Command(
    name: "builds",
    abstract: "List past builds, show one, or print its log.",
    subcommands: [
        Command(name: "list", abstract: "List the builds of the workspace, newest first.",
                options: [.flag("json", help: "Print JSON.")],
                run: { invocation in
                    let store = BuildStore(workspace: try openWorkspace(invocation))
                    let (records, problems) = store.list()
                    for problem in problems { Output.err("warning: skipped \(problem)\n") }
                    if invocation.flag("json") {
                        try Output.json(records)
                        return .ok
                    }
                    if records.isEmpty {
                        Output.out("No builds yet. Start one with 'appseal build APP --fusion-set ID'.\n")
                        return .ok
                    }
                    Output.out("BUILD                     STATUS     STARTED               APP\n")
                    for record in records {
                        let status = record.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                        Output.out("\(record.id)  \(status)  \(FusionSetSummary.timeText(record.started))  \(record.appID ?? "-")\n")
                    }
                    return .ok
                }),
        Command(name: "show", abstract: "Show one build: status, app, certificate, output and report.",
                arguments: [CommandArgument(name: "id", help: "Build ID.")],
                options: [.flag("json", help: "Print JSON (the build record, and the report when there is one).")],
                run: { invocation in
                    let workspace = try openWorkspace(invocation)
                    let store = BuildStore(workspace: workspace)
                    let id = try invocation.requiredArgument("id")
                    let record = try buildRecord(id, store: store)
                    let reportFile = try workspace.buildDirectory(id: id).appendingPathComponent("report.json")
                    if invocation.flag("json") {
                        var object: [String: Any] = ["build": try jsonObject(record)]
                        if let data = try? Data(contentsOf: reportFile) { object["report"] = try JSONSerialization.jsonObject(with: data) }
                        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                        Output.out(String(decoding: data, as: UTF8.self) + "\n")
                        return .ok
                    }
                    Output.out(describe(record, folder: try workspace.buildDirectory(id: id)))
                    return .ok
                }),
        Command(name: "log", abstract: "Print a build's log (build.log).",
                arguments: [CommandArgument(name: "id", help: "Build ID.")],
                options: [
                    .flag("follow", help: "Keep printing new lines until the build finishes."),
                    .flag("json", help: "Print the NDJSON lines as they are stored."),
                ],
                run: { invocation in
                    let workspace = try openWorkspace(invocation)
                    let store = BuildStore(workspace: workspace)
                    let id = try invocation.requiredArgument("id")
                    _ = try buildRecord(id, store: store)
                    try followLog(store: store, id: id, follow: invocation.flag("follow"), raw: invocation.flag("json"))
                    return .ok
                }),
    ]
)

// MARK: build

/// Ctrl-C and SIGTERM cancel the running build instead of killing the process, so it can
/// remove what it wrote; a second signal ends the process at once.
private final class SignalCancellation: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(_ handle: BuildHandle) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            var seen = false
            source.setEventHandler {
                if seen { exit(128 + signalNumber) }
                seen = true
                Output.err("\ncancelling build \(handle.id)…\n")
                handle.cancel()
            }
            source.resume()
            sources.append(source)
        }
    }
}

private func runBuild(_ invocation: Invocation) async throws -> ExitCode {
    // A file size limit (ulimit -f) must surface as a write error, not kill the build mid-file.
    signal(SIGXFSZ, SIG_IGN)
    let signing = try signingChoice(invocation)
    let engine = Engine(workspace: try openWorkspace(invocation))
    let app = try invocation.requiredArgument("app")
    let passphrase = invocation.environment["APPSEAL_CA_PASSPHRASE"].flatMap { $0.isEmpty ? nil : SecretText($0) }
    let handle: BuildHandle
    do {
        handle = try engine.startBuild(BuildRequest(inputPath: app, fusionSet: try invocation.requiredValue("fusion-set"),
                                                    outputPath: invocation.value("out"), signing: signing,
                                                    caPassphrase: passphrase))
    } catch let error as WorkspaceError {
        throw workspaceFailure(error)
    }
    let cancellation = SignalCancellation(handle)
    let json = invocation.flag("json-events")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    let progressLine = ProgressLine(enabled: !json && Output.stderrIsTerminal)
    var final: BuildRecord?
    for await event in handle.events {
        if json {
            Output.out(String(decoding: try encoder.encode(event), as: UTF8.self) + "\n")
        }
        switch event.kind {
        case let .stageStarted(stage):
            progressLine.show("\(stage.title)…")
        case let .progress(stage, fraction, done, total):
            progressLine.show("\(stage.title) \(Int(fraction * 100))% \(byteText(done))/\(byteText(total))")
        case let .log(entry):
            guard !json else { break }
            if entry.level >= .info {
                progressLine.clear()
                let prefix = entry.level == .info ? "" : "\(entry.level.rawValue): "
                Output.err("  \(entry.stage?.title ?? "Build"): \(prefix)\(entry.message)\n")
            }
        case let .stageFinished(stage, outcome, seconds):
            guard !json else { break }
            progressLine.clear()
            Output.err("\(outcomeMark(outcome)) \(stage.title) \(outcome.rawValue) (\(String(format: "%.2f", seconds)) s)\n")
        case let .finished(record):
            final = record
        }
    }
    withExtendedLifetime(cancellation) {}
    let record: BuildRecord
    if let final { record = final } else { record = await handle.result() }
    if !json { printSummary(record, workspace: engine.workspace) }
    switch record.status {
    case .succeeded: return .ok
    case .cancelled: return .failed
    case .failed, .running:
        return ExitCode(rawValue: record.failure?.exitCode ?? 4) ?? .failed
    }
}

private func signingChoice(_ invocation: Invocation) throws -> SigningChoice {
    let keystore = invocation.value("keystore")
    let chosen = [keystore != nil, invocation.flag("debug-sign"), invocation.flag("unsigned")].filter { $0 }.count
    guard chosen == 1 else {
        throw UsageError(message: "choose exactly one of --keystore F.p12, --debug-sign or --unsigned")
    }
    if !invocation.flag("unsigned"), !invocation.values("signer-cert").isEmpty || !invocation.values("signer-sha256").isEmpty {
        throw UsageError(message: "--signer-cert and --signer-sha256 go with --unsigned; a signed build seals for its own signer")
    }
    if let keystore {
        guard let password = try Secrets.fromOption("keystore-password-file", in: invocation)
                ?? Secrets.prompt("Password of \(keystore): ") else {
            throw UsageError(message: "--keystore needs --keystore-password-file F (or env:NAME) when there is no terminal")
        }
        return .keystore(path: keystore, password: SecretText(password))
    }
    if invocation.value("keystore-password-file") != nil {
        throw UsageError(message: "--keystore-password-file goes with --keystore")
    }
    if invocation.flag("debug-sign") { return .debugKey }
    return .unsigned(signerCertificatePaths: invocation.values("signer-cert"), signerSHA256: invocation.values("signer-sha256"))
}

private func printSummary(_ record: BuildRecord, workspace: Workspace) {
    switch record.status {
    case .succeeded:
        var text = "Build \(record.id) succeeded.\n"
        if let output = record.outputPath { text += "  Output:       \(output)\n" }
        if let sha = record.outputSHA256 { text += "  SHA-256:      \(sha)\n" }
        if let serial = record.certificateSerial { text += "  Certificate:  serial \(serial)\n" }
        if let fingerprint = record.certificateSHA256 { text += "  Fingerprint:  sha256 \(fingerprint)\n" }
        if let folder = try? workspace.buildDirectory(id: record.id) {
            text += "  Report:       \(folder.appendingPathComponent("report.md").path)\n"
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("server").path) {
                text += "  Server:       \(folder.appendingPathComponent("server").path)/\n"
            }
        }
        Output.out(text)
    case .cancelled:
        Output.err("Build \(record.id) was cancelled; no output was written.\n")
    case .failed, .running:
        let failure = record.failure
        Output.err("error: build \(record.id) failed in \(failure?.stage ?? "an unknown stage"): \(failure?.message ?? "no reason recorded")\n")
        Output.err("  Log: appseal builds log \(record.id)\n")
    }
}

private func outcomeMark(_ outcome: StageOutcome) -> String {
    switch outcome {
    case .done: return "✔"
    case .skipped: return "–"
    case .failed: return "✘"
    case .cancelled: return "■"
    }
}

private func byteText(_ bytes: Int64) -> String {
    if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
    if bytes >= 1 << 10 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
    return "\(bytes) B"
}

/// One rewritten status line on a terminal (stderr); nothing when output is redirected.
private final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ text: String) {
        guard enabled else { return }
        Output.err("\r\u{1B}[2K" + text)
        shown = true
    }

    func clear() {
        guard enabled, shown else { return }
        Output.err("\r\u{1B}[2K")
        shown = false
    }
}

extension Output {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

// MARK: builds

private func buildRecord(_ id: String, store: BuildStore) throws -> BuildRecord {
    do {
        return try store.record(id: id)
    } catch let error as WorkspaceError {
        if case .invalidName = error { throw BuildStoreError.notFound(id: id) }
        throw workspaceFailure(error)
    }
}

private func jsonObject<T: Encodable>(_ value: T) throws -> Any {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    return try JSONSerialization.jsonObject(with: encoder.encode(value))
}

private func describe(_ record: BuildRecord, folder: URL) -> String {
    var text = "Build \(record.id)\n"
    text += "  Status:       \(record.status.rawValue)\n"
    text += "  Fusion Set:   \(record.fusionSetID) '\(record.fusionSetName)'\n"
    text += "  Input:        \(record.inputPath)\n"
    if let sha = record.inputSHA256 { text += "  Input SHA-256: \(sha)\n" }
    if let app = record.appID { text += "  App:          \(app) (\(record.platform?.rawValue ?? "?"))\n" }
    text += "  Started:      \(FusionSetSummary.timeText(record.started))\n"
    if let finished = record.finished { text += "  Finished:     \(FusionSetSummary.timeText(finished))\n" }
    if let output = record.outputPath { text += "  Output:       \(output)\n" }
    if let sha = record.outputSHA256 { text += "  Output SHA-256: \(sha)\n" }
    if let serial = record.certificateSerial { text += "  Certificate:  serial \(serial)\n" }
    if let fingerprint = record.certificateSHA256 { text += "  Fingerprint:  sha256 \(fingerprint)\n" }
    if let failure = record.failure { text += "  Failure:      \(failure.stage): \(failure.message)\n" }
    let report = folder.appendingPathComponent("report.md")
    if FileManager.default.fileExists(atPath: report.path) { text += "  Report:       \(report.path)\n" }
    return text
}

private func followLog(store: BuildStore, id: String, follow: Bool, raw: Bool) throws {
    let file = try store.logFile(id: id)
    guard let handle = FileHandle(forReadingAtPath: file.path) else { throw BuildStoreError.notFound(id: id) }
    defer { try? handle.close() }
    var pending = Data()
    func drain() throws {
        let chunk = try handle.readToEnd() ?? Data()
        pending += chunk
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = pending[pending.startIndex..<newline]
            pending = Data(pending[(newline + 1)...])
            if raw {
                Output.out(String(decoding: line, as: UTF8.self) + "\n")
            } else if let entry = BuildLog.parse(Data(line)).first {
                let stage = entry.stage?.title ?? "Build"
                Output.out("\(FusionSetSummary.timeText(entry.time)) \(entry.level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(stage): \(entry.message)\n")
            }
        }
    }
    try drain()
    guard follow else { return }
    while true {
        let finished = (try? store.record(id: id)).map { BuildStore.isFinished($0) } ?? true
        try drain()
        if finished { return }
        usleep(200_000)
    }
}

// MARK: verify

/// `appseal verify`'s output: the signature report, then the sealed blob opened the way the
/// runtime will (with the APK's verified signer certificates), checked against the workspace.
func reportVerification(_ report: VerificationReport, path: String, invocation: Invocation) throws -> ExitCode {
    let signers = Set(report.schemes.filter(\.verified).flatMap(\.signers).map(\.certificateSHA256)).sorted()
        .compactMap { Data(hexDigits: $0.replacingOccurrences(of: ":", with: "")) }
    let manifest = URL(fileURLWithPath: invocation.workspacePath).appendingPathComponent(Workspace.manifestName)
    let workspace = FileManager.default.fileExists(atPath: manifest.path) ? try? Workspace.open(at: invocation.workspacePath) : nil
    let blob = SealedBlobCheck.check(apkPath: path, signerCertificateSHA256: signers, workspace: workspace)
    if invocation.flag("json") {
        if blob.present {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            var object = try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any] ?? [:]
            object["sealedBlob"] = try JSONSerialization.jsonObject(with: encoder.encode(blob))
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            Output.out(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            try Output.json(report)
        }
    } else {
        Output.out(VerificationText.render(report))
        if blob.present { Output.out(blob.lines.joined(separator: "\n") + "\n") }
    }
    return report.verified && blob.passed ? .ok : .failed
}

private extension Data {
    init?(hexDigits text: String) {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}

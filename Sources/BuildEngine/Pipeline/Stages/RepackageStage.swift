import AndroidPackage
import ArchiveKit
import Foundation

enum ZipArchiveOpener {
    static func open(_ path: String) throws -> ZipArchive {
        do {
            return try ZipArchive(path: path)
        } catch {
            throw BuildFailure(.invalidInput, "\(path) cannot be read as a ZIP archive: \(error)")
        }
    }
}

extension BuildRun {
    /// JAR signature files of the input: they no longer match once anything changed, so they go;
    /// Sign writes new ones. Other META-INF files (services, licences) stay.
    static func isOldSignatureFile(_ name: String) -> Bool {
        guard name.hasPrefix("META-INF/"), !name.dropFirst(9).contains("/") else { return false }
        let upper = name.uppercased()
        return upper == "META-INF/MANIFEST.MF" || upper.hasSuffix(".SF") || upper.hasSuffix(".RSA")
            || upper.hasSuffix(".DSA") || upper.hasSuffix(".EC") || upper.dropFirst(9).hasPrefix("SIG-")
    }

    func repackageStage() throws -> StageOutcome {
        guard let app = state.app else { throw BuildFailure(.internalError, "Repackage ran before Inspect") }
        let destination = try outputDestination(app: app)
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).tmp-\(id)")
        state.outputDestination = destination
        state.outputTemporary = temporary
        if case let .identity(identity, _, _)? = state.signing {
            return try writeSignedEntries(identity: identity, to: temporary)
        }
        return try writeUnsignedPackage(to: temporary)
    }

    /// A signed build writes its output once: the signer copies the input's entries raw, puts
    /// the replaced and added ones in, and computes the v2/v3 and v1 digests from those bytes;
    /// Sign then adds the signatures to the same file. No unsigned intermediate is written.
    private func writeSignedEntries(identity: SigningIdentity, to output: URL) throws -> StageOutcome {
        let progress = ThreadSafeProgress(run: self, stage: .repackage)
        var options = ApkSigningOptions()
        options.progress = { done, total in progress.report(done, total) }
        let cancellation = self.cancellation
        options.isCancelled = { cancellation.isRequested }
        options.digestsOutput = true
        let edits = ApkEdits(replacements: state.replacements,
                             additions: state.additions.map { ApkEdits.Addition(name: $0.name, data: $0.data, compressed: false) })
        let session: ApkSigningSession
        do {
            session = try ApkSigningSession(input: record.inputPath, output: output.path, identity: identity,
                                            options: options, edits: edits)
            state.scratchFiles.append(URL(fileURLWithPath: session.temporaryPath))
            try session.writeEntries()
        } catch let error as ApkSigningError where error == .cancelled {
            throw BuildCancelled()
        }
        state.signingSession = session
        state.signingProgress = progress
        var line = "\(session.copiedEntryCount) entries copied raw, \(state.replacements.count) replaced, \(state.additions.count) added, "
            + "stored entries aligned (4 bytes, 16 KiB for .so); written once, signed in the same file by Sign"
        let oldSignatureFiles = session.strippedEntries.filter { !$0.hasSuffix("/") }
        if !oldSignatureFiles.isEmpty { line += "; old signature files removed: \(oldSignatureFiles.joined(separator: ", "))" }
        let directories = session.strippedEntries.count - oldSignatureFiles.count
        if directories > 0 { line += "; \(directories) directory entries removed (as apksigner does)" }
        if !session.supersededEntries.isEmpty { line += "; replaced by added entries: \(session.supersededEntries.joined(separator: ", "))" }
        if session.droppedSigningBlock { line += "; old APK Signing Block dropped" }
        info(.repackage, line)
        return .done
    }

    /// An unsigned build (signed elsewhere) is a plain repack: raw copies, aligned, no signatures.
    private func writeUnsignedPackage(to target: URL) throws -> StageOutcome {
        let archive = try ZipArchiveOpener.open(record.inputPath)
        let writer = try ZipWriter(destination: target.path)
        let total = Int64(archive.fileSize)
        let reporter = progress(.repackage, total: total)
        var copied = 0, stripped: [String] = [], replaced = 0, aligned = 0
        var done: Int64 = 0
        do {
            for entry in archive.entries {
                try reporter.report(done)
                done += Int64(entry.compressedSize) + 30 + Int64(entry.rawName.count)
                if Self.isOldSignatureFile(entry.name) || state.additions.contains(where: { $0.name == entry.name }) {
                    stripped.append(entry.name)
                    continue
                }
                let alignment = entry.method == .stored ? Self.alignment(for: entry.name) : nil
                if alignment != nil { aligned += 1 }
                if let data = state.replacements[entry.name] {
                    try writer.add(name: entry.name, data: data, method: entry.method == .stored ? .stored : .deflated(level: 9),
                                   alignment: alignment, dosTime: entry.dosTime, dosDate: entry.dosDate,
                                   externalAttributes: entry.externalAttributes)
                    replaced += 1
                } else {
                    try writer.copyRaw(entry, from: archive, alignment: alignment)
                    copied += 1
                }
            }
            for addition in state.additions {
                try writer.add(name: addition.name, data: addition.data, method: .stored, alignment: Self.alignment(for: addition.name))
                aligned += 1
            }
            try checkCancellation()
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        try reporter.report(total)
        var line = "\(copied) entries copied raw, \(replaced) replaced, \(state.additions.count) added, \(aligned) stored entries aligned "
            + "(4 bytes, 16 KiB for .so)"
        if !stripped.isEmpty { line += "; old signature files removed: \(stripped.joined(separator: ", "))" }
        if archive.signingBlock != nil { line += "; old APK Signing Block dropped" }
        info(.repackage, line)
        return .done
    }

    static func alignment(for name: String) -> Int {
        name.hasSuffix(".so") ? 16 * 1024 : 4
    }

    func outputDestination(app: AppFacts) throws -> URL {
        if let path = request.outputPath {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            if url.path == URL(fileURLWithPath: record.inputPath).standardizedFileURL.path {
                throw BuildFailure(.invalidInput, "--out \(path) is the input app; appseal never overwrites its input")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path, isDirectory: &isFolder),
                  isFolder.boolValue else {
                throw BuildFailure(.invalidInput, "--out \(path): the folder \(url.deletingLastPathComponent().path) does not exist")
            }
            return url
        }
        let base = URL(fileURLWithPath: record.inputPath).deletingPathExtension().lastPathComponent
        return folder.appendingPathComponent("\(base)-secured.\(app.format.rawValue)")
    }
}

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
        let target: URL
        if case .unsigned = state.signing {
            target = temporary
            state.outputTemporary = temporary
        } else {
            target = staging.appendingPathComponent("unsigned.\(app.format.rawValue)")
            state.unsignedTemporary = target
            state.scratchFiles.append(target)
            state.outputTemporary = temporary
        }
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

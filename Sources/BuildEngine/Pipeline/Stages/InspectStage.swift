import AndroidPackage
import ApplePackage
import ArchiveKit
import CryptoCore
import Foundation

extension BuildRun {
    func inspectStage() throws -> StageOutcome {
        let path = record.inputPath
        let facts = try AppInspector.inspectWithoutDigest(path: path)
        // Hashing the whole input is the longest part of Inspect and nothing before Report needs it:
        // it runs beside the other stages, on a core they leave idle.
        state.inputDigest = AppInspector.sha256InBackground(of: path, size: facts.size)
        state.app = facts
        try updateRecord {
            $0.appID = facts.appID
            $0.platform = facts.platform
        }
        var summary = "\(facts.format.rawValue) \(facts.appID)"
        if let version = facts.versionName { summary += " \(version)" }
        if let code = facts.versionCode { summary += " (\(code))" }
        if let minSdk = facts.minSdk { summary += ", minSdk \(minSdk)" }
        if let targetSdk = facts.targetSdk { summary += ", targetSdk \(targetSdk)" }
        info(.inspect, "\(summary); \(facts.entryCount) entries, \(facts.size) bytes")
        try progress(.inspect, total: Int64(facts.size)).report(Int64(facts.size))
        return .done
    }

    /// Waits for the input's SHA-256 and records it (saying so in `stage`'s log when given); a no-op once
    /// done or before Inspect started it.
    func settleInputDigest(announcingIn stage: BuildStage?) throws {
        guard let digest = state.inputDigest else { return }
        state.inputDigest = nil
        let value: String
        do {
            value = try digest.waitBlocking().get()
        } catch let failure as BuildFailure {
            throw failure
        } catch {
            throw BuildFailure(.invalidInput, "\(record.inputPath) cannot be hashed: \(error)")
        }
        state.app?.sha256 = value
        record.inputSHA256 = value
        if let stage { info(stage, "input sha256 \(value)") }
    }
}

/// What the engine needs to know about an app, from its own package readers. The console
/// shows the full `appseal inspect`; this is the part the pipeline decides on.
public enum AppInspector {
    public static func inspect(path: String,
                               progress: (_ done: Int64, _ total: Int64) throws -> Void = { _, _ in }) throws -> AppFacts {
        var facts = try inspectWithoutDigest(path: path)
        facts.sha256 = try sha256(of: path, size: facts.size, progress: progress)
        return facts
    }

    /// The facts with `sha256` left empty, for a caller that hashes the file itself.
    static func inspectWithoutDigest(path: String) throws -> AppFacts {
        let lowered = path.lowercased()
        let format: AppFacts.Format
        if lowered.hasSuffix(".apk") { format = .apk } else if lowered.hasSuffix(".aab") { format = .aab }
        else if lowered.hasSuffix(".ipa") { format = .ipa } else {
            throw BuildFailure(.invalidInput, "\(path): not an .apk, .aab or .ipa (the file name decides the format)")
        }
        let archive: ZipArchive
        do {
            archive = try ZipArchive(path: path)
        } catch {
            throw BuildFailure(.invalidInput, "\(path) cannot be read as an .\(format.rawValue): \(error)")
        }
        switch format {
        case .apk, .aab:
            return try android(archive: archive, path: path, format: format, sha256: "")
        case .ipa:
            let inspection: IPAInspection
            do {
                inspection = try IPAInspector.inspect(path: path)
            } catch {
                throw BuildFailure(.invalidInput, "\(path) cannot be read as an .ipa: \(error)")
            }
            return AppFacts(path: path, format: .ipa, platform: .ios, appID: inspection.info?.bundleIdentifier ?? "unknown",
                            versionName: inspection.info?.shortVersion, versionCode: inspection.info?.buildVersion,
                            minSdk: nil, targetSdk: nil, usesCleartextTraffic: nil, networkSecurityConfig: nil,
                            entryCount: archive.entries.count, size: archive.fileSize, sha256: "")
        }
    }

    static func android(archive: ZipArchive, path: String, format: AppFacts.Format, sha256: String) throws -> AppFacts {
        let manifestName = format == .aab ? "base/manifest/AndroidManifest.xml" : "AndroidManifest.xml"
        guard let entry = archive.entry(named: manifestName) else {
            throw BuildFailure(.invalidInput, "\(path) has no \(manifestName), so it is not an Android app")
        }
        if format == .aab {
            return AppFacts(path: path, format: .aab, platform: .android, appID: "unknown", versionName: nil, versionCode: nil,
                            minSdk: nil, targetSdk: nil, usesCleartextTraffic: nil, networkSecurityConfig: nil,
                            entryCount: archive.entries.count, size: archive.fileSize, sha256: sha256)
        }
        let document: BinaryXMLDocument
        do {
            document = try BinaryXMLDocument(bytes: try archive.readData(entry))
        } catch {
            throw BuildFailure(.invalidInput, "\(path): \(manifestName) cannot be read: \(error)")
        }
        guard let root = document.root, root.name == "manifest" else {
            throw BuildFailure(.invalidInput, "\(path): \(manifestName) has no <manifest> root element")
        }
        let manifest = AndroidManifestInfo(root: root)
        guard let package = manifest.packageName, !package.isEmpty else {
            throw BuildFailure(.invalidInput, "\(path): the manifest has no package name")
        }
        return AppFacts(
            path: path, format: .apk, platform: .android, appID: package,
            versionName: manifest.versionName, versionCode: manifest.versionCode.map(String.init),
            minSdk: manifest.minSDK, targetSdk: manifest.targetSDK, usesCleartextTraffic: manifest.usesCleartextTraffic,
            networkSecurityConfig: manifest.networkSecurityConfig.map { "@0x" + String($0, radix: 16) },
            entryCount: archive.entries.count, size: archive.fileSize, sha256: sha256)
    }

    /// `sha256(of:size:)` on a thread of its own; the build waits for the result where it needs it.
    static func sha256InBackground(of path: String, size: UInt64) -> Completion<Result<String, Error>> {
        let digest = Completion<Result<String, Error>>()
        Thread { digest.resolve(Result { try sha256(of: path, size: size) { _, _ in } }) }.start()
        return digest
    }

    /// Streams the file through SHA-256 in 1 MiB reads.
    static func sha256(of path: String, size: UInt64,
                       progress: (_ done: Int64, _ total: Int64) throws -> Void) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BuildFailure(.invalidInput, "\(path) cannot be opened for reading")
        }
        defer { try? handle.close() }
        let hasher = DigestHasher(.sha256)
        var done: Int64 = 0
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(chunk)
            done += Int64(chunk.count)
            try progress(done, Int64(size))
        }
        return hasher.finalize().hex
    }
}

import AndroidPackage
import ApplePackage
import ArchiveKit
import CryptoCore
import Foundation

extension BuildRun {
    func inspectStage() throws -> StageOutcome {
        let path = record.inputPath
        var reporter: ProgressReporter?
        let facts = try AppInspector.inspect(path: path) { done, total in
            if reporter == nil { reporter = self.progress(.inspect, total: total) }
            try reporter?.report(done)
        }
        state.app = facts
        try updateRecord {
            $0.inputSHA256 = facts.sha256
            $0.appID = facts.appID
            $0.platform = facts.platform
        }
        var summary = "\(facts.format.rawValue) \(facts.appID)"
        if let version = facts.versionName { summary += " \(version)" }
        if let code = facts.versionCode { summary += " (\(code))" }
        if let minSdk = facts.minSdk { summary += ", minSdk \(minSdk)" }
        if let targetSdk = facts.targetSdk { summary += ", targetSdk \(targetSdk)" }
        info(.inspect, "\(summary); \(facts.entryCount) entries, \(facts.size) bytes, sha256 \(facts.sha256)")
        return .done
    }
}

/// What the engine needs to know about an app, from its own package readers. The console
/// shows the full `appseal inspect`; this is the part the pipeline decides on.
public enum AppInspector {
    public static func inspect(path: String,
                               progress: (_ done: Int64, _ total: Int64) throws -> Void = { _, _ in }) throws -> AppFacts {
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
        let digest = try sha256(of: path, size: archive.fileSize, progress: progress)
        switch format {
        case .apk, .aab:
            return try android(archive: archive, path: path, format: format, sha256: digest)
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
                            entryCount: archive.entries.count, size: archive.fileSize, sha256: digest)
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

import ArchiveKit
import CryptoCore
import Foundation

/// Why a file could not be inspected; every message names the file (and the entry).
public enum AndroidPackageInspectionError: Error, Sendable, CustomStringConvertible {
    case archive(ZipError)
    case noManifest(path: String, expected: String)
    case manifest(path: String, entry: String, reason: String)
    case unreadableEntry(path: String, entry: String, reason: String)

    public var description: String {
        switch self {
        case let .archive(error): return error.description
        case let .noManifest(path, expected): return "\(path): no \(expected): not an Android package"
        case let .manifest(path, entry, reason): return "\(path): \(entry): \(reason)"
        case let .unreadableEntry(path, entry, reason): return "\(path): \(entry): \(reason)"
        }
    }
}

/// Reads an .apk or .aab without extracting it: the manifest, resources.arsc (for the label),
/// the signature files and the APK Signing Block. Memory stays bounded by those entries.
public enum AndroidPackageInspector {
    static let v2BlockID: UInt32 = 0x7109_871a
    static let v3BlockID: UInt32 = 0xf053_68c0
    static let v31BlockID: UInt32 = 0x1b93_ad61
    static let sourceStampIDs: Set<UInt32> = [0x6dff_800d, 0x2b09_189e]
    /// Signing-block values and manifests above this size are refused rather than loaded.
    static let maximumMetadataSize = 16 << 20

    public static func inspect(path: String) throws(AndroidPackageInspectionError) -> AndroidPackageInspection {
        let archive: ZipArchive
        do { archive = try ZipArchive(path: path) } catch { throw .archive(error) }
        let isBundle = archive.entry(named: "base/manifest/AndroidManifest.xml") != nil
            || (archive.entry(named: "BundleConfig.pb") != nil && archive.entry(named: "AndroidManifest.xml") == nil)
        return isBundle ? try inspectBundle(archive) : try inspectAPK(archive)
    }

    // MARK: APK

    private static func inspectAPK(_ archive: ZipArchive) throws(AndroidPackageInspectionError) -> AndroidPackageInspection {
        let path = archive.path
        guard let manifestEntry = archive.entry(named: "AndroidManifest.xml") else {
            throw .noManifest(path: path, expected: "AndroidManifest.xml")
        }
        let manifestBytes = try readEntry(manifestEntry, from: archive)
        let document: BinaryXMLDocument
        do { document = try BinaryXMLDocument(bytes: manifestBytes) } catch {
            throw .manifest(path: path, entry: manifestEntry.name, reason: error.description)
        }
        var info = AndroidManifestInfo(document: document)
        var problems: [AndroidPackageInspection.Problem] = document.anomalies.map {
            .init(severity: .warning, code: "manifest-anomaly", message: "AndroidManifest.xml: \($0)")
        }
        var table: ResourceTable?
        if let arsc = archive.entry(named: "resources.arsc") {
            do {
                table = try ResourceTable(bytes: try readEntry(arsc, from: archive))
            } catch {
                problems.append(.init(severity: .warning, code: "resources-unreadable",
                                      message: "resources.arsc could not be read (\(error)); labels stay unresolved"))
            }
        }
        if let table { info = info.resolved(with: table) }
        var networkConfig: String?
        if let id = info.networkSecurityConfig {
            let name = table?.name(of: id).map { "@\($0)" } ?? "@0x\(hex8(id))"
            if let file = table?.string(for: id) {
                networkConfig = "\(name) → \(file)"
                problems += networkSecurityProblems(archive, file: file)
            } else {
                networkConfig = name
            }
        }
        let names = archive.entries.map(\.name)
        var inspection = base(archive, info: info, format: .apk, names: names, moduleRoots: [""])
        inspection.networkSecurityConfig = networkConfig
        if inspection.label == nil, let id = info.label?.reference {
            inspection.label = table?.name(of: id).map { "@\($0)" } ?? "@0x\(hex8(id))"
        }
        inspection.problems = problems
        try addSignatures(archive, to: &inspection)
        inspection.problems += manifestProblems(info, inspection: inspection, hasNetworkConfig: networkConfig != nil)
        return inspection
    }

    // MARK: AAB

    private static func inspectBundle(_ archive: ZipArchive) throws(AndroidPackageInspectionError) -> AndroidPackageInspection {
        let path = archive.path
        let manifestName = "base/manifest/AndroidManifest.xml"
        guard let manifestEntry = archive.entry(named: manifestName) else {
            throw .noManifest(path: path, expected: manifestName)
        }
        let bytes = try readEntry(manifestEntry, from: archive)
        let root: BinaryXMLElement
        do { root = try ProtoXmlDocument.root(bytes: bytes) } catch {
            throw .manifest(path: path, entry: manifestName, reason: error.description)
        }
        let info = AndroidManifestInfo(root: root)
        let names = archive.entries.map(\.name)
        // Modules are the top-level folders that have a manifest/ of their own.
        let modules = Set(names.compactMap { name -> String? in
            let parts = name.split(separator: "/", maxSplits: 2)
            return parts.count == 3 && parts[1] == "manifest" ? String(parts[0]) + "/" : nil
        }).sorted()
        var inspection = base(archive, info: info, format: .aab, names: names, moduleRoots: modules)
        let application = root.elements.first { $0.name == "application" }
        if inspection.label == nil, let raw = application?.attribute(resourceID: AndroidAttribute.label)?.rawValue {
            inspection.label = raw
        }
        if info.networkSecurityConfig != nil {
            inspection.networkSecurityConfig = application?.attribute(resourceID: AndroidAttribute.networkSecurityConfig)?.rawValue
        }
        try addSignatures(archive, to: &inspection)
        inspection.problems += manifestProblems(info, inspection: inspection, hasNetworkConfig: info.networkSecurityConfig != nil)
        return inspection
    }

    // MARK: Shared parts

    static func readEntry(_ entry: ZipEntry, from archive: ZipArchive) throws(AndroidPackageInspectionError) -> [UInt8] {
        guard entry.uncompressedSize <= UInt64(maximumMetadataSize) else {
            throw .unreadableEntry(path: archive.path, entry: entry.name,
                                   reason: "\(entry.uncompressedSize) bytes is more than the \(maximumMetadataSize >> 20) MiB allowed")
        }
        do { return try archive.readData(entry) } catch {
            throw .unreadableEntry(path: archive.path, entry: entry.name, reason: "\(error)")
        }
    }

    private static func base(_ archive: ZipArchive, info: AndroidManifestInfo, format: AndroidPackageInspection.Format,
                             names: [String], moduleRoots: [String]) -> AndroidPackageInspection {
        var abis = Set<String>()
        var dexCount = 0
        for name in names {
            for root in moduleRoots where name.hasPrefix(root) {
                let inner = name.dropFirst(root.count)
                let parts = inner.split(separator: "/", omittingEmptySubsequences: false)
                if parts.count >= 3, parts[0] == "lib", !parts[1].isEmpty, !parts.last!.isEmpty { abis.insert(String(parts[1])) }
                let dexFolder = format == .aab ? "dex" : nil
                if let dexFolder {
                    if parts.count == 2, parts[0] == Substring(dexFolder), parts[1].hasSuffix(".dex") { dexCount += 1 }
                } else if parts.count == 1, parts[0].hasPrefix("classes"), parts[0].hasSuffix(".dex") {
                    dexCount += 1
                }
            }
        }
        let files = archive.entries.filter { !$0.isDirectory }
        return AndroidPackageInspection(
            path: archive.path, format: format, packageName: info.packageName, versionCode: info.versionCode,
            versionName: info.versionName, minSDK: info.minSDK, targetSDK: info.targetSDK, maxSDK: info.maxSDK,
            minSDKCodename: info.minSDKCodename, targetSDKCodename: info.targetSDKCodename, label: info.resolvedLabel,
            debuggable: info.debuggable, allowBackup: info.allowBackup, usesCleartextTraffic: info.usesCleartextTraffic,
            networkSecurityConfig: nil, permissions: info.permissions,
            components: .init(activities: info.activityCount, services: info.serviceCount,
                              receivers: info.receiverCount, providers: info.providerCount),
            applicationClassName: info.applicationClassName, nativeABIs: abis.sorted(), dexCount: dexCount,
            files: .init(count: files.count, compressedBytes: files.reduce(0) { $0 + $1.compressedSize },
                         uncompressedBytes: files.reduce(0) { $0 + $1.uncompressedSize }, archiveBytes: archive.fileSize),
            frameworks: FrameworkDetector.detect(names: names, moduleRoots: moduleRoots, format: format),
            signatureSchemes: [], signers: [], problems: [])
    }

    /// Cleartext settings inside the network security config file, which override the manifest flag.
    private static func networkSecurityProblems(_ archive: ZipArchive, file: String) -> [AndroidPackageInspection.Problem] {
        guard let entry = archive.entry(named: file), let bytes = try? readEntry(entry, from: archive),
              let document = try? BinaryXMLDocument(bytes: bytes) else {
            return [.init(severity: .warning, code: "network-config-unreadable",
                          message: "network security config \(file) is missing or unreadable")]
        }
        var problems: [AndroidPackageInspection.Problem] = []
        for element in document.allElements where element.name == "base-config" || element.name == "domain-config" {
            if element.attribute(named: "cleartextTrafficPermitted")?.value.boolean == true {
                let scope = element.name == "base-config" ? "for every host" : "for some domains"
                problems.append(.init(severity: element.name == "base-config" ? .warning : .info, code: "cleartext-allowed",
                                      message: "\(file) permits cleartext traffic \(scope)"))
            }
        }
        return problems
    }

    private static func manifestProblems(_ info: AndroidManifestInfo, inspection: AndroidPackageInspection,
                                         hasNetworkConfig: Bool) -> [AndroidPackageInspection.Problem] {
        var problems: [AndroidPackageInspection.Problem] = []
        let schemes = Set(inspection.signatureSchemes)
        let minSDK = info.minSDK ?? (info.minSDKCodename == nil ? 1 : nil)
        if schemes.isEmpty {
            problems.append(.init(severity: .error, code: "unsigned", message: "the package is not signed: Android refuses to install it"))
        } else if inspection.format == .apk, !schemes.contains("v1"), let minSDK, minSDK < 24 {
            problems.append(.init(severity: .error, code: "v2-only-below-24",
                                  message: "signed with APK Signature Scheme v2/v3 only, but minSdk \(minSDK) < 24: Android 6 and older cannot verify it"))
        }
        if info.debuggable == true {
            problems.append(.init(severity: .warning, code: "debuggable", message: "android:debuggable=\"true\": anyone with adb can attach a debugger"))
        }
        if info.usesCleartextTraffic == true {
            problems.append(.init(severity: .warning, code: "cleartext-allowed",
                                  message: "android:usesCleartextTraffic=\"true\"" + (hasNetworkConfig ? " (the network security config takes precedence on Android 7+)" : "")))
        } else if info.usesCleartextTraffic == nil, !hasNetworkConfig, let target = info.targetSDK ?? (info.targetSDKCodename == nil ? minSDK : nil), target < 28 {
            problems.append(.init(severity: .warning, code: "cleartext-allowed",
                                  message: "cleartext traffic is allowed by default (targetSdk \(target) < 28 and no usesCleartextTraffic or network security config)"))
        }
        if info.allowBackup != false {
            problems.append(.init(severity: .info, code: "backup-allowed",
                                  message: info.allowBackup == true ? "android:allowBackup=\"true\": app data can be copied off the device"
                                                                    : "android:allowBackup is not set, so backup is allowed by default"))
        }
        return problems
    }
}

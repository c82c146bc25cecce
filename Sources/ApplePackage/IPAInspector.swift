import ArchiveKit
import Foundation

/// Everything `appseal inspect APP.ipa` reports about an iOS app.
public struct IPAInspection: Codable, Sendable {
    public let path: String
    public let fileSize: UInt64
    public let entryCount: Int
    /// `Payload/<Name>.app`, the one app bundle of the archive.
    public let bundlePath: String
    public let bundleFileCount: Int
    public let info: AppInfo?
    public let profile: ProvisioningProfile?
    public let mainExecutable: BinaryInspection?
    /// Frameworks, dylibs and app extensions inside the bundle.
    public let nestedCode: [BinaryInspection]
    public let seal: SealCheck?
    /// Whether the main executable's CodeDirectory binds this Info.plist (special slot 1).
    public let infoPlistBound: Bool?
    /// Whether the main executable's CodeDirectory binds this CodeResources (special slot 3).
    public let resourcesBound: Bool?
    public let frameworks: [DetectedFramework]
    /// What would stop appseal from securing the app, or what a security reviewer must know.
    public let problems: [String]
}

/// One Mach-O file of the bundle and what it says, or why it could not be read.
public struct BinaryInspection: Codable, Sendable {
    public enum Role: String, Codable, Sendable { case main, framework, dylib, appExtension = "app-extension", nestedApp = "nested-app" }
    /// Path relative to the app bundle.
    public let path: String
    public let role: Role
    public let size: UInt64
    public let isFat: Bool
    public let slices: [MachOSlice]
    public let error: String?

    public var isEncrypted: Bool { slices.contains(where: \.isEncrypted) }
    public var isSigned: Bool { !slices.isEmpty && slices.allSatisfy(\.isSigned) }
}

/// A cross-platform framework the app was built with, and the files that show it.
public struct DetectedFramework: Codable, Sendable, Equatable {
    public let name: String
    public let evidence: [String]
}

public enum IPAInspector {
    /// Largest Mach-O read into memory for parsing (each binary is read alone, then released).
    static let maximumBinarySize: UInt64 = 512 << 20

    public static func inspect(path: String, now: Date = Date()) throws(ApplePackageError) -> IPAInspection {
        let archive: ZipArchive
        do {
            archive = try ZipArchive(path: path)
        } catch where error.kind == .io {
            throw .unreadable(path: path, reason: error.message)
        } catch {
            throw .archive(reason: error.description)
        }
        let bundle = try findBundle(in: archive)
        let prefix = bundle + "/"
        var files: [String: ZipEntry] = [:]
        for entry in archive.entries where entry.name.hasPrefix(prefix) && !entry.isDirectory {
            files[String(entry.name.dropFirst(prefix.count))] = entry
        }
        var problems: [String] = []

        var info: AppInfo?
        var infoBytes: [UInt8]?
        if let entry = files["Info.plist"] {
            do {
                let bytes = try read(entry, from: archive)
                infoBytes = bytes
                info = try AppInfo(plist: bytes)
            } catch {
                problems.append("Info.plist: \(error)")
            }
        } else {
            problems.append("the bundle has no Info.plist")
        }
        if let info, info.bundleIdentifier == nil { problems.append("Info.plist has no CFBundleIdentifier") }

        var profile: ProvisioningProfile?
        if let entry = files["embedded.mobileprovision"] {
            do {
                profile = try ProvisioningProfile(bytes: try read(entry, from: archive))
            } catch {
                problems.append("embedded.mobileprovision: \(error)")
            }
        } else {
            problems.append("no embedded.mobileprovision: the app has no provisioning profile (App Store builds strip it; re-signing needs one)")
        }

        var mainExecutable: BinaryInspection?
        if let name = info?.executable {
            if let entry = files[name] {
                mainExecutable = inspectBinary(name, role: .main, entry: entry, archive: archive)
            } else {
                problems.append("the main executable '\(name)' named by CFBundleExecutable is not in the bundle")
            }
        } else if info != nil {
            problems.append("Info.plist has no CFBundleExecutable")
        }

        let nested = nestedCode(files: files, archive: archive)
        var nestedCDHashes: [String: [String]] = [:]
        for binary in nested {
            let root = binary.role == .dylib ? binary.path : String(binary.path[..<(binary.path.lastIndex(of: "/") ?? binary.path.endIndex)])
            nestedCDHashes[root] = binary.slices.flatMap { $0.codeSignature?.codeDirectories.map(\.cdHash) ?? [] }
        }

        var seal: SealCheck?
        var resourcesBytes: [UInt8]?
        if let entry = files["_CodeSignature/CodeResources"] {
            do {
                let bytes = try read(entry, from: archive)
                resourcesBytes = bytes
                let resources = try CodeResources(plist: bytes)
                let excluded: Set<String> = mainExecutable.map { [$0.path] } ?? []
                // Dylibs sealed as nested code are checked by CodeDirectory hash, others by file hash.
                let nestedByHash = nestedCDHashes.filter { resources.entries[$0.key]?.isNestedCode ?? ($0.key.hasSuffix(".dylib") == false) }
                seal = try resources.check(files: Array(files.keys), excluding: excluded, nestedCDHashes: nestedByHash) { path throws(ApplePackageError) in
                    try digest(files[path]!, from: archive)
                }
            } catch {
                problems.append("_CodeSignature/CodeResources: \(error)")
            }
        } else {
            problems.append("no _CodeSignature/CodeResources: the bundle's resources are not sealed")
        }

        let (infoBound, resourcesBound) = bindings(of: mainExecutable, infoPlist: infoBytes, codeResources: resourcesBytes)
        let frameworks = detectFrameworks(files: Array(files.keys), main: mainExecutable)
        problems += findProblems(info: info, profile: profile, main: mainExecutable, nested: nested, seal: seal,
                                 infoBound: infoBound, resourcesBound: resourcesBound, now: now)
        return IPAInspection(path: path, fileSize: archive.fileSize, entryCount: archive.entries.count, bundlePath: bundle,
                             bundleFileCount: files.count, info: info, profile: profile, mainExecutable: mainExecutable,
                             nestedCode: nested, seal: seal, infoPlistBound: infoBound, resourcesBound: resourcesBound,
                             frameworks: frameworks, problems: problems)
    }

    /// The one `Payload/*.app` of the archive.
    static func findBundle(in archive: ZipArchive) throws(ApplePackageError) -> String {
        var bundles = Set<String>()
        var nestedDeeper = Set<String>()
        for entry in archive.entries {
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count >= 2, parts[0] == "Payload", parts[1].hasSuffix(".app"), parts[1].count > 4,
               parts.count > 2 || entry.isDirectory {
                bundles.insert("Payload/\(parts[1])")
            } else if let payload = parts.firstIndex(of: "Payload"), payload > 0, payload + 1 < parts.count,
                      parts[payload + 1].hasSuffix(".app"), !entry.name.hasPrefix("__MACOSX/") {
                nestedDeeper.insert(parts[...(payload + 1)].joined(separator: "/"))
            }
        }
        if bundles.count == 1 { return bundles.first! }
        if bundles.count > 1 {
            throw .appBundle(reason: "several app bundles in Payload/ (\(bundles.sorted().joined(separator: ", "))); an .ipa holds exactly one")
        }
        if let deeper = nestedDeeper.sorted().first {
            throw .appBundle(reason: "no Payload/*.app at the top of the archive: found \(deeper) one folder down; zip Payload/ at the top level")
        }
        let top = Set(archive.entries.map { String($0.name.split(separator: "/").first ?? "") }).sorted()
        throw .appBundle(reason: "no Payload/*.app bundle in the archive (top level: \(top.isEmpty ? "empty" : top.joined(separator: ", ")))")
    }

    static func read(_ entry: ZipEntry, from archive: ZipArchive) throws(ApplePackageError) -> [UInt8] {
        do {
            return try archive.readData(entry)
        } catch {
            throw .archive(reason: String(describing: error))
        }
    }

    static func digest(_ entry: ZipEntry, from archive: ZipArchive) throws(ApplePackageError) -> (sha1: [UInt8], sha256: [UInt8], content: [UInt8]?) {
        let sha1 = HashAlgorithm.Hasher(.sha1)
        let sha256 = HashAlgorithm.Hasher(.sha256)
        var small: [UInt8] = []
        let keepContent = entry.uncompressedSize <= 1024
        do {
            try archive.stream(entry) { chunk in
                sha1.update(chunk)
                sha256.update(chunk)
                if keepContent { small.append(contentsOf: chunk) }
            }
        } catch {
            throw .inFile(path: entry.name, error: .archive(reason: String(describing: error)))
        }
        return (sha1.finish(), sha256.finish(), keepContent ? small : nil)
    }

    static func inspectBinary(_ path: String, role: BinaryInspection.Role, entry: ZipEntry, archive: ZipArchive) -> BinaryInspection {
        func failed(_ message: String) -> BinaryInspection {
            BinaryInspection(path: path, role: role, size: entry.uncompressedSize, isFat: false, slices: [], error: message)
        }
        guard entry.uncompressedSize <= maximumBinarySize else {
            return failed("\(entry.uncompressedSize) bytes is larger than the \(maximumBinarySize >> 20) MiB appseal reads for a Mach-O")
        }
        guard entry.uncompressedSize > 0 else { return failed("empty file (0 bytes), not a Mach-O") }
        do {
            let file = try MachOFile(bytes: try read(entry, from: archive))
            return BinaryInspection(path: path, role: role, size: entry.uncompressedSize, isFat: file.isFat, slices: file.slices, error: nil)
        } catch {
            return failed(error.description)
        }
    }

    /// Frameworks/*.framework, Frameworks/*.dylib, PlugIns/*.appex and Watch/*.app, each with its executable.
    static func nestedCode(files: [String: ZipEntry], archive: ZipArchive) -> [BinaryInspection] {
        var roots = Set<String>()
        var dylibs: [String] = []
        for path in files.keys {
            let parts = path.split(separator: "/")
            guard parts.count >= 2, ["Frameworks", "PlugIns", "Extensions", "Watch", "AppClips"].contains(parts[0]) else { continue }
            let name = parts[1]
            if parts.count == 2, parts[0] == "Frameworks", name.hasSuffix(".dylib") {
                dylibs.append(path)
            } else if parts.count > 2, [".framework", ".appex", ".app", ".xpc"].contains(where: { name.hasSuffix($0) }) {
                roots.insert("\(parts[0])/\(name)")
            }
        }
        var result: [BinaryInspection] = []
        for root in roots.sorted() {
            let name = String(root.split(separator: "/").last!)
            let role: BinaryInspection.Role = name.hasSuffix(".framework") ? .framework : name.hasSuffix(".app") ? .nestedApp : .appExtension
            var executable = String(name[..<name.lastIndex(of: ".")!])
            if let plistEntry = files["\(root)/Info.plist"], let plist = try? AppInfo(plist: try read(plistEntry, from: archive)),
               let named = plist.executable {
                executable = named
            }
            let path = "\(root)/\(executable)"
            if let entry = files[path] {
                result.append(inspectBinary(path, role: role, entry: entry, archive: archive))
            } else {
                result.append(BinaryInspection(path: path, role: role, size: 0, isFat: false, slices: [],
                                               error: "the bundle's executable is missing"))
            }
        }
        for path in dylibs.sorted() {
            result.append(inspectBinary(path, role: .dylib, entry: files[path]!, archive: archive))
        }
        return result
    }

    /// Whether the main executable's CodeDirectories hash Info.plist (slot 1) and CodeResources (slot 3) as they are.
    static func bindings(of main: BinaryInspection?, infoPlist: [UInt8]?, codeResources: [UInt8]?) -> (Bool?, Bool?) {
        let directories = main?.slices.compactMap { $0.codeSignature?.primaryCodeDirectory } ?? []
        guard !directories.isEmpty else { return (nil, nil) }
        func bound(_ slot: Int, _ bytes: [UInt8]?) -> Bool? {
            guard let bytes else { return nil }
            let relevant = directories.filter { $0.specialSlotHash(slot).map { $0.contains { $0 != 0 } } ?? false }
            guard !relevant.isEmpty else { return nil }
            return relevant.allSatisfy { $0.specialSlotHash(slot) == $0.hashAlgorithm.digest(bytes) }
        }
        return (bound(1, infoPlist), bound(3, codeResources))
    }

    static func detectFrameworks(files: [String], main: BinaryInspection?) -> [DetectedFramework] {
        var found: [DetectedFramework] = []
        func add(_ name: String, _ evidence: [String]) {
            if !evidence.isEmpty { found.append(DetectedFramework(name: name, evidence: Array(evidence.sorted().prefix(5)))) }
        }
        let directories = Set(files.flatMap { path -> [String] in
            let parts = path.split(separator: "/")
            return (1..<max(parts.count, 1)).map { parts[0..<$0].joined(separator: "/") }
        })
        add("Flutter", directories.filter { $0 == "Frameworks/Flutter.framework" || $0 == "Frameworks/App.framework/flutter_assets" }.map { $0 + "/" })
        add("React Native", files.filter { $0.hasSuffix(".jsbundle") || $0.hasPrefix("assets/node_modules/react-native") })
        add("Unity", directories.filter { $0 == "Frameworks/UnityFramework.framework" || $0 == "Data/Managed" }.map { $0 + "/" })
        add("Xamarin / .NET MAUI", files.filter { path in
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return name.hasPrefix("Xamarin.") || name.hasPrefix("Microsoft.Maui") || name.hasPrefix("Microsoft.iOS")
                || name.hasPrefix("libmonosgen") || name.hasPrefix("libmono") || (name.hasSuffix(".dll") && !path.contains("/"))
        })
        add("Cordova / Capacitor", files.filter { $0 == "capacitor.config.json" || $0 == "www/cordova.js" || $0 == "config.xml" || $0 == "www/index.html" }
            + (directories.contains("www") && !files.contains("www/index.html") ? ["www/"] : []))
        var swift = files.filter { $0.hasPrefix("Frameworks/libswift") && $0.hasSuffix(".dylib") }
        var objc: [String] = []
        if let main {
            let slices = main.slices
            if slices.contains(where: { $0.linkedDylibs.contains { $0.path.contains("libswiftCore.dylib") } }) {
                swift.append("\(main.path) links libswiftCore.dylib")
            }
            if let section = slices.lazy.flatMap({ $0.segments.flatMap(\.sections) }).first(where: { $0.hasPrefix("__swift5_") }) {
                swift.append("\(main.path) has section \(section)")
            }
            if let section = slices.lazy.flatMap({ $0.segments.flatMap(\.sections) }).first(where: { $0 == "__objc_classlist" || $0 == "__objc_imageinfo" }) {
                objc.append("\(main.path) has section \(section)")
            }
            if slices.contains(where: { $0.linkedDylibs.contains { $0.path == "/usr/lib/libobjc.A.dylib" } }) {
                objc.append("\(main.path) links libobjc.A.dylib")
            }
        }
        add("Swift", swift)
        add("Objective-C", objc)
        return found
    }

    static func findProblems(info: AppInfo?, profile: ProvisioningProfile?, main: BinaryInspection?, nested: [BinaryInspection],
                             seal: SealCheck?, infoBound: Bool?, resourcesBound: Bool?, now: Date) -> [String] {
        var problems: [String] = []
        let formatter = ISO8601DateFormatter()
        if let profile {
            if profile.isExpired(at: now), let expiry = profile.expirationDate {
                problems.append("the provisioning profile '\(profile.name ?? "?")' expired on \(formatter.string(from: expiry))")
            }
            if let bundleID = info?.bundleIdentifier, !profile.covers(bundleIdentifier: bundleID) {
                problems.append("the profile's application-identifier \(profile.applicationIdentifier ?? "(none)") does not cover bundle id \(bundleID)")
            }
            if !profile.signature.verified {
                problems.append("the provisioning profile's CMS signature does not verify: \(profile.signature.reason ?? "unknown reason")")
            }
            if profile.contentDigestMatches == false {
                problems.append("the provisioning profile's CMS messageDigest does not match its content: the profile was altered")
            }
        }
        for binary in [main].compactMap({ $0 }) + nested {
            if let error = binary.error {
                problems.append("\(binary.path): \(error)")
                continue
            }
            if binary.isEncrypted {
                let slices = binary.slices.filter(\.isEncrypted).map(\.cpu.name).joined(separator: ", ")
                problems.append("\(binary.path) is FairPlay-encrypted (cryptid 1 in \(slices)): an App Store-encrypted binary cannot be secured; use the decrypted build from Xcode")
            }
            if !binary.isSigned {
                problems.append("\(binary.path) is not code-signed")
            }
            for slice in binary.slices {
                problems += slice.warnings.map { "\(binary.path) (\(slice.cpu.name)): \($0)" }
                guard let signature = slice.codeSignature else { continue }
                for directory in signature.codeDirectories {
                    if let pages = directory.mismatchedPages, !pages.isEmpty {
                        problems.append("\(binary.path) (\(slice.cpu.name)): \(pages.count) code page(s) differ from the \(directory.hashAlgorithm.rawValue) CodeDirectory: the binary was modified after signing")
                    }
                    if !directory.mismatchedSpecialSlots.isEmpty {
                        problems.append("\(binary.path) (\(slice.cpu.name)): signed \(directory.mismatchedSpecialSlots.joined(separator: ", ")) differ from the blobs in the signature")
                    }
                }
                if let verification = signature.cmsVerification, !verification.verified {
                    problems.append("\(binary.path) (\(slice.cpu.name)): the CMS signature does not verify over the CodeDirectory: \(verification.reason ?? "unknown reason")")
                }
                if signature.derEntitlementsMatchXML == false {
                    problems.append("\(binary.path) (\(slice.cpu.name)): the DER entitlements differ from the XML entitlements")
                }
            }
            if binary.role == .main, binary.isSigned, binary.slices.allSatisfy({ $0.codeSignature?.cms == nil }) {
                problems.append("\(binary.path) is signed ad hoc (no CMS signature): it installs only on jailbroken or development devices")
            }
        }
        if let main, let profile {
            let teams = Set(main.slices.compactMap { $0.codeSignature?.primaryCodeDirectory.teamID })
            if let team = teams.first, !profile.teamIdentifiers.isEmpty, !profile.teamIdentifiers.contains(team) {
                problems.append("the executable is signed by team \(team) but the profile is for team \(profile.teamIdentifiers.joined(separator: ", "))")
            }
            let entitlements = main.slices.compactMap { $0.codeSignature?.entitlements }.first ?? [:]
            let ungranted = entitlements.keys.filter { profile.entitlements[$0] == nil }.sorted()
            if !ungranted.isEmpty {
                problems.append("the executable claims entitlements the profile does not grant: \(ungranted.joined(separator: ", ")); iOS refuses to launch it")
            }
            if entitlements["get-task-allow"]?.boolean == true, profile.entitlements["get-task-allow"]?.boolean != true {
                problems.append("the executable is signed with get-task-allow (debuggable) but the profile does not allow it")
            }
            let signerSubjects = main.slices.compactMap { $0.codeSignature?.cms }.flatMap { cms in
                cms.signers.compactMap { signer in cms.certificates.first { $0.subject == signer.subject } }
            }
            if let signer = signerSubjects.first, !profile.developerCertificates.isEmpty,
               !profile.developerCertificates.contains(where: { $0.sha256 == signer.sha256 }) {
                problems.append("the signing certificate '\(signer.subject)' is not one of the profile's developer certificates")
            }
        }
        if let seal {
            if !seal.modified.isEmpty { problems.append("\(seal.modified.count) file(s) differ from the CodeResources seal: \(list(seal.modified))") }
            if !seal.missing.isEmpty { problems.append("\(seal.missing.count) sealed file(s) are missing from the bundle: \(list(seal.missing))") }
            if !seal.unsealed.isEmpty { problems.append("\(seal.unsealed.count) file(s) are not in the CodeResources seal: \(list(seal.unsealed))") }
        }
        if infoBound == false { problems.append("Info.plist differs from the hash in the executable's CodeDirectory: it was edited after signing") }
        if resourcesBound == false { problems.append("CodeResources differs from the hash in the executable's CodeDirectory: it was replaced after signing") }
        if let ats = info?.transportSecurity {
            if ats.allowsArbitraryLoads { problems.append("App Transport Security allows cleartext and weak TLS everywhere (NSAllowsArbitraryLoads)") }
            let insecure = ats.exceptionDomains.filter(\.allowsInsecureHTTPLoads).map(\.domain)
            if !insecure.isEmpty { problems.append("App Transport Security allows cleartext HTTP to \(insecure.joined(separator: ", "))") }
        }
        return problems
    }

    private static func list(_ paths: [String]) -> String {
        paths.count <= 5 ? paths.joined(separator: ", ") : paths.prefix(5).joined(separator: ", ") + ", ... (\(paths.count - 5) more)"
    }
}

import ArchiveKit
import Foundation

/// The SDK levels signing and verifying depend on, read from AndroidManifest.xml's <uses-sdk>
/// the way apksigner reads them: a missing minSdkVersion means 1; a codename (a preview
/// platform such as "VanillaIceCream") counts as the newest level, so every scheme applies.
enum ApkManifestLevels {
    static let manifestName = "AndroidManifest.xml"
    /// What a codename counts as: newer than any released level.
    static let codenameLevel = 10_000
    static let maximumManifestSize = 16 * 1024 * 1024

    struct Levels: Sendable {
        let minSdk: Int
        let targetSdk: Int?
    }

    static func levels(of archive: ZipArchive) throws -> Levels {
        guard let entry = archive.entry(named: manifestName) else {
            throw ApkSigningError.entry(name: manifestName, reason: "missing, so minSdkVersion is unknown; pass the app's minSdk explicitly")
        }
        guard entry.uncompressedSize <= UInt64(maximumManifestSize) else {
            throw ApkSigningError.entry(name: manifestName, reason: "\(entry.uncompressedSize) bytes is too large for a manifest")
        }
        return try levels(ofManifest: try ApkArchive.readData(entry, in: archive))
    }

    /// The levels of a binary AndroidManifest.xml given as bytes (a build's patched manifest).
    static func levels(ofManifest bytes: [UInt8]) throws -> Levels {
        let document: BinaryXMLDocument
        do {
            document = try BinaryXMLDocument(bytes: bytes)
        } catch {
            throw ApkSigningError.entry(name: manifestName, reason: "cannot read minSdkVersion: \(error)")
        }
        guard document.root?.name == "manifest" else {
            throw ApkSigningError.entry(name: manifestName, reason: "the root element is not <manifest>")
        }
        let info = AndroidManifestInfo(document: document)
        let minSdk = info.minSDK ?? (info.minSDKCodename == nil ? 1 : codenameLevel)
        let targetSdk = info.targetSDK ?? (info.targetSDKCodename == nil ? nil : codenameLevel)
        return Levels(minSdk: minSdk, targetSdk: targetSdk)
    }

    /// minSdk for signing; app bundles keep their manifest in protobuf and are signed v1 with
    /// SHA-256 as jarsigner does, so their level is only a floor for the digest choice.
    static func minSdk(of archive: ZipArchive, format: PackageFormat) throws -> Int {
        switch format {
        case .apk: return try levels(of: archive).minSdk
        case .aab: return bundleDigestFloor
        }
    }

    /// jarsigner signs with SHA-256, which Android accepts from API 18.
    static let bundleDigestFloor = 18
}

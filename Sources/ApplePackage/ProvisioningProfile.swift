import Foundation

/// An `embedded.mobileprovision`: a CMS SignedData whose content is a property list.
public struct ProvisioningProfile: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case development, adHoc = "ad-hoc", appStore = "app-store", enterprise
    }

    public let name: String?
    public let uuid: String?
    public let appIDName: String?
    public let teamIdentifiers: [String]
    public let teamName: String?
    /// `application-identifier` from the profile's entitlements: `TEAMID.bundle.id` or a wildcard `TEAMID.*`.
    public let applicationIdentifier: String?
    public let kind: Kind
    public let creationDate: Date?
    public let expirationDate: Date?
    public let deviceCount: Int
    public let provisionsAllDevices: Bool
    public let entitlements: [String: PropertyListValue]
    public let developerCertificates: [CertificateSummary]
    public let platforms: [String]
    /// The CMS envelope: certificates that signed the profile and the signer.
    public let envelope: CMSEnvelope
    /// Whether the signer's messageDigest attribute equals the hash of the embedded plist.
    public let contentDigestMatches: Bool?
    /// The envelope's signature checked over the embedded plist.
    public let signature: SignatureVerification

    public init(bytes: [UInt8]) throws(ApplePackageError) {
        guard bytes.first == 0x30 else {
            let bare = bytes.starts(with: Array("<?xml".utf8)) || bytes.starts(with: Array("<plist".utf8))
            throw .malformed(structure: "provisioning profile CMS envelope", offset: 0,
                             expected: "a DER CMS SignedData starting with 0x30" + (bare ? ", found a bare XML plist (an unsigned profile)" : ""))
        }
        let envelope = try CMSEnvelope(der: bytes, structure: "provisioning profile CMS envelope")
        guard envelope.encapsulatedContentType == "1.2.840.113549.1.7.1", !envelope.content.isEmpty else {
            throw .malformed(structure: "provisioning profile CMS envelope", offset: 0,
                             expected: "embedded data content (the profile plist), got \(envelope.content.isEmpty ? "no content" : envelope.encapsulatedContentType)")
        }
        self.envelope = envelope
        signature = SignatureVerification.check(der: bytes, detachedContent: nil as [UInt8]?)
        let plist = try PropertyList.readDictionary(envelope.content)
        name = plist["Name"]?.string
        uuid = plist["UUID"]?.string
        appIDName = plist["AppIDName"]?.string
        teamIdentifiers = plist["TeamIdentifier"]?.strings ?? []
        teamName = plist["TeamName"]?.string
        entitlements = plist["Entitlements"]?.dictionary ?? [:]
        applicationIdentifier = entitlements["application-identifier"]?.string ?? entitlements["com.apple.application-identifier"]?.string
        creationDate = plist["CreationDate"]?.date
        expirationDate = plist["ExpirationDate"]?.date
        let devices = plist["ProvisionedDevices"]?.array
        deviceCount = devices?.count ?? 0
        provisionsAllDevices = plist["ProvisionsAllDevices"]?.boolean ?? false
        platforms = plist["Platform"]?.strings ?? []
        if provisionsAllDevices {
            kind = .enterprise
        } else if devices != nil {
            kind = entitlements["get-task-allow"]?.boolean == true ? .development : .adHoc
        } else {
            kind = .appStore
        }
        var certificates: [CertificateSummary] = []
        for (index, value) in (plist["DeveloperCertificates"]?.array ?? []).enumerated() {
            guard let der = value.data else {
                throw .malformed(structure: "provisioning profile", offset: 0, expected: "DeveloperCertificates[\(index)] to be DER data")
            }
            do {
                certificates.append(try CertificateSummary(der: der))
            } catch {
                throw .malformed(structure: "provisioning profile", offset: 0, expected: "DeveloperCertificates[\(index)] to be a certificate (\(error))")
            }
        }
        developerCertificates = certificates
        contentDigestMatches = envelope.signers.first.flatMap { signer -> Bool? in
            guard let digest = signer.messageDigest, let algorithm = HashAlgorithm(rawValue: signer.digestAlgorithm) else { return nil }
            return algorithm.digest(envelope.content).hexString == digest
        }
    }

    public func isExpired(at date: Date) -> Bool {
        expirationDate.map { $0 < date } ?? false
    }

    /// Whether `application-identifier` (exact or `TEAM.prefix.*` wildcard) covers this bundle id.
    public func covers(bundleIdentifier: String) -> Bool {
        guard let identifier = applicationIdentifier, let dot = identifier.firstIndex(of: ".") else { return false }
        let pattern = identifier[identifier.index(after: dot)...]
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return bundleIdentifier.hasPrefix(pattern.dropLast()) }
        return pattern == bundleIdentifier
    }
}

import CryptoCore
import Foundation

extension RevocationReason {
    /// The reasons `ca revoke --reason` offers: RFC 5280's names, also accepted in kebab case
    /// (`key-compromise`). removeFromCRL belongs to delta CRLs, which appseal does not publish.
    public static let assertable: [RevocationReason] = allCases.filter { $0 != .removeFromCRL }

    public init?(userText: String) {
        guard let reason = RevocationReason(name: userText.replacingOccurrences(of: "-", with: "")),
              RevocationReason.assertable.contains(reason) else { return nil }
        self = reason
    }
}

/// One certificate the workspace CA issued, as kept in `ca/issued.json`.
public struct IssuedCertificateRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case valid
        case revoked
    }

    /// Uppercase hex, no separators, as `openssl x509 -serial` and `openssl crl -text` print it.
    public let serial: String
    public let appID: String
    public let platform: AppPlatform
    public let buildID: String?
    public let subject: String
    public let sanURI: String
    public let sha256Fingerprint: String
    public let keyType: String
    public let issued: Date
    public let notBefore: Date
    public let notAfter: Date
    public internal(set) var status: Status
    public internal(set) var revoked: Date?
    public internal(set) var revocationReason: RevocationReason?

    /// What `ca show` prints: revoked wins over expired.
    public func state(at date: Date = Date()) -> String {
        if status == .revoked { return "revoked" }
        return date > notAfter ? "expired" : "valid"
    }
}

/// `ca/issued.json`: every issued certificate plus the number of the last CRL, so CRL numbers
/// only ever grow. Read and written under the workspace lock "ca".
struct IssuedRegistry: Codable, Sendable {
    static let schema = 1

    var schema: Int
    var crlNumber: Int
    var certificates: [IssuedCertificateRecord]

    static let empty = IssuedRegistry(schema: schema, crlNumber: 0, certificates: [])

    static func load(from url: URL) throws(WorkspaceError) -> IssuedRegistry {
        guard let registry = try WorkspaceJSON.readIfPresent(IssuedRegistry.self, from: url) else {
            return .empty
        }
        guard registry.schema <= schema else {
            throw .newerSchema(path: url.path, found: registry.schema, supported: schema)
        }
        return registry
    }

    func save(to url: URL) throws(WorkspaceError) {
        try WorkspaceJSON.write(self, to: url)
    }

    /// Serials compare as numbers: case, colons, a 0x prefix and leading zeros do not matter.
    func index(ofSerial serial: String) -> Int? {
        guard let wanted = SerialNumber(hex: serial) else { return nil }
        return certificates.firstIndex { SerialNumber(hex: $0.serial) == wanted }
    }
}

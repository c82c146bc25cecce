import Foundation

/// The platform a client certificate is issued for; part of its identity URI.
public enum AppPlatform: String, CaseIterable, Codable, Sendable {
    case android
    case ios
}

/// Who a client certificate speaks for: one app on one platform. The workspace CA writes the
/// same identity into the subjectAltName URI and the subject DN, so a server that can only see
/// the subject (nginx, HAProxy) and one that checks the SAN (Envoy) enforce the same thing.
public struct ClientIdentity: Hashable, Codable, Sendable {
    public let appID: String
    public let platform: AppPlatform

    /// Android package names and iOS bundle IDs fit this; excluding everything else means the
    /// identity never needs escaping in a DN, a URI, a regex or a server config string.
    public static let allowedAppID = "1 to 200 characters of letters, digits, '.', '_' or '-'"

    public init(appID: String, platform: AppPlatform) throws(AuthorityError) {
        guard Self.isValidAppID(appID) else {
            throw .invalidAppID(appID, allowed: Self.allowedAppID)
        }
        self.appID = appID
        self.platform = platform
    }

    public static func isValidAppID(_ appID: String) -> Bool {
        (1...200).contains(appID.utf8.count) && appID.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }

    /// `urn:appseal:app:<platform>:<app-id>`, the subjectAltName URI.
    public var uri: String { "urn:appseal:app:\(platform.rawValue):\(appID)" }

    /// Subject attributes in certificate (DER) order: O, OU, CN.
    public var subjectComponents: [(attribute: String, value: String)] {
        [("O", Self.organization), ("OU", platform.rawValue), ("CN", appID)]
    }

    /// The subject as RFC 2253 prints it (most specific first), which is what nginx's
    /// `$ssl_client_s_dn` and HAProxy's `ssl_c_s_dn(,0,rfc2253)` return.
    public var subjectRFC2253: String { "CN=\(appID),OU=\(platform.rawValue),O=\(Self.organization)" }

    /// The organization of every client certificate the workspace CA issues.
    public static let organization = "appseal client"
}

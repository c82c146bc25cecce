import Foundation

/// What an app's Info.plist says about it.
public struct AppInfo: Codable, Sendable, Equatable {
    public let bundleIdentifier: String?
    public let displayName: String?
    public let bundleName: String?
    public let shortVersion: String?
    public let buildVersion: String?
    public let minimumOSVersion: String?
    public let deviceFamilies: [String]
    public let executable: String?
    public let urlSchemes: [String]
    public let transportSecurity: TransportSecurity?
    /// The Info.plist was stored as a binary property list (what Xcode ships) rather than XML.
    public let isBinaryPropertyList: Bool

    public init(plist bytes: [UInt8]) throws(ApplePackageError) {
        let plist = try PropertyList.readDictionary(bytes)
        isBinaryPropertyList = bytes.starts(with: Array("bplist".utf8))
        bundleIdentifier = plist["CFBundleIdentifier"]?.string
        bundleName = plist["CFBundleName"]?.string
        displayName = plist["CFBundleDisplayName"]?.string ?? bundleName
        shortVersion = plist["CFBundleShortVersionString"]?.string
        buildVersion = plist["CFBundleVersion"]?.string
        minimumOSVersion = plist["MinimumOSVersion"]?.string ?? plist["LSMinimumSystemVersion"]?.string
        let families = plist["UIDeviceFamily"]?.array ?? []
        deviceFamilies = families.compactMap { value -> String? in
            // Old Info.plists store the family numbers as strings.
            guard let number = value.integer ?? value.string.flatMap({ Int64($0) }) else { return nil }
            return AppInfo.familyName(number)
        }
        executable = plist["CFBundleExecutable"]?.string
        urlSchemes = (plist["CFBundleURLTypes"]?.array ?? []).flatMap { $0["CFBundleURLSchemes"]?.strings ?? [] }
        transportSecurity = plist["NSAppTransportSecurity"]?.dictionary.map(TransportSecurity.init)
    }

    static func familyName(_ number: Int64) -> String {
        switch number {
        case 1: return "iPhone"
        case 2: return "iPad"
        case 3: return "Apple TV"
        case 4: return "Apple Watch"
        case 6: return "Mac (Catalyst)"
        case 7: return "Apple Vision"
        default: return "family \(number)"
        }
    }
}

/// App Transport Security (`NSAppTransportSecurity`): where the app lets cleartext or weak TLS through.
public struct TransportSecurity: Codable, Sendable, Equatable {
    public let allowsArbitraryLoads: Bool
    public let allowsArbitraryLoadsInWebContent: Bool
    public let allowsArbitraryLoadsForMedia: Bool
    public let allowsLocalNetworking: Bool
    public let exceptionDomains: [DomainException]

    public struct DomainException: Codable, Sendable, Equatable {
        public let domain: String
        public let includesSubdomains: Bool
        public let allowsInsecureHTTPLoads: Bool
        public let minimumTLSVersion: String?
        public let requiresForwardSecrecy: Bool
        public let requiresCertificateTransparency: Bool
    }

    init(_ settings: [String: PropertyListValue]) {
        func flag(_ key: String) -> Bool { settings[key]?.boolean ?? false }
        allowsArbitraryLoads = flag("NSAllowsArbitraryLoads")
        allowsArbitraryLoadsInWebContent = flag("NSAllowsArbitraryLoadsInWebContent")
        allowsArbitraryLoadsForMedia = flag("NSAllowsArbitraryLoadsForMedia")
        allowsLocalNetworking = flag("NSAllowsLocalNetworking")
        let domains = settings["NSExceptionDomains"]?.dictionary ?? [:]
        exceptionDomains = domains.keys.sorted().map { domain in
            let entry = domains[domain]?.dictionary ?? [:]
            // First-party and third-party keys mean the same for our purpose; either relaxes the domain.
            func either(_ key: String) -> PropertyListValue? {
                entry["NSException" + key] ?? entry["NSThirdPartyException" + key]
            }
            return DomainException(domain: domain,
                                   includesSubdomains: entry["NSIncludesSubdomains"]?.boolean ?? false,
                                   allowsInsecureHTTPLoads: either("AllowsInsecureHTTPLoads")?.boolean ?? false,
                                   minimumTLSVersion: either("MinimumTLSVersion")?.string,
                                   requiresForwardSecrecy: either("RequiresForwardSecrecy")?.boolean ?? true,
                                   requiresCertificateTransparency: entry["NSRequiresCertificateTransparency"]?.boolean ?? false)
        }
    }
}

import Foundation

/// Which apps a Fusion Set is meant for.
public enum FusionSetPlatform: String, Codable, Sendable, CaseIterable {
    case android
    case ios
    case any

    public func covers(_ platform: AppPlatform) -> Bool {
        self == .any || rawValue == platform.rawValue
    }

    /// The app platforms whose availability rules apply to a set of this platform.
    public var appPlatforms: [AppPlatform] {
        switch self {
        case .android: return [.android]
        case .ios: return [.ios]
        case .any: return AppPlatform.allCases
        }
    }
}

/// A named, reusable security template: the features to apply and their options.
/// Only the options the user gave are stored; defaults come from the catalog when a build
/// resolves them, so a set never contradicts itself when options conflict.
public struct FusionSet: Codable, Sendable, Equatable {
    public static let schemaVersion = 1

    public var schema: Int
    public let id: String
    public var name: String
    public var platform: FusionSetPlatform
    public var annotations: [String]
    public var created: Date
    public var updated: Date
    public var features: [String: FeatureOptions]

    public init(id: String, name: String, platform: FusionSetPlatform, annotations: [String],
                created: Date, updated: Date, features: [String: FeatureOptions]) {
        self.schema = Self.schemaVersion
        self.id = id
        self.name = name
        self.platform = platform
        self.annotations = annotations
        self.created = created
        self.updated = updated
        self.features = features
    }

    /// Feature ids in catalog order, then any the catalog does not know (only possible in a
    /// hand-edited file, which validation rejects).
    public func orderedFeatureIDs(catalog: FeatureCatalog = .standard) -> [String] {
        let known = catalog.featureIDs.filter { features[$0] != nil }
        return known + features.keys.filter { !known.contains($0) }.sorted()
    }
}

/// 32 lowercase hex digits from the system's CSPRNG (the same form as DESIGN.md's example).
public enum FusionSetID {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

import Foundation

/// Whether the engine can apply a feature on one platform, and if not, why.
public enum Availability: Sendable, Equatable {
    case available
    case unavailable(reason: String)

    public var isAvailable: Bool { self == .available }
    public var reason: String? {
        if case let .unavailable(reason) = self { return reason }
        return nil
    }
}

/// The type of one option and what it accepts. Every kind says in words what is allowed,
/// so validation messages can quote it.
public enum OptionKind: Sendable, Equatable {
    /// One of a fixed set of words.
    case choice([String])
    /// An integer within a range.
    case integer(ClosedRange<Int>)
    /// Host names; a leading `*.` matches any subdomain.
    case hostList
    /// Host name → SPKI or certificate pins in the `sha256/<base64>` form.
    case pinMap
    /// Host name → certificate files whose pins are computed when the set is saved.
    case certificateFileMap
    /// A path to an existing readable file.
    case filePath

    public var allowedDescription: String {
        switch self {
        case let .choice(words): return words.joined(separator: ", ")
        case let .integer(range): return "an integer from \(range.lowerBound) to \(range.upperBound)"
        case .hostList: return "host names such as api.example.com or *.example.com, separated by |"
        case .pinMap: return "HOST=sha256/<base64 of 32 bytes>|sha256/... (one entry per host)"
        case .certificateFileMap: return "HOST=path/to/cert.pem|path/to/backup.pem (PEM or DER certificates)"
        case .filePath: return "a path to a readable file"
        }
    }
}

/// One typed option of a feature.
public struct OptionDescriptor: Sendable {
    public let key: String
    public let title: String
    public let help: String
    public let kind: OptionKind
    /// Filled in when the user leaves the option out; nil means the option is absent unless given.
    public let defaultValue: OptionValue?
    /// Options that make no sense together with this one (both given explicitly is an error).
    public let conflictsWith: [String]
    /// Options that must be given whenever this one is.
    public let requires: [String]

    public init(key: String, title: String, help: String, kind: OptionKind,
                defaultValue: OptionValue? = nil, conflictsWith: [String] = [], requires: [String] = []) {
        self.key = key
        self.title = title
        self.help = help
        self.kind = kind
        self.defaultValue = defaultValue
        self.conflictsWith = conflictsWith
        self.requires = requires
    }
}

/// A plain statement of what a feature does on a platform and who enforces it, shown in the
/// catalog, repeated by Validate and written into the build report.
public struct Enforcement: Sendable, Equatable {
    public let applied: String
    public let notEnforced: String?

    public init(applied: String, notEnforced: String? = nil) {
        self.applied = applied
        self.notEnforced = notEnforced
    }
}

/// One feature of the catalog.
public struct FeatureDescriptor: Sendable {
    public let id: String
    public let title: String
    public let summary: String
    public let description: String
    public let options: [OptionDescriptor]
    /// Feature ids of which at least one must be in the same Fusion Set.
    public let requiresAnyOf: [String]
    /// Why `requiresAnyOf` holds, quoted when a set breaks it.
    public let requirementReason: String?
    /// Feature ids that cannot be in the same Fusion Set.
    public let conflicts: [String]
    public let availability: [AppPlatform: Availability]
    public let enforcement: [AppPlatform: Enforcement]

    public init(id: String, title: String, summary: String, description: String, options: [OptionDescriptor],
                requiresAnyOf: [String], requirementReason: String? = nil, conflicts: [String],
                availability: [AppPlatform: Availability], enforcement: [AppPlatform: Enforcement]) {
        self.id = id
        self.title = title
        self.summary = summary
        self.description = description
        self.options = options
        self.requiresAnyOf = requiresAnyOf
        self.requirementReason = requirementReason
        self.conflicts = conflicts
        self.availability = availability
        self.enforcement = enforcement
    }

    public func option(_ key: String) -> OptionDescriptor? { options.first { $0.key == key } }

    public func availability(on platform: AppPlatform) -> Availability {
        availability[platform] ?? .unavailable(reason: "\(title) is not defined for \(platform.rawValue)")
    }
}

/// A node of the catalog tree: a group (Build, Security, Secure Communication) or a feature leaf.
public struct CatalogNode: Sendable {
    public let id: String
    public let title: String
    public let children: [CatalogNode]
    public let feature: FeatureDescriptor?

    public static func group(_ id: String, _ title: String, _ children: [CatalogNode]) -> CatalogNode {
        CatalogNode(id: id, title: title, children: children, feature: nil)
    }

    public static func leaf(_ feature: FeatureDescriptor) -> CatalogNode {
        CatalogNode(id: feature.id, title: feature.title, children: [], feature: feature)
    }

    /// Every feature below this node, depth first, in tree order.
    public var features: [FeatureDescriptor] {
        (feature.map { [$0] } ?? []) + children.flatMap(\.features)
    }
}

/// The feature catalog: the tree and lookups by id.
public struct FeatureCatalog: Sendable {
    public let root: CatalogNode
    public let features: [FeatureDescriptor]

    public init(root: CatalogNode) {
        self.root = root
        self.features = root.features
    }

    public func feature(_ id: String) -> FeatureDescriptor? { features.first { $0.id == id } }

    public var featureIDs: [String] { features.map(\.id) }
}

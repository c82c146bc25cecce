import Foundation

/// The catalog as plain data, for `fusion-set catalog --json`, the console's tree and docs.
public struct CatalogDescription: Sendable, Encodable {
    public struct Option: Sendable, Encodable {
        public let key: String
        public let title: String
        public let help: String
        public let allowed: String
        public let defaultValue: OptionValue?
        public let conflictsWith: [String]
        public let requires: [String]

        enum CodingKeys: String, CodingKey {
            case key, title, help, allowed, conflictsWith, requires
            case defaultValue = "default"
        }
    }

    public struct Feature: Sendable, Encodable {
        public let id: String
        public let path: [String]
        public let title: String
        public let summary: String
        public let description: String
        public let options: [Option]
        public let requiresAnyOf: [String]
        public let requirementReason: String?
        public let conflicts: [String]
        public let availability: [String: String]
        public let enforcement: [String: [String: String]]
    }

    public let features: [Feature]

    public init(_ catalog: FeatureCatalog) {
        var features: [Feature] = []
        func walk(_ node: CatalogNode, path: [String]) {
            if let feature = node.feature {
                features.append(Self.describe(feature, path: path))
            }
            for child in node.children { walk(child, path: node.feature == nil ? path + [node.title] : path) }
        }
        walk(catalog.root, path: [])
        self.features = features
    }

    static func describe(_ feature: FeatureDescriptor, path: [String]) -> Feature {
        var availability: [String: String] = [:]
        var enforcement: [String: [String: String]] = [:]
        for platform in AppPlatform.allCases {
            let state = feature.availability(on: platform)
            availability[platform.rawValue] = state.reason.map { "unavailable: \($0)" } ?? "available"
            if state.isAvailable, let note = feature.enforcement[platform] {
                var entry = ["applied": note.applied]
                if let missing = note.notEnforced { entry["notEnforced"] = missing }
                enforcement[platform.rawValue] = entry
            }
        }
        return Feature(
            id: feature.id, path: path, title: feature.title, summary: feature.summary,
            description: feature.description,
            options: feature.options.map {
                Option(key: $0.key, title: $0.title, help: $0.help, allowed: $0.kind.allowedDescription,
                       defaultValue: $0.defaultValue, conflictsWith: $0.conflictsWith, requires: $0.requires)
            },
            requiresAnyOf: feature.requiresAnyOf, requirementReason: feature.requirementReason, conflicts: feature.conflicts,
            availability: availability, enforcement: enforcement)
    }

    public var lines: [String] {
        var lines: [String] = []
        var lastPath: [String] = []
        for feature in features {
            if feature.path != lastPath {
                lines.append(feature.path.joined(separator: " › "))
                lastPath = feature.path
            }
            lines.append("  \(feature.title)  [\(feature.id)]")
            lines.append("    \(feature.summary)")
            for option in feature.options {
                var line = "    \(option.key): \(option.allowed)"
                if let value = option.defaultValue { line += " (default: \(value.displayText))" }
                lines.append(line)
            }
            if !feature.requiresAnyOf.isEmpty {
                lines.append("    needs one of: \(feature.requiresAnyOf.joined(separator: ", "))"
                             + (feature.requirementReason.map { " (\($0))" } ?? ""))
            }
            for platform in feature.availability.keys.sorted() {
                if let note = feature.enforcement[platform] {
                    lines.append("    \(platform): applied: \(note["applied"]!)")
                    if let missing = note["notEnforced"] { lines.append("    \(platform): not enforced: \(missing)") }
                } else {
                    lines.append("    \(platform): \(feature.availability[platform]!)")
                }
            }
        }
        return lines
    }
}

import Foundation

/// The Detail Summary of a Fusion Set (DESIGN.md): ID, name, platform, annotations, each
/// feature with its options, created/updated, and the builds that used it. The CLI prints
/// these lines and the console shows them; both read the same structure.
public struct FusionSetSummary: Sendable, Encodable {
    public struct Option: Sendable, Encodable {
        public let key: String
        public let value: OptionValue
        public let isDefault: Bool
    }

    public struct Feature: Sendable, Encodable {
        public let id: String
        public let title: String
        public let options: [Option]
        /// Per app platform the set covers: "available" or why not.
        public let availability: [String: String]
        /// What is applied and what is not enforced, per platform where available.
        public let enforcement: [String: [String: String]]
    }

    public struct BuildLine: Sendable, Encodable {
        public let id: String
        public let status: BuildRecord.Status
        public let started: Date
        public let appID: String?
        public let outputPath: String?
    }

    public let id: String
    public let name: String
    public let platform: FusionSetPlatform
    public let annotations: [String]
    public let created: Date
    public let updated: Date
    public let features: [Feature]
    public let builds: [BuildLine]

    public init(set: FusionSet, builds: [BuildRecord], validator: FusionSetValidator = FusionSetValidator()) {
        id = set.id
        name = set.name
        platform = set.platform
        annotations = set.annotations
        created = set.created
        updated = set.updated
        features = set.orderedFeatureIDs(catalog: validator.catalog).map { featureID in
            let descriptor = validator.catalog.feature(featureID)
            let stored = set.features[featureID] ?? [:]
            let effective = validator.effectiveOptions(feature: featureID, stored: stored)
            let order = descriptor?.options.map(\.key) ?? effective.keys.sorted()
            let options = order.compactMap { key in
                effective[key].map { Option(key: key, value: $0, isDefault: stored[key] == nil) }
            }
            var availability: [String: String] = [:]
            var enforcement: [String: [String: String]] = [:]
            for platform in set.platform.appPlatforms {
                let state = descriptor?.availability(on: platform) ?? .unavailable(reason: "unknown feature")
                availability[platform.rawValue] = state.reason.map { "unavailable: \($0)" } ?? "available"
                if state.isAvailable, let note = descriptor?.enforcement[platform] {
                    var entry = ["applied": note.applied]
                    if let missing = note.notEnforced { entry["notEnforced"] = missing }
                    enforcement[platform.rawValue] = entry
                }
            }
            return Feature(id: featureID, title: descriptor?.title ?? featureID, options: options,
                           availability: availability, enforcement: enforcement)
        }
        self.builds = builds.map {
            BuildLine(id: $0.id, status: $0.status, started: $0.started, appID: $0.appID, outputPath: $0.outputPath)
        }
    }

    /// The summary as text lines for a terminal.
    public var lines: [String] {
        var lines = [
            "Fusion Set \(id)",
            "  Name:        \(name)",
            "  Platform:    \(platform.rawValue)",
            "  Annotations: \(annotations.isEmpty ? "(none)" : annotations.joined(separator: "; "))",
            "  Created:     \(Self.timeText(created))",
            "  Updated:     \(Self.timeText(updated))",
            "  Features:    \(features.isEmpty ? "(none)" : String(features.count))",
        ]
        for feature in features {
            lines.append("    \(feature.title) (\(feature.id))")
            for option in feature.options {
                lines.append("      \(option.key) = \(option.value.displayText)\(option.isDefault ? "  (default)" : "")")
            }
            for platform in feature.availability.keys.sorted() {
                let state = feature.availability[platform]!
                if let note = feature.enforcement[platform] {
                    lines.append("      \(platform): applied: \(note["applied"]!)")
                    if let missing = note["notEnforced"] { lines.append("      \(platform): not enforced: \(missing)") }
                } else {
                    lines.append("      \(platform): \(state)")
                }
            }
        }
        lines.append("  Builds:      \(builds.isEmpty ? "(none yet)" : String(builds.count))")
        for build in builds {
            var line = "    \(build.id)  \(build.status.rawValue)  \(Self.timeText(build.started))"
            if let app = build.appID { line += "  \(app)" }
            if let output = build.outputPath { line += "  \(output)" }
            lines.append(line)
        }
        return lines
    }

    public static func timeText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

import Foundation

/// What is wrong with a Fusion Set or a request about one. Every case names the feature,
/// option, value or file involved, and says what would have been accepted.
public enum FusionSetError: Error, Sendable, Equatable {
    case unknownFeature(feature: String, known: [String])
    case unknownOption(feature: String, option: String, known: [String])
    case invalidOptionValue(feature: String, option: String, value: String, allowed: String)
    case conflictingOptions(feature: String, option: String, other: String)
    case missingOption(feature: String, option: String, requiredBy: String)
    case missingFeatureRequirement(feature: String, anyOf: [String], reason: String? = nil)
    case conflictingFeatures(feature: String, other: String)
    case invalidName(name: String, reason: String)
    case duplicateName(name: String, existingID: String)
    case invalidAnnotation(annotation: String, reason: String)
    case invalidFeatureSpec(spec: String, reason: String)
    case invalidID(text: String)
    case notFound(id: String)
    case ambiguousReference(text: String, matches: [String])
    case unsupportedSchema(file: String, found: Int, supported: Int)
    case unreadable(file: String, reason: String)
    case featureUnavailable(feature: String, platform: AppPlatform, reason: String)
    case pinComputationFailed(feature: String, file: String, reason: String)

    public var message: String {
        switch self {
        case let .unknownFeature(feature, known):
            return "unknown feature '\(feature)'; known features: \(known.joined(separator: ", "))"
        case let .unknownOption(feature, option, known):
            let allowed = known.isEmpty ? "it takes no options" : "its options are \(known.joined(separator: ", "))"
            return "feature '\(feature)' has no option '\(option)'; \(allowed)"
        case let .invalidOptionValue(feature, option, value, allowed):
            return "feature '\(feature)' option '\(option)': '\(value)' is not allowed; allowed: \(allowed)"
        case let .conflictingOptions(feature, option, other):
            return "feature '\(feature)': option '\(option)' cannot be combined with '\(other)'"
        case let .missingOption(feature, option, requiredBy):
            return "feature '\(feature)': option '\(requiredBy)' needs option '\(option)' as well"
        case let .missingFeatureRequirement(feature, anyOf, reason):
            return "feature '\(feature)' needs one of these features in the same set: \(anyOf.joined(separator: ", "))"
                + (reason.map { " (\($0))" } ?? "")
        case let .conflictingFeatures(feature, other):
            return "feature '\(feature)' cannot be combined with '\(other)'"
        case let .invalidName(name, reason):
            return "invalid Fusion Set name '\(name)': \(reason)"
        case let .duplicateName(name, existingID):
            return "a Fusion Set named '\(name)' already exists (\(existingID)); names are unique in a workspace"
        case let .invalidAnnotation(annotation, reason):
            return "invalid annotation '\(annotation)': \(reason)"
        case let .invalidFeatureSpec(spec, reason):
            return "invalid --feature '\(spec)': \(reason); the form is ID[:key=value,key=value|value,...]"
        case let .invalidID(text):
            return "'\(text)' is not a Fusion Set ID (32 hex digits)"
        case let .notFound(id):
            return "no Fusion Set '\(id)' in this workspace (see 'appseal fusion-set list')"
        case let .ambiguousReference(text, matches):
            return "'\(text)' matches several Fusion Sets: \(matches.joined(separator: ", ")); give more of the ID"
        case let .unsupportedSchema(file, found, supported):
            return "\(file): Fusion Set schema \(found) is not supported (this appseal reads schema \(supported))"
        case let .unreadable(file, reason):
            return "\(file): \(reason)"
        case let .featureUnavailable(feature, platform, reason):
            return "feature '\(feature)' is not available on \(platform.rawValue): \(reason)"
        case let .pinComputationFailed(feature, file, reason):
            return "feature '\(feature)': cannot compute a pin from \(file): \(reason)"
        }
    }
}

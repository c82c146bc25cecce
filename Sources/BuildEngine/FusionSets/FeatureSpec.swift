import Foundation

/// One `--feature ID[:key=value,...]` argument, split but not yet checked against the catalog.
/// A value may hold several items separated by `|`, and a key may repeat; for map options
/// (pins) the value itself is `HOST=item|item`.
public struct FeatureSpec: Sendable, Equatable {
    public let featureID: String
    /// Option key → every value given for it, in order.
    public let occurrences: [(key: String, values: [String])]

    public static func == (lhs: FeatureSpec, rhs: FeatureSpec) -> Bool {
        lhs.featureID == rhs.featureID && lhs.occurrences.map(\.key) == rhs.occurrences.map(\.key)
            && lhs.occurrences.map(\.values) == rhs.occurrences.map(\.values)
    }

    public static func parse(_ text: String) throws(FusionSetError) -> FeatureSpec {
        let featureID: Substring
        let rest: Substring?
        if let colon = text.firstIndex(of: ":") {
            featureID = text[..<colon]
            rest = text[text.index(after: colon)...]
        } else {
            featureID = Substring(text)
            rest = nil
        }
        guard !featureID.isEmpty else { throw .invalidFeatureSpec(spec: text, reason: "the feature ID is missing") }
        var occurrences: [(key: String, values: [String])] = []
        if let rest {
            guard !rest.isEmpty else { throw .invalidFeatureSpec(spec: text, reason: "nothing follows ':'") }
            for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
                guard let equals = part.firstIndex(of: "="), equals != part.startIndex else {
                    throw .invalidFeatureSpec(spec: text, reason: "'\(part)' is not key=value")
                }
                let key = String(part[..<equals])
                let value = String(part[part.index(after: equals)...])
                if let index = occurrences.firstIndex(where: { $0.key == key }) {
                    occurrences[index].values.append(value)
                } else {
                    occurrences.append((key, [value]))
                }
            }
        }
        return FeatureSpec(featureID: String(featureID), occurrences: occurrences)
    }

    /// The checked options this spec asks for.
    public func options(using validator: FusionSetValidator) throws(FusionSetError) -> FeatureOptions {
        _ = try validator.descriptor(featureID)
        var options: FeatureOptions = [:]
        for occurrence in occurrences {
            options[occurrence.key] = try validator.parseOption(feature: featureID, option: occurrence.key,
                                                                occurrences: occurrence.values)
        }
        return options
    }
}

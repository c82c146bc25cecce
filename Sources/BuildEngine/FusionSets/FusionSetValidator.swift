import Foundation

/// Checks Fusion Sets and their options against the catalog. Values are normalised on the
/// way (host names lower-cased, duplicates dropped) so what is stored is what a build uses.
public struct FusionSetValidator: Sendable {
    public let catalog: FeatureCatalog
    /// Computes pins from a certificate file for a pinning scheme; nil where CryptoCore is not wired in.
    public let pinComputer: (@Sendable (_ scheme: String, _ path: String) throws -> [String])?

    /// The validator the CLI and the console use: the standard catalog, pins computed by CryptoCore.
    public static let standard = FusionSetValidator(catalog: .standard, pinComputer: PinComputation.pins)

    public static let maximumNameLength = 120
    public static let maximumAnnotationLength = 200
    public static let minimumPinsPerHost = 2

    public init(catalog: FeatureCatalog = .standard,
                pinComputer: (@Sendable (_ scheme: String, _ path: String) throws -> [String])? = nil) {
        self.catalog = catalog
        self.pinComputer = pinComputer
    }

    // MARK: names and annotations

    public func validateName(_ raw: String) throws(FusionSetError) -> String {
        let name = raw.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .invalidName(name: raw, reason: "it is empty") }
        guard name.count <= Self.maximumNameLength else {
            throw .invalidName(name: raw, reason: "it is longer than \(Self.maximumNameLength) characters")
        }
        guard !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalidName(name: raw, reason: "it contains control characters")
        }
        return name
    }

    public func validateAnnotation(_ raw: String) throws(FusionSetError) -> String {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .invalidAnnotation(annotation: raw, reason: "it is empty") }
        guard text.count <= Self.maximumAnnotationLength else {
            throw .invalidAnnotation(annotation: raw, reason: "it is longer than \(Self.maximumAnnotationLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalidAnnotation(annotation: raw, reason: "it contains control characters")
        }
        return text
    }

    // MARK: features and options

    public func descriptor(_ featureID: String) throws(FusionSetError) -> FeatureDescriptor {
        guard let feature = catalog.feature(featureID) else {
            throw .unknownFeature(feature: featureID, known: catalog.featureIDs)
        }
        return feature
    }

    /// Turns the text a user typed for one option (CLI `key=value`, a console field) into a
    /// checked value. Several occurrences of a list or map option add up.
    public func parseOption(feature featureID: String, option key: String,
                            occurrences: [String]) throws(FusionSetError) -> OptionValue {
        let feature = try descriptor(featureID)
        guard let option = feature.option(key) else {
            throw .unknownOption(feature: featureID, option: key, known: feature.options.map(\.key))
        }
        func invalid(_ text: String) -> FusionSetError {
            .invalidOptionValue(feature: featureID, option: key, value: text, allowed: option.kind.allowedDescription)
        }
        let value: OptionValue
        switch option.kind {
        case .choice, .integer, .filePath:
            guard occurrences.count == 1, let text = occurrences.first else {
                throw invalid(occurrences.joined(separator: ","))
            }
            if case .integer = option.kind {
                guard let number = Int(text) else { throw invalid(text) }
                value = .integer(number)
            } else {
                value = .string(text)
            }
        case .hostList:
            value = .list(occurrences.flatMap { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) })
        case .pinMap, .certificateFileMap:
            var entries: [String: [String]] = [:]
            for text in occurrences {
                guard let equals = text.firstIndex(of: "=") else { throw invalid(text) }
                let host = String(text[..<equals])
                let items = text[text.index(after: equals)...].split(separator: "|", omittingEmptySubsequences: false)
                entries[host, default: []] += items.map(String.init)
            }
            value = .map(entries)
        }
        return try validateValue(feature: featureID, option: key, value: value)
    }

    /// Checks one typed value against its option, returning the normalised value.
    public func validateValue(feature featureID: String, option key: String,
                              value: OptionValue) throws(FusionSetError) -> OptionValue {
        let feature = try descriptor(featureID)
        guard let option = feature.option(key) else {
            throw .unknownOption(feature: featureID, option: key, known: feature.options.map(\.key))
        }
        func invalid(_ text: String) -> FusionSetError {
            .invalidOptionValue(feature: featureID, option: key, value: text, allowed: option.kind.allowedDescription)
        }
        switch option.kind {
        case let .choice(words):
            guard let text = value.stringValue, words.contains(text) else { throw invalid(value.displayText) }
            return value
        case let .integer(range):
            guard let number = value.integerValue, range.contains(number) else { throw invalid(value.displayText) }
            return value
        case .filePath:
            guard let path = value.stringValue, !path.isEmpty else { throw invalid(value.displayText) }
            return value
        case .hostList:
            guard let hosts = value.listValue else { throw invalid(value.displayText) }
            return .list(try normalizedHosts(hosts, invalid: invalid))
        case .pinMap:
            guard let entries = value.mapValue else { throw invalid(value.displayText) }
            var normalized: [String: [String]] = [:]
            for (host, pins) in entries {
                let name = try normalizedHosts([host], invalid: invalid)[0]
                for pin in pins where !Self.isValidPin(pin) { throw invalid("\(host)=\(pin)") }
                normalized[name, default: []] += pins
            }
            return .map(normalized.mapValues(Self.unique))
        case .certificateFileMap:
            guard let entries = value.mapValue else { throw invalid(value.displayText) }
            var normalized: [String: [String]] = [:]
            for (host, paths) in entries {
                let name = try normalizedHosts([host], invalid: invalid)[0]
                guard !paths.isEmpty, paths.allSatisfy({ !$0.isEmpty }) else { throw invalid("\(host)=\(paths.joined(separator: "|"))") }
                normalized[name, default: []] += paths
            }
            return .map(normalized)
        }
    }

    /// Checks a whole feature entry: known options, each value, option conflicts and
    /// requirements, and the feature's own rules (backup pins). Pin certificate files are
    /// turned into pins here, so the stored set does not depend on those files any more.
    public func validateFeature(_ featureID: String, options: FeatureOptions) throws(FusionSetError) -> FeatureOptions {
        let feature = try descriptor(featureID)
        var normalized: FeatureOptions = [:]
        for key in options.keys.sorted() {
            normalized[key] = try validateValue(feature: featureID, option: key, value: options[key]!)
        }
        for key in normalized.keys.sorted() {
            let option = feature.option(key)!
            if let other = option.conflictsWith.first(where: { normalized[$0] != nil }) {
                throw .conflictingOptions(feature: featureID, option: key, other: other)
            }
            if let missing = option.requires.first(where: { normalized[$0] == nil }) {
                throw .missingOption(feature: featureID, option: missing, requiredBy: key)
            }
        }
        switch featureID {
        case FeatureID.certificatePinning:
            normalized = try resolvePinCertificates(normalized)
        case FeatureID.trustedDomains:
            guard let domains = normalized["domains"]?.listValue, !domains.isEmpty else {
                throw .missingOption(feature: featureID, option: "domains", requiredBy: featureID)
            }
        default:
            break
        }
        return normalized
    }

    /// Checks the whole set: name, annotations, every feature, and the requirements and
    /// conflicts between features. Returns the normalised set.
    public func validate(_ set: FusionSet) throws(FusionSetError) -> FusionSet {
        var checked = set
        checked.name = try validateName(set.name)
        var annotations: [String] = []
        for annotation in set.annotations { annotations.append(try validateAnnotation(annotation)) }
        checked.annotations = Self.unique(annotations)
        var features: [String: FeatureOptions] = [:]
        for featureID in set.features.keys.sorted() {
            features[featureID] = try validateFeature(featureID, options: set.features[featureID]!)
        }
        for featureID in features.keys.sorted() {
            let feature = try descriptor(featureID)
            if !feature.requiresAnyOf.isEmpty, !feature.requiresAnyOf.contains(where: { features[$0] != nil }) {
                throw .missingFeatureRequirement(feature: featureID, anyOf: feature.requiresAnyOf,
                                                 reason: feature.requirementReason)
            }
            if let other = feature.conflicts.first(where: { features[$0] != nil }) {
                throw .conflictingFeatures(feature: featureID, other: other)
            }
        }
        checked.features = features
        return checked
    }

    /// The options a build uses: what the set stores plus the catalog's defaults for the rest
    /// (except defaults of options that conflict with one given).
    public func effectiveOptions(feature featureID: String, stored: FeatureOptions) -> FeatureOptions {
        guard let feature = catalog.feature(featureID) else { return stored }
        var options = stored
        for option in feature.options where options[option.key] == nil {
            guard let defaultValue = option.defaultValue else { continue }
            if option.conflictsWith.contains(where: { stored[$0] != nil }) { continue }
            options[option.key] = defaultValue
        }
        return options
    }

    /// Features of the set that cannot be applied on a platform, with the catalog's reason.
    public func unavailableFeatures(of set: FusionSet, on platform: AppPlatform) -> [FusionSetError] {
        set.orderedFeatureIDs(catalog: catalog).compactMap { featureID in
            guard let feature = catalog.feature(featureID) else { return nil }
            guard let reason = feature.availability(on: platform).reason else { return nil }
            return .featureUnavailable(feature: featureID, platform: platform, reason: reason)
        }
    }

    // MARK: helpers

    private func resolvePinCertificates(_ options: FeatureOptions) throws(FusionSetError) -> FeatureOptions {
        let featureID = FeatureID.certificatePinning
        var options = options
        var pins = options["pins"]?.mapValue ?? [:]
        if let files = options.removeValue(forKey: "pinCertificates")?.mapValue {
            guard let pinComputer else {
                throw .pinComputationFailed(feature: featureID, file: files.values.first?.first ?? "",
                                            reason: "certificate reading is not available in this build")
            }
            let scheme = options["scheme"]?.stringValue ?? "public-key"
            for host in files.keys.sorted() {
                for path in files[host]! {
                    do {
                        pins[host, default: []] += try pinComputer(scheme, path)
                    } catch {
                        throw .pinComputationFailed(feature: featureID, file: path, reason: String(describing: error))
                    }
                }
            }
        }
        pins = pins.mapValues(Self.unique)
        guard !pins.isEmpty else {
            throw .missingOption(feature: featureID, option: "pins", requiredBy: featureID)
        }
        for host in pins.keys.sorted() where pins[host]!.count < Self.minimumPinsPerHost {
            throw .invalidOptionValue(
                feature: featureID, option: "pins", value: "\(host)=\(pins[host]!.joined(separator: "|"))",
                allowed: "at least \(Self.minimumPinsPerHost) different pins per host: the current key and a backup")
        }
        options["pins"] = .map(pins)
        return options
    }

    private func normalizedHosts(_ hosts: [String], invalid: (String) -> FusionSetError) throws(FusionSetError) -> [String] {
        var result: [String] = []
        for host in hosts {
            let name = host.lowercased()
            guard Self.isValidHost(name) else { throw invalid(host) }
            result.append(name)
        }
        return Self.unique(result)
    }

    /// A DNS name of letters, digits and hyphens, optionally starting with `*.`; or an IPv4 address.
    public static func isValidHost(_ text: String) -> Bool {
        var name = Substring(text)
        if name.hasPrefix("*.") { name = name.dropFirst(2) }
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            return label.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2d }
        }
    }

    /// `sha256/` followed by the base64 of exactly 32 bytes.
    public static func isValidPin(_ text: String) -> Bool {
        guard text.hasPrefix("sha256/"), let digest = Data(base64Encoded: String(text.dropFirst(7))) else { return false }
        return digest.count == 32
    }

    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}

import Foundation
import Testing
@testable import BuildEngine

@Suite("Fusion Set validation against the catalog")
struct FusionSetValidationTests {
    let validator = FusionSetValidator()
    let mcc = FeatureID.mobileClientCertificates
    static let pinA = "sha256/" + Data(repeating: 0xA1, count: 32).base64EncodedString()
    static let pinB = "sha256/" + Data(repeating: 0xB2, count: 32).base64EncodedString()

    @Test func catalogTreeHasTheFiveSecureCommunicationFeatures() {
        let catalog = FeatureCatalog.standard
        #expect(catalog.root.title == "Build")
        #expect(catalog.root.children.map(\.title) == ["Security"])
        #expect(catalog.root.children[0].children.map(\.title) == ["Secure Communication"])
        #expect(catalog.featureIDs == [FeatureID.mobileClientCertificates, FeatureID.certificatePinning,
                                       FeatureID.trustedDomains, FeatureID.blockCleartextTraffic,
                                       FeatureID.enforceMinimumTLSVersion])
    }

    @Test func everyUnavailableFeatureSaysWhyAndEveryAvailableOneSaysWhatIsEnforced() {
        for feature in FeatureCatalog.standard.features {
            for platform in AppPlatform.allCases {
                switch feature.availability(on: platform) {
                case .available:
                    #expect(feature.enforcement[platform]?.applied.isEmpty == false, "\(feature.id) on \(platform)")
                case let .unavailable(reason):
                    #expect(reason.count > 20, "\(feature.id) on \(platform) needs a real reason")
                }
            }
        }
        #expect(FeatureCatalog.standard.features.allSatisfy { $0.availability(on: .ios).isAvailable == false })
    }

    @Test func everyDefaultIsAcceptedByItsOwnOption() throws {
        for feature in FeatureCatalog.standard.features {
            for option in feature.options {
                guard let value = option.defaultValue else { continue }
                #expect(throws: Never.self) { try validator.validateValue(feature: feature.id, option: option.key, value: value) }
            }
        }
    }

    @Test func specWithListsAndRepeatedKeysAddsUp() throws {
        let spec = try FeatureSpec.parse("mobile-client-certificates:keyType=rsa-2048,hosts=API.example.com|*.example.org,hosts=b.example.com")
        let options = try spec.options(using: validator)
        #expect(options["keyType"] == .string("rsa-2048"))
        #expect(options["hosts"] == .list(["api.example.com", "*.example.org", "b.example.com"]))
    }

    @Test func pinsKeepBase64EqualsSigns() throws {
        let spec = try FeatureSpec.parse("certificate-pinning:pins=api.example.com=\(Self.pinA)|\(Self.pinB)")
        let options = try validator.validateFeature(FeatureID.certificatePinning, options: spec.options(using: validator))
        #expect(options["pins"] == .map(["api.example.com": [Self.pinA, Self.pinB]]))
    }

    @Test(arguments: [
        ("mobile-client-certificates:keyType=ec-p521", "feature 'mobile-client-certificates' option 'keyType': 'ec-p521' is not allowed; allowed: ec-p256, ec-p384, rsa-2048, rsa-3072"),
        ("mobile-client-certificates:validityDays=0", "feature 'mobile-client-certificates' option 'validityDays': '0' is not allowed; allowed: an integer from 1 to 3650"),
        ("mobile-client-certificates:validityDays=soon", "feature 'mobile-client-certificates' option 'validityDays': 'soon' is not allowed; allowed: an integer from 1 to 3650"),
        ("mobile-client-certificates:colour=red", "feature 'mobile-client-certificates' has no option 'colour'; its options are keyType, validityDays, scope, hosts, p12Profile, importP12, importP12PasswordFile"),
        ("mobile-client-certificates:hosts=bad_host", "feature 'mobile-client-certificates' option 'hosts': 'bad_host' is not allowed; allowed: host names such as api.example.com or *.example.com, separated by |"),
        ("block-cleartext-traffic:strict=yes", "feature 'block-cleartext-traffic' has no option 'strict'; it takes no options"),
        ("teleport", "unknown feature 'teleport'; known features: mobile-client-certificates, certificate-pinning, trusted-domains, block-cleartext-traffic, enforce-minimum-tls-version"),
        ("mobile-client-certificates:", "invalid --feature 'mobile-client-certificates:': nothing follows ':'; the form is ID[:key=value,key=value|value,...]"),
        ("mobile-client-certificates:keyType", "invalid --feature 'mobile-client-certificates:keyType': 'keyType' is not key=value; the form is ID[:key=value,key=value|value,...]"),
    ])
    func badSpecsNameFeatureOptionValueAndWhatIsAllowed(spec: String, message: String) {
        do {
            let parsed = try FeatureSpec.parse(spec)
            _ = try validator.validateFeature(parsed.featureID, options: parsed.options(using: validator))
            Issue.record("accepted \(spec)")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func importedP12ConflictsWithIssuingOptionsAndNeedsItsPassword() {
        #expect(throws: FusionSetError.conflictingOptions(feature: mcc, option: "importP12", other: "keyType")) {
            try validator.validateFeature(mcc, options: ["importP12": .string("/x.p12"), "importP12PasswordFile": .string("/p"),
                                                         "keyType": .string("ec-p256")])
        }
        #expect(throws: FusionSetError.missingOption(feature: mcc, option: "importP12PasswordFile", requiredBy: "importP12")) {
            try validator.validateFeature(mcc, options: ["importP12": .string("/x.p12")])
        }
    }

    @Test func defaultsOfConflictingOptionsAreNotFilledIn() {
        let effective = validator.effectiveOptions(feature: mcc, stored: ["importP12": .string("/x.p12")])
        #expect(effective["keyType"] == nil)
        #expect(effective["p12Profile"] == .string("compatible"))
        let issued = validator.effectiveOptions(feature: mcc, stored: [:])
        #expect(issued["keyType"] == .string("ec-p256"))
        #expect(issued["validityDays"] == .integer(365))
        #expect(issued["scope"] == .string("per-build"))
    }

    @Test func pinningNeedsABackupPinPerHost() {
        #expect(throws: FusionSetError.invalidOptionValue(
            feature: FeatureID.certificatePinning, option: "pins", value: "api.example.com=\(Self.pinA)",
            allowed: "at least 2 different pins per host: the current key and a backup")) {
            try validator.validateFeature(FeatureID.certificatePinning,
                                          options: ["pins": .map(["api.example.com": [Self.pinA, Self.pinA]])])
        }
        #expect(throws: FusionSetError.self) {
            try validator.validateFeature(FeatureID.certificatePinning,
                                          options: ["pins": .map(["api.example.com": ["sha256/short", Self.pinB]])])
        }
    }

    @Test func trustedDomainsNeedDomainsAndAFeatureToScope() throws {
        let now = Date()
        let alone = FusionSet(id: FusionSetID.generate(), name: "x", platform: .android, annotations: [],
                              created: now, updated: now,
                              features: [FeatureID.trustedDomains: ["domains": .list(["api.example.com"])]])
        #expect(throws: FusionSetError.missingFeatureRequirement(
            feature: FeatureID.trustedDomains,
            anyOf: [FeatureID.mobileClientCertificates, FeatureID.certificatePinning])) { try validator.validate(alone) }
        var withCertificate = alone
        withCertificate.features[mcc] = [:]
        #expect(try validator.validate(withCertificate).features.count == 2)
        #expect(throws: FusionSetError.missingOption(feature: FeatureID.trustedDomains, option: "domains",
                                                     requiredBy: FeatureID.trustedDomains)) {
            try validator.validateFeature(FeatureID.trustedDomains, options: [:])
        }
    }

    @Test func namesAndAnnotationsAreChecked() throws {
        #expect(throws: FusionSetError.self) { try validator.validateName("   ") }
        #expect(throws: FusionSetError.self) { try validator.validateName("a\u{7}b") }
        #expect(throws: FusionSetError.self) { try validator.validateName(String(repeating: "n", count: 121)) }
        #expect(try validator.validateName("  Secure Communication — production ") == "Secure Communication — production")
        #expect(throws: FusionSetError.self) { try validator.validateAnnotation("line\nbreak") }
    }

    @Test func unavailableFeaturesAreListedPerPlatform() {
        let now = Date()
        let set = FusionSet(id: FusionSetID.generate(), name: "x", platform: .any, annotations: [], created: now, updated: now,
                            features: [mcc: [:], FeatureID.enforceMinimumTLSVersion: [:], FeatureID.blockCleartextTraffic: [:]])
        // With the runtime injected, every feature of the catalog applies to Android.
        #expect(validator.unavailableFeatures(of: set, on: .android).isEmpty)
        #expect(validator.unavailableFeatures(of: set, on: .ios).count == 3)
    }

    @Test func generatedIDsAreThirtyTwoHexDigitsAndDistinct() {
        let ids = (0..<100).map { _ in FusionSetID.generate() }
        #expect(ids.allSatisfy(FusionSetID.isValid))
        #expect(Set(ids).count == ids.count)
        #expect(!FusionSetID.isValid("3F6C0E9A2B5D4C1E8F7A6B5C4D3E2F10"))
        #expect(!FusionSetID.isValid("3f6c"))
    }

    @Test func optionValuesRoundTripThroughJSON() throws {
        let options: FeatureOptions = ["a": .string("x"), "b": .integer(3), "c": .list(["h"]), "d": .map(["h": ["p"]])]
        let data = try JSONEncoder().encode(options)
        #expect(try JSONDecoder().decode(FeatureOptions.self, from: data) == options)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FeatureOptions.self, from: Data(#"{"a": true}"#.utf8)) }
    }
}

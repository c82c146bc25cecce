import AndroidPackage
import CryptoCore
import Foundation

/// The signing decided in Validate, with the keystore already opened so a wrong password
/// fails before anything is issued or written.
enum ResolvedSigning {
    case identity(SigningIdentity, certificateDER: Data, label: String)
    case unsigned(signerSHA256: [Data])

    var label: String {
        switch self {
        case let .identity(_, _, label): return label
        case .unsigned: return "unsigned"
        }
    }

    var signerSHA256: [Data] {
        switch self {
        case let .identity(_, der, _): return [Digest.sha256(der).bytes]
        case let .unsigned(digests): return digests
        }
    }
}

extension BuildRun {
    func validateStage() throws -> StageOutcome {
        guard let app = state.app else { throw BuildFailure(.internalError, "Validate ran before Inspect") }
        guard fusionSet.platform.covers(app.platform) else {
            throw BuildFailure(.invalidInput, "Fusion Set \(fusionSet.id) '\(fusionSet.name)' is for \(fusionSet.platform.rawValue) apps; "
                + "\(record.inputPath) is an \(app.platform.rawValue) app")
        }
        if app.platform == .ios {
            throw BuildFailure(.invalidInput, "\(record.inputPath): \(FeatureCatalog.iosEngineMissing)")
        }
        if app.format == .aab {
            throw BuildFailure(.invalidInput, "\(record.inputPath): building secured .aab bundles is not supported yet: "
                + "the bundle manifest (base/manifest/AndroidManifest.xml) is protobuf and appseal has no protobuf manifest "
                + "editor yet, so neither the runtime's <provider> (Mobile Client Certificates, Certificate Pinning, "
                + "Enforce Minimum TLS Version) nor usesCleartextTraffic can be added; build the universal or base .apk instead")
        }
        let checked = try validator.validate(fusionSet)
        let unavailable = validator.unavailableFeatures(of: checked, on: app.platform)
        if !unavailable.isEmpty {
            throw BuildFailure(.invalidInput, unavailable.map(\.message).joined(separator: "; "))
        }
        if checked.features.isEmpty {
            throw BuildFailure(.invalidInput, "Fusion Set \(fusionSet.id) '\(fusionSet.name)' has no features; "
                + "add one with 'appseal fusion-set edit \(fusionSet.id) --feature ID'")
        }
        try validateAndroidRuntime(app: app, set: checked)
        if checked.features[FeatureID.blockCleartextTraffic] != nil, let config = app.networkSecurityConfig {
            throw BuildFailure(.invalidInput, "Block Cleartext Traffic: the app has its own network security config "
                + "(android:networkSecurityConfig=\(config)), which decides cleartext on Android 7 and later and overrides "
                + "usesCleartextTraffic; appseal does not edit that file yet, so it will not claim this protection. "
                + "Set cleartextTrafficPermitted=\"false\" in that file, or remove the feature from the set")
        }
        if checked.features[FeatureID.mobileClientCertificates] != nil {
            let options = validator.effectiveOptions(feature: FeatureID.mobileClientCertificates,
                                                     stored: checked.features[FeatureID.mobileClientCertificates]!)
            if options["importP12"] == nil, !CertificateAuthority.exists(in: workspace) {
                throw BuildFailure(.invalidInput, "Mobile Client Certificates issues from the workspace CA, and this workspace "
                    + "has none yet: run 'appseal ca init' (or 'appseal ca import'), or set importP12 in the Fusion Set")
            }
            guard ClientIdentity.isValidAppID(app.appID) else {
                throw BuildFailure(.invalidInput, "package name '\(app.appID)' cannot be a certificate identity: \(ClientIdentity.allowedAppID)")
            }
        }
        state.signing = try resolveSigning(app: app, needsSigners: checked.features[FeatureID.mobileClientCertificates] != nil)
        for featureID in checked.orderedFeatureIDs(catalog: validator.catalog) {
            guard let feature = validator.catalog.feature(featureID), let note = feature.enforcement[app.platform] else { continue }
            info(.validate, "\(feature.title): applies \(note.applied)")
            if let missing = note.notEnforced { warn(.validate, "\(feature.title): not enforced: \(missing)") }
        }
        return .done
    }

    private func resolveSigning(app: AppFacts, needsSigners: Bool) throws -> ResolvedSigning {
        switch request.signing {
        case let .keystore(path, password):
            let identity = try SigningKeys.keystore(path: path, password: password)
            info(.validate, "signing with \(path): \(identity.label)")
            return identity
        case .debugKey:
            let identity = try SigningKeys.workspaceDebugKey(workspace)
            info(.validate, "signing with the workspace debug key (\(identity.label)); not for store uploads")
            return identity
        case let .unsigned(certificatePaths, fingerprints):
            var digests: [Data] = []
            for path in certificatePaths {
                let certificate: Certificate
                do {
                    certificate = try Certificate(pemOrDER: try Data(contentsOf: URL(fileURLWithPath: path)))
                } catch {
                    throw BuildFailure(.invalidInput, "--signer-cert \(path): not a readable PEM or DER certificate")
                }
                digests.append(certificate.sha256Fingerprint.bytes)
            }
            for text in fingerprints {
                let hex = text.replacingOccurrences(of: ":", with: "").lowercased()
                guard hex.count == 64, let bytes = Data(hexString: hex) else {
                    throw BuildFailure(.invalidInput, "--signer-sha256 '\(text)': expected 64 hex digits (colons allowed)")
                }
                digests.append(bytes)
            }
            var seen = Set<Data>()
            digests = digests.filter { seen.insert($0).inserted }
            if needsSigners, digests.isEmpty {
                throw BuildFailure(.invalidInput, "an unsigned build with Mobile Client Certificates needs the certificate it will "
                    + "be signed with, to bind the sealed blob to it: give --signer-cert FILE or --signer-sha256 HEX (several allowed)")
            }
            if digests.count > SealedBlob.maximumSlots {
                throw BuildFailure(.invalidInput, "at most \(SealedBlob.maximumSlots) signer certificates can be given")
            }
            info(.validate, "output stays unsigned; sealed for \(digests.count) signer certificate(s): "
                + digests.map(\.lowercaseHex).joined(separator: ", "))
            return .unsigned(signerSHA256: digests)
        }
    }
}

extension Data {
    init?(hexString: String) {
        var bytes: [UInt8] = []
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2, limitedBy: hexString.endIndex) ?? hexString.endIndex
            guard let byte = UInt8(hexString[index..<next], radix: 16), hexString.distance(from: index, to: next) == 2 else {
                return nil
            }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}

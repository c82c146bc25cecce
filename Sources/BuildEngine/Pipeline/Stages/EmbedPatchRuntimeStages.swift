import AndroidPackage
import Foundation

extension BuildRun {
    func embedStage() throws -> StageOutcome {
        guard let credential = state.credential, let app = state.app, let signing = state.signing else {
            info(.embed, "nothing to seal: the Fusion Set has no Mobile Client Certificates")
            return .skipped
        }
        let features = fusionSet.orderedFeatureIDs(catalog: validator.catalog)
        let certificateOptions = validator.effectiveOptions(feature: FeatureID.mobileClientCertificates,
                                                            stored: fusionSet.features[FeatureID.mobileClientCertificates] ?? [:])
        var hosts = certificateOptions["hosts"]?.listValue ?? []
        if hosts.isEmpty, let domains = fusionSet.features[FeatureID.trustedDomains]?["domains"]?.listValue { hosts = domains }
        let pinning = fusionSet.features[FeatureID.certificatePinning].map {
            validator.effectiveOptions(feature: FeatureID.certificatePinning, stored: $0)
        }
        let tlsMinimum = fusionSet.features[FeatureID.enforceMinimumTLSVersion].flatMap {
            validator.effectiveOptions(feature: FeatureID.enforceMinimumTLSVersion, stored: $0)["version"]?.stringValue
        }
        let configuration = RuntimeConfiguration(
            buildID: id, appID: app.appID, platform: app.platform, hosts: hosts,
            pins: pinning?["pins"]?.mapValue ?? [:], pinScheme: pinning?["scheme"]?.stringValue, tlsMinimum: tlsMinimum,
            certificateSHA256: credential.certificate.sha256Fingerprint.hex, certificateSerial: credential.serial,
            features: features)
        let signers = signing.signerSHA256
        let blob = try SealedBlob.seal(SealedPayload(configuration: configuration, pkcs12: credential.pkcs12,
                                                     pkcs12Password: credential.pkcs12Password),
                                       signerCertificateSHA256: signers)
        state.runtimeConfiguration = configuration
        state.sealedForSigners = signers
        state.additions.append((SealedBlob.assetPath, [UInt8](blob)))
        info(.embed, "sealed \(blob.count) bytes into \(SealedBlob.assetPath) (format v\(SealedBlob.version), AES-256-GCM) for signer(s) "
            + signers.map(\.lowercaseHex).joined(separator: ", ") + "; hosts: "
            + (hosts.isEmpty ? "any server that asks for a client certificate" : hosts.joined(separator: ", "))
            + (configuration.pins.isEmpty ? "" : "; pins (\(configuration.pinScheme ?? "public-key")) for "
                + configuration.pins.keys.sorted().map { "\($0) (\(configuration.pins[$0]!.count))" }.joined(separator: ", "))
            + (tlsMinimum.map { "; TLS \($0) or later" } ?? ""))
        try progress(.embed, total: Int64(blob.count)).report(Int64(blob.count))
        return .done
    }

    func patchStage() throws -> StageOutcome {
        guard fusionSet.features[FeatureID.blockCleartextTraffic] != nil else {
            info(.patch, "no manifest change is asked for")
            return .skipped
        }
        let archive = try ZipArchiveOpener.open(record.inputPath)
        guard let entry = archive.entry(named: "AndroidManifest.xml") else {
            throw BuildFailure(.invalidInput, "\(record.inputPath) has no AndroidManifest.xml")
        }
        var document = try BinaryXMLDocument(bytes: try archive.readData(entry))
        let before = state.app?.usesCleartextTraffic
        try document.setAttribute(on: ["manifest", "application"],
                                  .android(AndroidAttribute.usesCleartextTraffic, .boolean(false), name: "usesCleartextTraffic"))
        let bytes = document.encoded()
        // Read back what was written: the edit must parse and say what we claim.
        let check = try BinaryXMLDocument(bytes: bytes)
        let application = check.root?.elements.first { $0.name == "application" }
        guard application?.attribute(resourceID: AndroidAttribute.usesCleartextTraffic)?.value.boolean == false else {
            throw BuildFailure(.failed, "the patched manifest does not read back with usesCleartextTraffic=false")
        }
        state.replacements["AndroidManifest.xml"] = bytes
        let was = before.map { "was \($0)" } ?? "was not set, and Android's default is true below API 28"
        info(.patch, "AndroidManifest.xml: <application android:usesCleartextTraffic=\"false\"> (\(was))")
        state.applied.append(applied(FeatureID.blockCleartextTraffic))
        return .done
    }

    func applied(_ featureID: String) -> AppliedFeature {
        let feature = validator.catalog.feature(featureID)
        let platform = state.app?.platform ?? .android
        let note = feature?.enforcement[platform]
        return AppliedFeature(id: featureID, title: feature?.title ?? featureID,
                              options: validator.effectiveOptions(feature: featureID, stored: fusionSet.features[featureID] ?? [:]),
                              applied: note?.applied ?? "", notEnforced: note?.notEnforced)
    }
}

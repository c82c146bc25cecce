import Foundation

extension IPAInspection {
    /// The terminal rendering of `appseal inspect APP.ipa`: sections of `label: value` lines.
    public func renderText() -> String {
        var lines: [String] = []
        func field(_ label: String, _ value: String?, indent: Int = 2) {
            guard let value, !value.isEmpty else { return }
            lines.append(String(repeating: " ", count: indent) + label + ": " + value)
        }
        let dates = ISO8601DateFormatter()

        lines.append("iOS app \(path)")
        field("bundle", "\(bundlePath) (\(bundleFileCount) files, \(entryCount) archive entries, \(fileSize) bytes)")
        if let info {
            field("bundle id", info.bundleIdentifier ?? "(missing)")
            field("name", info.displayName)
            field("version", [info.shortVersion, info.buildVersion.map { "(build \($0))" }].compactMap { $0 }.joined(separator: " "))
            field("minimum iOS", info.minimumOSVersion)
            field("devices", info.deviceFamilies.joined(separator: ", "))
            field("executable", info.executable)
            field("URL schemes", info.urlSchemes.joined(separator: ", "))
            field("Info.plist", info.isBinaryPropertyList ? "binary" : "XML")
            if let ats = info.transportSecurity {
                var flags: [String] = []
                if ats.allowsArbitraryLoads { flags.append("NSAllowsArbitraryLoads") }
                if ats.allowsArbitraryLoadsInWebContent { flags.append("NSAllowsArbitraryLoadsInWebContent") }
                if ats.allowsArbitraryLoadsForMedia { flags.append("NSAllowsArbitraryLoadsForMedia") }
                if ats.allowsLocalNetworking { flags.append("NSAllowsLocalNetworking") }
                field("ATS", flags.isEmpty ? "default (HTTPS with TLS 1.2+ required)" : flags.joined(separator: ", "))
                for domain in ats.exceptionDomains {
                    var notes: [String] = []
                    if domain.includesSubdomains { notes.append("subdomains") }
                    if domain.allowsInsecureHTTPLoads { notes.append("cleartext HTTP allowed") }
                    if let tls = domain.minimumTLSVersion { notes.append("minimum \(tls)") }
                    if !domain.requiresForwardSecrecy { notes.append("no forward secrecy") }
                    field(domain.domain, notes.joined(separator: ", "), indent: 4)
                }
            } else {
                field("ATS", "default (HTTPS with TLS 1.2+ required)")
            }
        }

        lines.append("provisioning profile")
        if let profile {
            field("name", profile.name)
            field("kind", profile.kind.rawValue)
            field("team", ([profile.teamName].compactMap { $0 } + profile.teamIdentifiers.map { "(\($0))" }).joined(separator: " "))
            field("app id", profile.applicationIdentifier.map { id in profile.appIDName.map { "\(id) (\($0))" } ?? id })
            field("created", profile.creationDate.map(dates.string))
            field("expires", profile.expirationDate.map(dates.string))
            field("devices", profile.provisionsAllDevices ? "all (enterprise)" : String(profile.deviceCount))
            field("entitlements", profile.entitlements.keys.sorted().joined(separator: ", "))
            for certificate in profile.developerCertificates {
                field("certificate", "\(certificate.subject)\n      sha256 \(certificate.sha256)")
            }
            field("envelope", "CMS SignedData, \(profile.envelope.certificates.count) certificate(s), signed by "
                  + (profile.envelope.signers.compactMap(\.subject).first ?? "an unlisted certificate")
                  + (profile.contentDigestMatches == true ? ", content digest matches" : profile.contentDigestMatches == false ? ", CONTENT DIGEST DIFFERS" : ""))
        } else {
            field("profile", "none")
        }

        for binary in [mainExecutable].compactMap({ $0 }) + nestedCode {
            lines.append("\(binary.role == .main ? "executable" : binary.role.rawValue) \(binary.path)")
            if let error = binary.error {
                field("error", error)
                continue
            }
            field("format", binary.isFat ? "fat (\(binary.slices.count) slices)" : "thin")
            for slice in binary.slices {
                lines.append("    \(slice.cpu.name) \(slice.fileType)")
                field("minimum OS", slice.minimumOS.map { "\($0.platform) \($0.version) (\($0.source), SDK \($0.sdk))" }, indent: 6)
                field("encryption", slice.encryption.map { $0.cryptID == 0 ? "not encrypted (cryptid 0)" : "ENCRYPTED (cryptid \($0.cryptID))" } ?? "none", indent: 6)
                field("links", slice.linkedDylibs.map { $0.kind == .load ? $0.path : "\($0.path) (\($0.kind.rawValue))" }.joined(separator: "\n" + String(repeating: " ", count: 13)), indent: 6)
                guard let signature = slice.codeSignature else {
                    field("signature", "none", indent: 6)
                    continue
                }
                for directory in signature.codeDirectories {
                    var notes = ["v\(directory.versionString.dropFirst(2))", directory.hashAlgorithm.rawValue,
                                 "\(directory.codeSlotCount) pages"]
                    if let pages = directory.mismatchedPages { notes.append(pages.isEmpty ? "pages verified" : "\(pages.count) PAGES DIFFER") }
                    if !directory.flagNames.isEmpty { notes.append("flags " + directory.flagNames.joined(separator: ",")) }
                    field("CodeDirectory", notes.joined(separator: ", ") + "\n        cdhash \(directory.cdHash)", indent: 6)
                }
                let primary = signature.primaryCodeDirectory
                field("identifier", primary.identifier, indent: 6)
                field("team ID", primary.teamID, indent: 6)
                if let entitlements = signature.entitlements {
                    field("entitlements", entitlements.keys.sorted().joined(separator: ", ")
                          + (signature.derEntitlements != nil ? " (XML and DER\(signature.derEntitlementsMatchXML == false ? ", DIFFERENT" : ""))" : " (XML)"), indent: 6)
                }
                if let cms = signature.cms {
                    field("CMS signature", "signed by " + (cms.signers.compactMap(\.subject).first ?? cms.signers.first?.issuer ?? "unknown")
                          + ", \(cms.certificates.count) certificate(s)", indent: 6)
                } else {
                    field("CMS signature", signature.hasEmptyCMSWrapper ? "empty (ad hoc)" : "none (ad hoc)", indent: 6)
                }
            }
        }

        lines.append("resource seal")
        if let seal {
            field("CodeResources", "version \(seal.sealVersion), \(seal.sealedCount) sealed, \(seal.verifiedCount) files verified"
                  + (seal.verifiedNestedCount > 0 ? ", \(seal.verifiedNestedCount) nested bundles verified" : ""))
            field("modified", seal.modified.joined(separator: ", "))
            field("missing", seal.missing.joined(separator: ", "))
            field("unsealed", seal.unsealed.joined(separator: ", "))
        } else {
            field("CodeResources", "none")
        }
        field("Info.plist bound", infoPlistBound.map { $0 ? "yes (CodeDirectory slot 1 matches)" : "NO (slot 1 differs)" })
        field("CodeResources bound", resourcesBound.map { $0 ? "yes (CodeDirectory slot 3 matches)" : "NO (slot 3 differs)" })

        lines.append("frameworks")
        if frameworks.isEmpty { field("detected", "none") }
        for framework in frameworks { field(framework.name, framework.evidence.joined(separator: ", ")) }

        lines.append("problems")
        if problems.isEmpty { lines.append("  none") }
        for problem in problems { lines.append("  - " + problem) }
        return lines.joined(separator: "\n") + "\n"
    }
}

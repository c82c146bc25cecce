import Foundation

extension IPAInspection {
    /// The terminal rendering of `appseal inspect APP.ipa`, laid out like the Android report:
    /// a 13-column label, then details indented below it.
    public func renderText() -> String {
        var lines: [String] = []
        func row(_ label: String, _ value: String) {
            lines.append(label.padding(toLength: max(13, label.count + 1), withPad: " ", startingAt: 0) + value)
        }
        func detail(_ text: String, depth: Int = 1) {
            lines.append(String(repeating: "  ", count: depth) + text)
        }
        func list(_ values: [String]) -> String { values.isEmpty ? "none" : values.joined(separator: ", ") }
        let dates = ISO8601DateFormatter()

        row("File", "\(path) (IPA, \(Self.size(fileSize)))")
        row("Bundle", "\(bundlePath) · \(bundleFileCount) files · \(entryCount) archive entries")
        if let info {
            row("Bundle id", info.bundleIdentifier ?? "missing")
            row("Name", info.displayName ?? "–")
            row("Version", "\(info.shortVersion ?? "–") (build \(info.buildVersion ?? "–"))")
            row("Minimum iOS", info.minimumOSVersion ?? "–")
            row("Devices", list(info.deviceFamilies))
            row("Executable", info.executable ?? "missing")
            row("URL schemes", list(info.urlSchemes))
            row("Info.plist", info.isBinaryPropertyList ? "binary" : "XML")
            row("ATS", Self.transportSummary(info.transportSecurity))
            for domain in info.transportSecurity?.exceptionDomains ?? [] {
                var notes: [String] = []
                if domain.includesSubdomains { notes.append("subdomains") }
                if domain.allowsInsecureHTTPLoads { notes.append("cleartext HTTP allowed") }
                if let tls = domain.minimumTLSVersion { notes.append("minimum \(tls)") }
                if !domain.requiresForwardSecrecy { notes.append("no forward secrecy") }
                detail("\(domain.domain): \(notes.isEmpty ? "no relaxation" : notes.joined(separator: " · "))")
            }
        } else {
            row("Info.plist", "missing or unreadable")
        }

        if let profile {
            row("Profile", "\(profile.name ?? "unnamed") (\(profile.kind.rawValue))")
            detail("team \(([profile.teamName].compactMap { $0 } + profile.teamIdentifiers.map { "(\($0))" }).joined(separator: " "))")
            detail("app id \(profile.applicationIdentifier ?? "–")" + (profile.appIDName.map { " (\($0))" } ?? ""))
            detail("created \(profile.creationDate.map(dates.string) ?? "–") · expires \(profile.expirationDate.map(dates.string) ?? "–")")
            detail("devices \(profile.provisionsAllDevices ? "all (enterprise)" : String(profile.deviceCount))")
            detail("entitlements \(list(profile.entitlements.keys.sorted()))")
            for certificate in profile.developerCertificates {
                detail("certificate \(certificate.subject)")
                detail("SHA-256 \(certificate.sha256)", depth: 2)
            }
            let signer = profile.envelope.signers.compactMap(\.subject).first ?? "a certificate it does not carry"
            detail("envelope CMS SignedData · \(profile.envelope.certificates.count) certificate(s) · signed by \(signer) · "
                   + (profile.signature.verified ? "signature verified" : "SIGNATURE DOES NOT VERIFY")
                   + (profile.contentDigestMatches == false ? " · CONTENT DIGEST DIFFERS" : ""))
        } else {
            row("Profile", "none")
        }

        for binary in [mainExecutable].compactMap({ $0 }) + nestedCode {
            let label = switch binary.role {
            case .main: "Main binary"
            case .framework: "Framework"
            case .dylib: "Dylib"
            case .appExtension: "Extension"
            case .nestedApp: "Nested app"
            }
            if let error = binary.error {
                row(label, "\(binary.path): \(error)")
                continue
            }
            row(label, "\(binary.path) (\(binary.isFat ? "fat, \(binary.slices.count) slices" : "thin"), \(Self.size(binary.size)))")
            for slice in binary.slices { renderSlice(slice, detail: detail) }
        }

        if let seal {
            row("Seal", "CodeResources v\(seal.sealVersion) · \(seal.sealedCount) sealed · \(seal.verifiedCount) files verified"
                + (seal.verifiedNestedCount > 0 ? " · \(seal.verifiedNestedCount) nested bundles verified" : ""))
            if !seal.modified.isEmpty { detail("modified \(list(seal.modified))") }
            if !seal.missing.isEmpty { detail("missing \(list(seal.missing))") }
            if !seal.unsealed.isEmpty { detail("unsealed \(list(seal.unsealed))") }
        } else {
            row("Seal", "none")
        }
        func bound(_ value: Bool?, _ slot: Int) -> String {
            value.map { $0 ? "yes (slot \(slot) matches)" : "NO (slot \(slot) differs)" } ?? "not checked"
        }
        row("Bound", "Info.plist \(bound(infoPlistBound, 1)) · CodeResources \(bound(resourcesBound, 3))")

        row("Frameworks", String(frameworks.count))
        for framework in frameworks { detail("\(framework.name) (\(framework.evidence.joined(separator: ", ")))") }
        row("Problems", String(problems.count))
        for problem in problems { detail(problem) }
        return Self.printable(lines.joined(separator: "\n")) + "\n"
    }

    private func renderSlice(_ slice: MachOSlice, detail: (String, Int) -> Void) {
        let minimum = slice.minimumOS.map { "\($0.platform) \($0.version) (\($0.source)\($0.sdk == "0.0" ? "" : ", SDK \($0.sdk)"))" } ?? "no minimum OS"
        let encryption = slice.encryption.map { $0.cryptID == 0 ? "not encrypted" : "ENCRYPTED (cryptid \($0.cryptID))" } ?? "no encryption info"
        detail("\(slice.cpu.name) \(slice.fileType) · \(minimum) · \(encryption)", 1)
        for dylib in slice.linkedDylibs {
            detail("links \(dylib.path)" + (dylib.kind == .load ? "" : " (\(dylib.kind.rawValue))"), 2)
        }
        for warning in slice.warnings { detail("warning \(warning)", 2) }
        guard let signature = slice.codeSignature else {
            detail("signature none", 2)
            return
        }
        for directory in signature.codeDirectories {
            var notes = ["v\(directory.versionString.dropFirst(2))", directory.hashAlgorithm.rawValue, "\(directory.codeSlotCount) pages"]
            if let pages = directory.mismatchedPages { notes.append(pages.isEmpty ? "pages verified" : "\(pages.count) PAGES DIFFER") }
            if !directory.flagNames.isEmpty { notes.append("flags " + directory.flagNames.joined(separator: ",")) }
            notes.append("cdhash \(directory.cdHash)")
            detail("CodeDirectory " + notes.joined(separator: " · "), 2)
        }
        let primary = signature.primaryCodeDirectory
        detail("identifier \(primary.identifier)" + (primary.teamID.map { " · team \($0)" } ?? ""), 2)
        if let entitlements = signature.entitlements {
            let forms = signature.derEntitlements == nil ? "XML" : signature.derEntitlementsMatchXML == false ? "XML and DER, DIFFERENT" : "XML and DER"
            detail("entitlements (\(forms)) \(entitlements.keys.sorted().joined(separator: ", "))", 2)
        }
        if let cms = signature.cms {
            let signer = cms.signers.compactMap(\.subject).first ?? cms.signers.first?.issuer ?? "unknown"
            detail("CMS signed by \(signer) · \(cms.certificates.count) certificate(s) · "
                   + (signature.cmsVerification?.verified == true ? "verified over the CodeDirectory" : "DOES NOT VERIFY"), 2)
        } else {
            detail("CMS none (ad hoc)", 2)
        }
    }

    static func transportSummary(_ ats: TransportSecurity?) -> String {
        guard let ats else { return "default (HTTPS with TLS 1.2+ everywhere)" }
        var relaxed: [String] = []
        if ats.allowsArbitraryLoads { relaxed.append("NSAllowsArbitraryLoads") }
        if ats.allowsArbitraryLoadsInWebContent { relaxed.append("NSAllowsArbitraryLoadsInWebContent") }
        if ats.allowsArbitraryLoadsForMedia { relaxed.append("NSAllowsArbitraryLoadsForMedia") }
        if ats.allowsLocalNetworking { relaxed.append("NSAllowsLocalNetworking") }
        let domains = ats.exceptionDomains.isEmpty ? "" : " · \(ats.exceptionDomains.count) exception domain(s)"
        return (relaxed.isEmpty ? "default (HTTPS with TLS 1.2+)" : relaxed.joined(separator: ", ")) + domains
    }

    static func size(_ bytes: UInt64) -> String {
        bytes < 1024 ? "\(bytes) B" : bytes < 1 << 20 ? String(format: "%.1f KiB", Double(bytes) / 1024)
            : String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// Entry names and plist strings come from the app: control characters are shown escaped,
    /// never sent raw to the terminal (only the report's own line breaks stay).
    static func printable(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar != "\n", scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}

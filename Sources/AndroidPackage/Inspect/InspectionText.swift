import Foundation

extension AndroidPackageInspection {
    /// The terminal rendering of `appseal inspect`: one fact per line, problems last.
    public func renderedText() -> String {
        var lines: [String] = []
        func row(_ title: String, _ value: String) {
            lines.append(title.padding(toLength: 13, withPad: " ", startingAt: 0) + value)
        }
        func flag(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "not set" }
        func sdk(_ number: Int?, _ codename: String?) -> String { number.map(String.init) ?? codename ?? "–" }

        row("File", "\(path) (\(format.rawValue.uppercased()), \(Self.size(files.archiveBytes)))")
        row("Package", packageName ?? "–")
        row("Version", "versionCode \(versionCode.map(String.init) ?? "–"), versionName \(versionName.map { "\"\($0)\"" } ?? "–")")
        row("Label", label ?? "–")
        row("SDK", "min \(sdk(minSDK, minSDKCodename)) · target \(sdk(targetSDK, targetSDKCodename)) · max \(sdk(maxSDK, nil))")
        row("Application", applicationClassName ?? "–")
        row("Flags", "debuggable \(flag(debuggable)) · allowBackup \(flag(allowBackup)) · usesCleartextTraffic \(flag(usesCleartextTraffic))")
        row("Network", networkSecurityConfig.map { "networkSecurityConfig \($0)" } ?? "no network security config")
        row("Components", "\(components.activities) activities · \(components.services) services · "
            + "\(components.receivers) receivers · \(components.providers) providers")
        row("Permissions", permissions.isEmpty ? "none" : "\(permissions.count)")
        for permission in permissions { lines.append("  " + permission) }
        row("Native ABIs", nativeABIs.isEmpty ? "none" : nativeABIs.joined(separator: ", "))
        row("DEX files", String(dexCount))
        row("Files", "\(files.count) entries · \(Self.size(files.compressedBytes)) compressed · \(Self.size(files.uncompressedBytes)) uncompressed")
        row("Frameworks", frameworks.isEmpty ? "none detected" : "\(frameworks.count)")
        for framework in frameworks { lines.append("  \(framework.name) (\(framework.evidence))") }
        row("Signatures", signatureSchemes.isEmpty ? "none" : signatureSchemes.joined(separator: ", "))
        for signer in signers {
            lines.append("  \(signer.scheme): \(signer.subject)")
            lines.append("    SHA-256 \(signer.sha256)")
        }
        row("Problems", problems.isEmpty ? "none found" : "\(problems.count)")
        for problem in problems { lines.append("  \(problem.severity.rawValue): \(problem.message)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func size(_ bytes: UInt64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }
}

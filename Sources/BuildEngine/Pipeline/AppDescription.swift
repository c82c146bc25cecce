import AndroidPackage
import ApplePackage

/// What the Upload step shows about an app: the facts a build uses plus the full inspection's
/// frameworks, signatures and problems, as lines ready to display. Built from the same
/// inspectors as `appseal inspect`, so the console and the CLI never disagree.
public struct AppDescription: Sendable {
    public let facts: AppFacts
    /// "Flutter — lib/arm64-v8a/libflutter.so": each framework with the file that proves it.
    public let frameworks: [String]
    public let signatures: [String]
    public let problems: [String]
}

extension Engine {
    /// Inspects an app for display; throws the same errors a build's Inspect stage would.
    public func describe(path: String) throws -> AppDescription {
        let facts = try inspect(path: path)
        switch facts.format {
        case .apk, .aab:
            let inspection: AndroidPackageInspection
            do {
                inspection = try AndroidPackageInspector.inspect(path: path)
            } catch {
                throw BuildFailure(.invalidInput, "\(error)")
            }
            return AppDescription(facts: facts, frameworks: Self.lines(inspection.frameworks),
                                  signatures: Self.lines(schemes: inspection.signatureSchemes, signers: inspection.signers),
                                  problems: inspection.problems.map { "\($0.severity.rawValue): \($0.message)" })
        case .ipa:
            let inspection: IPAInspection
            do {
                inspection = try IPAInspector.inspect(path: path)
            } catch {
                throw BuildFailure(.invalidInput, "\(error)")
            }
            return AppDescription(facts: facts,
                                  frameworks: inspection.frameworks.map { "\($0.name) — \($0.evidence.joined(separator: ", "))" },
                                  signatures: Self.lines(inspection), problems: inspection.problems)
        }
    }

    private static func lines(_ frameworks: [AndroidPackageInspection.Framework]) -> [String] {
        frameworks.map { "\($0.name) — \($0.evidence)" }
    }

    private static func lines(schemes: [String], signers: [AndroidPackageInspection.Signer]) -> [String] {
        guard !schemes.isEmpty else { return ["unsigned"] }
        return ["schemes: \(schemes.joined(separator: ", "))"]
            + signers.map { "\($0.scheme): \($0.subject), sha256 \($0.sha256.prefix(16))…" }
    }

    private static func lines(_ inspection: IPAInspection) -> [String] {
        var lines: [String] = []
        if let main = inspection.mainExecutable {
            for slice in main.slices {
                guard let signature = slice.codeSignature else {
                    lines.append("\(main.path) \(slice.cpu.name): unsigned")
                    continue
                }
                let directory = signature.primaryCodeDirectory
                let signer = signature.cms?.signers.first.flatMap(\.subject) ?? "ad hoc (no CMS signer)"
                lines.append("\(main.path) \(slice.cpu.name): \(directory.hashAlgorithm.rawValue), "
                             + "team \(directory.teamID ?? "none"), \(signer)")
            }
        }
        if let profile = inspection.profile {
            lines.append("profile: \(profile.name ?? "unnamed") (\(profile.kind.rawValue))")
        }
        return lines.isEmpty ? ["unsigned"] : lines
    }
}

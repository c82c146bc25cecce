import ArchiveKit
import AndroidPackage
import CryptoCore
import Foundation

/// What `appseal verify` says about an app's sealed blob: whether it opens the way the
/// runtime will open it (with the certificate(s) the APK is signed with), which client
/// certificate it holds, and whether that certificate chains to the workspace CA, is still
/// valid in issued.json and is the one its build's report.json names.
public struct SealedBlobCheck: Codable, Sendable, Equatable {
    public var present = false
    public var opened = false
    public var error: String?
    public var buildID: String?
    public var appID: String?
    public var hosts: [String]?
    public var certificateSerial: String?
    public var certificateSHA256: String?
    public var certificateSubject: String?
    public var certificateNotAfter: Date?
    /// Nil when there is no workspace CA to check against.
    public var chainsToWorkspaceCA: Bool?
    /// "valid" or "revoked" in the workspace's issued.json; nil when it is not listed there.
    public var issuedStatus: String?
    /// Nil when the workspace has no report for that build.
    public var matchesBuildReport: Bool?
    /// The manifest declares appseal's runtime provider (the one that presents the certificate).
    public var runtimeProviderDeclared = false
    /// The `classesN.dex` that is this appseal's runtime, byte for byte; nil when none is.
    public var runtimeDEX: String?

    /// False when a blob is present and anything about it is wrong.
    public var passed: Bool {
        guard present else { return true }
        return opened && chainsToWorkspaceCA != false && issuedStatus != "revoked" && matchesBuildReport != false
            && runtimeProviderDeclared && runtimeDEX != nil
    }

    /// `workspace` nil skips the workspace checks (no workspace at the given path).
    public static func check(apkPath: String, signerCertificateSHA256 signers: [Data], workspace: Workspace?) -> SealedBlobCheck {
        var result = SealedBlobCheck()
        let blob: Data
        do {
            let archive = try ZipArchive(path: apkPath)
            guard let entry = archive.entry(named: SealedBlob.assetPath) else { return result }
            result.present = true
            blob = Data(try archive.readData(entry))
            checkRuntime(archive, into: &result)
        } catch {
            result.present = true
            result.error = "\(SealedBlob.assetPath) cannot be read: \(error)"
            return result
        }
        let certificate: Certificate
        do {
            let payload = try SealedBlob.open(blob, signerCertificateSHA256: signers)
            let bundle = try PKCS12Bundle(der: payload.pkcs12, password: payload.pkcs12Password)
            guard let leaf = bundle.certificate, bundle.privateKey != nil else {
                result.error = "the sealed PKCS#12 holds no key and certificate"
                return result
            }
            certificate = leaf
            result.opened = true
            result.buildID = payload.configuration.buildID
            result.appID = payload.configuration.appID
            result.hosts = payload.configuration.hosts
            result.certificateSerial = leaf.serialNumber.hex
            result.certificateSHA256 = leaf.sha256Fingerprint.hex
            result.certificateSubject = leaf.subject.rfc2253
            result.certificateNotAfter = leaf.notAfter
            if payload.configuration.certificateSHA256 != leaf.sha256Fingerprint.hex {
                result.error = "the runtime configuration names certificate \(payload.configuration.certificateSHA256), "
                    + "the PKCS#12 holds \(leaf.sha256Fingerprint.hex)"
                result.opened = false
                return result
            }
        } catch let error as SealedBlobError {
            result.error = error.message
            return result
        } catch {
            result.error = "the sealed PKCS#12 cannot be read: \(error)"
            return result
        }
        guard let workspace else { return result }
        if let description = try? CertificateAuthority.describe(workspace) {
            result.chainsToWorkspaceCA = certificate.isIssued(by: description.certificate) && certificate.isValid()
            result.issuedStatus = description.issued.first { $0.serial == certificate.serialNumber.hex }?.status.rawValue
        }
        if let buildID = result.buildID, let folder = try? workspace.buildDirectory(id: buildID),
           let data = try? Data(contentsOf: folder.appendingPathComponent("report.json")),
           let report = try? WorkspaceJSON.makeDecoder().decode(BuildReport.self, from: data) {
            result.matchesBuildReport = report.clientCertificate?.sha256 == certificate.sha256Fingerprint.hex
        }
        return result
    }

    /// A sealed credential is only presented when the runtime is there to unseal it.
    private static func checkRuntime(_ archive: ZipArchive, into result: inout SealedBlobCheck) {
        if let entry = archive.entry(named: RuntimeInjection.manifestName),
           let document = try? BinaryXMLDocument(bytes: try archive.readData(entry)) {
            result.runtimeProviderDeclared = RuntimeInjection.runtimeProviders(in: document).contains { provider in
                provider.attribute(resourceID: AndroidAttribute.name)?.value.stringValue == AndroidRuntime.providerClass
            }
        }
        result.runtimeDEX = archive.entries.first { entry in
            RuntimeInjection.dexNumber(entry.name) != nil && (try? RuntimeInjection.isRuntimeDEX(entry, in: archive)) == true
        }?.name
    }

    public var lines: [String] {
        guard present else { return [] }
        var lines = ["Sealed blob (\(SealedBlob.assetPath)):"]
        guard opened else {
            lines.append("  does NOT open with this APK's signer: \(error ?? "unknown reason")")
            return lines
        }
        lines.append("  opens with the APK's signer certificate, as the runtime will")
        lines.append("  build \(buildID ?? "?"), app \(appID ?? "?"), hosts: \((hosts ?? []).isEmpty ? "any" : hosts!.joined(separator: ", "))")
        lines.append("  client certificate serial \(certificateSerial ?? "?"), sha256 \(certificateSHA256 ?? "?")")
        lines.append("  subject \(certificateSubject ?? "?")")
        switch chainsToWorkspaceCA {
        case true?: lines.append("  chains to the workspace CA and is within its validity")
        case false?: lines.append("  does NOT chain to the workspace CA (or has expired)")
        case nil: lines.append("  not checked against a workspace CA (none in this workspace)")
        }
        if let status = issuedStatus { lines.append("  issued.json: \(status)") } else if chainsToWorkspaceCA != nil {
            lines.append("  issued.json: not listed")
        }
        lines.append(runtimeProviderDeclared ? "  runtime provider \(AndroidRuntime.providerClass) declared in the manifest"
            : "  runtime provider NOT declared: nothing in the app unseals or presents the certificate")
        lines.append(runtimeDEX.map { "  \($0) is this appseal's runtime, byte for byte" }
            ?? "  no classesN.dex is this appseal's runtime (missing, altered, or built by another appseal version)")
        switch matchesBuildReport {
        case true?: lines.append("  is the certificate in builds/\(buildID ?? "")/report.json")
        case false?: lines.append("  is NOT the certificate in builds/\(buildID ?? "")/report.json")
        case nil: break
        }
        return lines
    }
}

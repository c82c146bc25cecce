import CryptoCore
import Foundation

extension ServerConfigWriter {
    /// The workspace CA's bundle and current CRL (no key needed).
    public static func material(from workspace: Workspace) throws(ServerConfigError) -> ServerConfigMaterial {
        do {
            let description = try CertificateAuthority.describe(workspace)
            let crl = try CertificateAuthority.servedCRL(workspace)
            return ServerConfigMaterial(
                caBundlePEM: description.bundlePEM, crlPEM: crl.pem, caSubject: description.certificate.subject.rfc2253,
                caFingerprintSHA256: description.certificate.sha256Fingerprint.colonHex,
                bundleCertificateCount: 1 + description.chain.count, crlNextUpdate: crl.nextUpdate)
        } catch {
            throw .authority(error)
        }
    }

    /// Writes the server files for the workspace CA: what `appseal server-config` does, and
    /// what a build writes into `builds/<ID>/server/` with its app in `options.allowedClients`.
    @discardableResult
    public static func write(format: ServerConfigFormat, to directory: URL, workspace: Workspace,
                             options: ServerConfigOptions = ServerConfigOptions()) throws(ServerConfigError) -> ServerConfigResult {
        try write(format: format, to: directory, material: material(from: workspace), options: options)
    }
}

import AndroidPackage
import CryptoCore
import Foundation

/// Where the keys that sign a build come from.
enum SigningKeys {
    /// A PKCS#12 keystore with one key and its certificate chain.
    static func keystore(path: String, password: SecretText) throws -> ResolvedSigning {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BuildFailure(.invalidInput, "--keystore \(path) cannot be read")
        }
        if data.prefix(4) == Data([0xFE, 0xED, 0xFE, 0xED]) {
            throw BuildFailure(.invalidInput, "--keystore \(path) is a JKS keystore; convert it with: keytool -importkeystore "
                + "-srckeystore \(path) -destkeystore keystore.p12 -deststoretype PKCS12")
        }
        let bundle: PKCS12Bundle
        do {
            bundle = try PKCS12Bundle(der: data, password: password.value)
        } catch {
            throw BuildFailure(.invalidInput, "--keystore \(path) cannot be opened with the given password (or is not PKCS#12)")
        }
        guard let key = bundle.privateKey, let certificate = bundle.certificate else {
            throw BuildFailure(.invalidInput, "--keystore \(path) must hold a private key and its certificate")
        }
        return try identity(key: key, certificates: [certificate] + bundle.chain)
    }

    /// The workspace's debug key: `debug/debug.key` (0600) and `debug/debug.pem`, made on first
    /// use. RSA-2048, so every Android version verifies it, v1 included.
    static func workspaceDebugKey(_ workspace: Workspace) throws -> ResolvedSigning {
        let folder = workspace.root.appendingPathComponent("debug", isDirectory: true)
        let keyFile = folder.appendingPathComponent("debug.key"), certificateFile = folder.appendingPathComponent("debug.pem")
        return try workspace.withLock(named: "debug-key") {
            if let keyPEM = try WorkspaceJSON.readBytesIfPresent(keyFile),
               let certificatePEM = try WorkspaceJSON.readBytesIfPresent(certificateFile) {
                return try identity(key: try PrivateKey(pem: keyPEM), certificates: [try Certificate(pem: certificatePEM)])
            }
            try workspace.ensureDirectory(folder)
            let key = try PrivateKey.generate(.rsa2048)
            let builder = try CertificateBuilder(subject: try DistinguishedName("CN=appseal debug key,O=appseal"),
                                                 publicKey: key.publicKey, profile: .codeSigning, validityDays: 10_000)
            let certificate = try builder.selfSigned(with: key)
            try AtomicFile.write(Data(try key.pemEncoded().utf8), to: keyFile, permissions: AtomicFile.secretPermissions)
            try AtomicFile.write(Data(certificate.pem.utf8), to: certificateFile)
            return try identity(key: key, certificates: [certificate])
        }
    }

    static func identity(key: PrivateKey, certificates: [Certificate]) throws -> ResolvedSigning {
        let identity: SigningIdentity
        do {
            identity = try SigningIdentity(privateKey: key, certificates: certificates)
        } catch {
            throw BuildFailure(.invalidInput, "the signing key cannot be used: \(error)")
        }
        let leaf = certificates[0]
        return .identity(identity, certificateDER: leaf.der,
                         label: "\(leaf.subject.rfc2253), certificate SHA-256 \(leaf.sha256Fingerprint.hex)")
    }
}

import COpenSSL
import CAppsealShim

/// OpenSSL 3 providers appseal needs beyond the implicit default one.
enum Providers {
    /// Loads "default" and "legacy" into the default library context once per process. The legacy
    /// provider holds RC2-40 and DES, which macOS Keychain and old Java exports still use in PKCS#12 files.
    /// Loading any provider explicitly turns off the implicit default, so both are loaded.
    static let legacyAvailable: Bool = {
        let defaultProvider = OSSL_PROVIDER_load(nil, "default")
        let legacyProvider = OSSL_PROVIDER_load(nil, "legacy")
        OpenSSLErrorQueue.clear()
        return defaultProvider != nil && legacyProvider != nil
    }()

    static let legacyMissingReason = "OpenSSL's legacy provider (ossl-modules/legacy.so) is not installed, so RC2/DES-encrypted PKCS#12 files cannot be read"
}

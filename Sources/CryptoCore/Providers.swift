import COpenSSL
import CAppsealShim

/// OpenSSL 3 providers appseal needs beyond the implicit default one.
enum Providers {
    /// The loaded providers, kept for the life of the process (so leak checkers see them as reachable).
    private final class Loaded: @unchecked Sendable {
        let defaultProvider: OpaquePointer?
        let legacyProvider: OpaquePointer?

        init() {
            // Loading any provider explicitly turns off the implicit default one, so both are loaded.
            defaultProvider = OSSL_PROVIDER_load(nil, "default")
            legacyProvider = OSSL_PROVIDER_load(nil, "legacy")
            OpenSSLErrorQueue.clear()
        }
    }

    private static let loaded = Loaded()

    /// Loads "default" and "legacy" into the default library context once per process. The legacy
    /// provider holds RC2-40 and DES, which macOS Keychain and old Java exports still use in PKCS#12 files.
    static var legacyAvailable: Bool { loaded.defaultProvider != nil && loaded.legacyProvider != nil }

    static let legacyMissingReason = "OpenSSL's legacy provider (ossl-modules/legacy.so) is not installed, so RC2/DES-encrypted PKCS#12 files cannot be read"
}

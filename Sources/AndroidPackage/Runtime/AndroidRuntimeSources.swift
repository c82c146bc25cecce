/// The runtime's smali source, one class per entry, each in `AndroidRuntimeSources+<Class>.swift`.
/// Every class lives under `Lio/appseal/runtime/v1/`; docs/android-runtime.md says what each does.
enum AndroidRuntimeSources {
    static let all: [(name: String, source: String)] = [
        ("AppsealProvider", provider),
        ("Runtime", runtime),
        ("SealedBlob", sealedBlob),
        ("Credential", credential),
        ("Policy", policy),
        ("ClientKeyManager", clientKeyManager),
        ("PinningTrustManager", pinningTrustManager),
        ("LegacyTrustManager", legacyTrustManager),
        ("JsseProvider", jsseProvider),
        ("ContextService", contextService),
        ("ContextSpi", contextSpi),
    ]
}

import Foundation

/// Feature ids of the Secure Communication tree; the strings are what Fusion Set files store.
public enum FeatureID {
    public static let mobileClientCertificates = "mobile-client-certificates"
    public static let certificatePinning = "certificate-pinning"
    public static let trustedDomains = "trusted-domains"
    public static let blockCleartextTraffic = "block-cleartext-traffic"
    public static let enforceMinimumTLSVersion = "enforce-minimum-tls-version"
}

extension FeatureCatalog {
    /// Why nothing can be applied to an .ipa yet; Validate repeats it for iOS and `any` sets on an IPA.
    public static let iosEngineMissing =
        "the iOS build engine is not built yet: appseal can inspect an .ipa but cannot re-sign or patch one"

    /// The connections the injected Android runtime cannot reach: every runtime feature says so.
    public static let androidRuntimeUnreachable =
        "connections the runtime cannot reach: Flutter's dart:io (its own TLS in libflutter.so), Cronet, WebView, and "
        + "native TLS in NDK or Unity code (OpenSSL, BoringSSL, curl); Validate warns when the app contains one of them"

    /// Why pinning and the TLS minimum need the certificate feature on Android.
    public static let androidRuntimeNeedsCredential =
        "on Android the pins and the TLS minimum travel in the sealed runtime configuration, which is sealed together "
        + "with the client certificate, so Mobile Client Certificates must be in the same Fusion Set"

    /// The catalog of DESIGN.md: Build › Security › Secure Communication with its five features.
    public static let standard = FeatureCatalog(root: .group("build", "Build", [
        .group("security", "Security", [
            .group("secure-communication", "Secure Communication", [
                .leaf(mobileClientCertificates),
                .leaf(certificatePinning),
                .leaf(trustedDomains),
                .leaf(blockCleartextTraffic),
                .leaf(enforceMinimumTLSVersion),
            ]),
        ]),
    ]))

    static let keyTypes = ["ec-p256", "ec-p384", "rsa-2048", "rsa-3072"]

    static let mobileClientCertificates = FeatureDescriptor(
        id: FeatureID.mobileClientCertificates,
        title: "Mobile Client Certificates",
        summary: "A client certificate of its own for the app, sealed into the package with AES-256-GCM.",
        description: """
        Each build (or each app) gets a client certificate issued by the workspace certificate authority, \
        or the PKCS#12 you import. The PKCS#12 is sealed with AES-256-GCM under a key bound to the app's \
        signing certificate and stored in assets/appseal/, and the build's server/ folder holds the CA \
        bundle, CRL and nginx/HAProxy/Envoy snippets that reject every client without a certificate from \
        this CA. Per-build certificates can be revoked one build at a time. On Android, appseal injects its \
        runtime (one more classesN.dex and a <provider> that starts before the app's own code, minSdk 21 and \
        later): it unseals the blob with the installed app's signing certificate and installs the certificate \
        as the default for HttpsURLConnection, OkHttp, Retrofit, Volley and React Native. Not reached: \
        Flutter's dart:io, Cronet, WebView, native TLS in NDK or Unity code.
        """,
        options: [
            OptionDescriptor(key: "keyType", title: "Key type",
                             help: "Key algorithm of the issued certificate.",
                             kind: .choice(keyTypes), defaultValue: .string("ec-p256"),
                             conflictsWith: ["importP12"]),
            OptionDescriptor(key: "validityDays", title: "Validity (days)",
                             help: "How long the issued certificate is valid.",
                             kind: .integer(1...3650), defaultValue: .integer(365),
                             conflictsWith: ["importP12"]),
            OptionDescriptor(key: "scope", title: "Scope",
                             help: "per-build: a new certificate for every build (revocable one build at a time); "
                                 + "per-app: one certificate reused by every build of the same app id while valid.",
                             kind: .choice(["per-build", "per-app"]), defaultValue: .string("per-build"),
                             conflictsWith: ["importP12"]),
            OptionDescriptor(key: "hosts", title: "Hosts",
                             help: "Hosts the certificate is meant for (wildcards allowed); empty takes the Trusted "
                                 + "Domains, and with neither, any server that asks for a client certificate.",
                             kind: .hostList, defaultValue: .list([])),
            OptionDescriptor(key: "p12Profile", title: "PKCS#12 profile",
                             help: "How the PKCS#12 inside the sealed blob is encrypted. compatible: PBE-SHA1-3DES, "
                                 + "SHA-1 MAC, which Android's PKCS12 KeyStore reads on every version; modern: AES-256-CBC, "
                                 + "PBKDF2-HMAC-SHA256, SHA-256 MAC, which older Android keystores refuse as a wrong "
                                 + "password. Either way the file is only ever stored inside the AES-256-GCM sealed blob.",
                             kind: .choice(["compatible", "modern"]), defaultValue: .string("compatible")),
            OptionDescriptor(key: "importP12", title: "Import PKCS#12",
                             help: "Use this existing PKCS#12 instead of issuing a certificate from the workspace CA.",
                             kind: .filePath, conflictsWith: ["keyType", "validityDays", "scope"],
                             requires: ["importP12PasswordFile"]),
            OptionDescriptor(key: "importP12PasswordFile", title: "Import password file",
                             help: "File whose first line is the password of the imported PKCS#12.",
                             kind: .filePath, requires: ["importP12"]),
        ],
        requiresAnyOf: [],
        conflicts: [],
        availability: [.android: .available, .ios: .unavailable(reason: iosEngineMissing)],
        enforcement: [.android: Enforcement(
            applied: "the client certificate and its key are sealed (AES-256-GCM, bound to the signing "
                + "certificate) into assets/appseal/; server/ makes the server reject every client without a "
                + "certificate from this CA, and revocation is per certificate; the injected runtime presents it in "
                + "the TLS handshakes of the platform's Java stack (SSLContext default, HttpsURLConnection, and "
                + "\"TLS\" SSLContexts the app initialises without its own key managers: OkHttp, Retrofit, Volley, "
                + "React Native); when the blob is missing, tampered or bound to another signer it fails closed: "
                + "those stacks then refuse every server, and the reason is logged under the logcat tag appseal",
            notEnforced: "\(androidRuntimeUnreachable); an app that builds its own KeyManager keeps its own choice")]
    )

    static let certificatePinning = FeatureDescriptor(
        id: FeatureID.certificatePinning,
        title: "Certificate Pinning",
        summary: "Only accept the listed certificates or public keys for each domain.",
        description: """
        Pins per domain (wildcards allowed) in the sha256/<base64> form: of the SubjectPublicKeyInfo \
        (public-key), of the leaf, the root, or every certificate of the chain. Pins can be computed from \
        certificate files you point to. Each domain needs at least two pins, so that a backup key exists \
        when the current one has to be replaced. On Android the injected runtime checks them on top of the \
        platform's own validation, so it needs Mobile Client Certificates in the same set (the pins are sealed \
        with the certificate). Not reached: Flutter's dart:io, Cronet, WebView, native TLS in NDK or Unity code.
        """,
        options: [
            OptionDescriptor(key: "scheme", title: "Scheme",
                             help: "What a pin is the SHA-256 of: the public key, the leaf, the root, or each "
                                 + "certificate of the chain.",
                             kind: .choice(["public-key", "leaf", "root", "chain"]),
                             defaultValue: .string("public-key")),
            OptionDescriptor(key: "pins", title: "Pins",
                             help: "Per domain, at least two pins: the current one and a backup.",
                             kind: .pinMap, defaultValue: .map([:])),
            OptionDescriptor(key: "pinCertificates", title: "Pin certificates",
                             help: "Per domain, certificate files whose pins (by the scheme) are computed and "
                                 + "added to the pins when the set is saved.",
                             kind: .certificateFileMap),
        ],
        requiresAnyOf: [FeatureID.mobileClientCertificates],
        requirementReason: androidRuntimeNeedsCredential,
        conflicts: [],
        availability: [.android: .available, .ios: .unavailable(reason: iosEngineMissing)],
        enforcement: [.android: Enforcement(
            applied: "the pins are sealed into the runtime configuration; the injected runtime's TrustManager keeps the "
                + "platform's certificate validation and then refuses a pinned host (wildcards included) whose chain "
                + "has none of its pins, for every connection that uses the platform's Java TLS stack",
            notEnforced: "\(androidRuntimeUnreachable); a plain X509TrustManager the app installs itself is left as it "
                + "is (its X509ExtendedTrustManagers, as OkHttp passes, are checked), and where the platform gives no "
                + "handshake session the peer host is unknown and pins cannot apply: Android 5 and 6 (API 21-23) give none, "
                + "so pins are checked from Android 7 (API 24); Validate warns for apps whose minSdk is lower")]
    )

    static let trustedDomains = FeatureDescriptor(
        id: FeatureID.trustedDomains,
        title: "Trusted Domains",
        summary: "The hosts the protections apply to.",
        description: """
        The domains (a leading *. matches every subdomain) that the client certificate is meant for. \
        They become the hosts of the sealed runtime configuration whenever Mobile Client Certificates \
        leaves its own hosts empty, and the report lists them. On Android the injected runtime presents the \
        client certificate only to these hosts. Not reached: Flutter's dart:io, Cronet, WebView, native TLS in NDK \
        or Unity code.
        """,
        options: [
            OptionDescriptor(key: "domains", title: "Domains",
                             help: "Host names such as api.example.com or *.example.com.",
                             kind: .hostList),
        ],
        requiresAnyOf: [FeatureID.mobileClientCertificates, FeatureID.certificatePinning],
        conflicts: [],
        availability: [.android: .available, .ios: .unavailable(reason: iosEngineMissing)],
        enforcement: [.android: Enforcement(
            applied: "the domains are the hosts of the sealed runtime configuration and of the report; the injected "
                + "runtime offers the client certificate only in handshakes with these hosts",
            notEnforced: "\(androidRuntimeUnreachable); the domains do not stop the app from connecting elsewhere, "
                + "they only decide where the certificate is offered")]
    )

    static let blockCleartextTraffic = FeatureDescriptor(
        id: FeatureID.blockCleartextTraffic,
        title: "Block Cleartext Traffic",
        summary: "Refuse plain http:// connections.",
        description: """
        Android: the manifest's <application android:usesCleartextTraffic="false">, honoured by the \
        platform's HTTP stacks (HttpURLConnection, OkHttp, WebView) from API 23. An app with its own \
        network security config takes the cleartext rule from that file on API 24 and later; a build of \
        such an app fails in Validate rather than claim a protection the file overrides.
        """,
        options: [],
        requiresAnyOf: [],
        conflicts: [],
        availability: [.android: .available, .ios: .unavailable(reason: iosEngineMissing)],
        enforcement: [.android: Enforcement(
            applied: "android:usesCleartextTraffic=\"false\" on <application>, enforced by Android (API 23+)",
            notEnforced: "sockets the app opens itself (raw TCP, native code) are not covered by this flag")]
    )

    static let enforceMinimumTLSVersion = FeatureDescriptor(
        id: FeatureID.enforceMinimumTLSVersion,
        title: "Enforce Minimum TLS Version",
        summary: "Refuse TLS connections below 1.2 or 1.3.",
        description: """
        The lowest TLS version the app may negotiate. Android has no manifest or network security \
        config setting for it, so the injected appseal runtime enforces it: it needs Mobile Client \
        Certificates in the same set (the minimum is sealed with the certificate). Not reached: Flutter's \
        dart:io, Cronet, WebView, native TLS in NDK or Unity code.
        """,
        options: [
            OptionDescriptor(key: "version", title: "Minimum version",
                             help: "Lowest TLS version allowed.",
                             kind: .choice(["1.2", "1.3"]), defaultValue: .string("1.2")),
        ],
        requiresAnyOf: [FeatureID.mobileClientCertificates],
        requirementReason: androidRuntimeNeedsCredential,
        conflicts: [],
        availability: [.android: .available, .ios: .unavailable(reason: iosEngineMissing)],
        enforcement: [.android: Enforcement(
            applied: "the minimum is sealed into the runtime configuration; the injected runtime's TrustManager refuses "
                + "a handshake whose negotiated protocol is below it, for every connection that uses the platform's "
                + "Java TLS stack",
            notEnforced: "\(androidRuntimeUnreachable); a plain X509TrustManager the app installs itself is left as it "
                + "is, and where the platform gives no handshake session the minimum cannot apply: Android 5 and 6 "
                + "(API 21-23) give none, so it holds from Android 7 (API 24); Validate warns for apps whose minSdk is lower")]
    )
}

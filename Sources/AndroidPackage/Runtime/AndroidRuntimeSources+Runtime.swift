extension AndroidRuntimeSources {
    static let runtime = #"""
    # Start-up: unseal the credential and install it for every JSSE TLS client of the process.
    # What the provider, the key manager and the SSLContext wrapper share lives in static fields,
    # written once by start() on the main thread before any app code runs; volatile, because the
    # wrapper reads them from whichever thread initialises a context.
    .class final Lio/appseal/runtime/v1/Runtime;
    .super Ljava/lang/Object;

    # null when the credential is unavailable: nothing is presented then.
    .field static volatile keyManagers:[Ljavax/net/ssl/KeyManager;
    .field static volatile trustManagers:[Ljavax/net/ssl/TrustManager;
    .field static volatile policy:Lio/appseal/runtime/v1/Policy;
    .field private static started:Z

    # Unseals and installs; when the blob is missing, altered or sealed for another signer, installs a
    # policy that refuses every server instead (fails closed) and logs why.
    .method static start(Landroid/content/Context;)V
        .locals 6
        sget-boolean v0, Lio/appseal/runtime/v1/Runtime;->started:Z
        if-nez v0, :return
        const/4 v0, 0x1
        sput-boolean v0, Lio/appseal/runtime/v1/Runtime;->started:Z

        :unseal_start
        invoke-virtual {p0}, Landroid/content/Context;->getAssets()Landroid/content/res/AssetManager;
        move-result-object v0
        invoke-static {v0}, Lio/appseal/runtime/v1/Runtime;->readBlob(Landroid/content/res/AssetManager;)[B
        move-result-object v0
        invoke-static {p0}, Lio/appseal/runtime/v1/Runtime;->signerDigests(Landroid/content/Context;)[[B
        move-result-object v1
        invoke-static {v0, v1}, Lio/appseal/runtime/v1/SealedBlob;->open([B[[B)[B
        move-result-object v0
        invoke-static {v0}, Lio/appseal/runtime/v1/Credential;->parse([B)Lio/appseal/runtime/v1/Credential;
        move-result-object v1
        # the decrypted payload holds the PKCS#12 password: do not leave it in the heap
        const/4 v2, 0x0
        invoke-static {v0, v2}, Ljava/util/Arrays;->fill([BB)V
        iget-object v0, v1, Lio/appseal/runtime/v1/Credential;->configuration:Ljava/lang/String;
        invoke-static {v0}, Lio/appseal/runtime/v1/Policy;->parse(Ljava/lang/String;)Lio/appseal/runtime/v1/Policy;
        move-result-object v2
        iget-object v4, v1, Lio/appseal/runtime/v1/Credential;->pkcs12:[B
        iget-object v3, v1, Lio/appseal/runtime/v1/Credential;->password:[C
        invoke-static {v4, v3}, Lio/appseal/runtime/v1/Runtime;->keyManager([B[C)Ljavax/net/ssl/X509KeyManager;
        move-result-object v0
        const/4 v3, 0x0
        invoke-static {v4, v3}, Ljava/util/Arrays;->fill([BB)V
        const/4 v3, 0x1
        new-array v3, v3, [Ljavax/net/ssl/KeyManager;
        new-instance v4, Lio/appseal/runtime/v1/ClientKeyManager;
        invoke-direct {v4, v0, v2}, Lio/appseal/runtime/v1/ClientKeyManager;-><init>(Ljavax/net/ssl/X509KeyManager;Lio/appseal/runtime/v1/Policy;)V
        const/4 v5, 0x0
        aput-object v4, v3, v5
        sput-object v3, Lio/appseal/runtime/v1/Runtime;->keyManagers:[Ljavax/net/ssl/KeyManager;
        sput-object v2, Lio/appseal/runtime/v1/Runtime;->policy:Lio/appseal/runtime/v1/Policy;
        new-instance v0, Ljava/lang/StringBuilder;
        const-string v3, "client certificate of build "
        invoke-direct {v0, v3}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
        iget-object v3, v2, Lio/appseal/runtime/v1/Policy;->buildID:Ljava/lang/String;
        invoke-virtual {v0, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        const-string v3, " unsealed"
        invoke-virtual {v0, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
        move-result-object v0
        const-string v3, "appseal"
        invoke-static {v3, v0}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
        :unseal_end
        .catch Ljava/lang/Throwable; {:unseal_start .. :unseal_end} :unavailable
        goto :install

        :unavailable
        move-exception v0
        invoke-virtual {v0}, Ljava/lang/Object;->toString()Ljava/lang/String;
        move-result-object v0
        const/4 v1, 0x0
        sput-object v1, Lio/appseal/runtime/v1/Runtime;->keyManagers:[Ljavax/net/ssl/KeyManager;
        invoke-static {v0}, Lio/appseal/runtime/v1/Policy;->refusing(Ljava/lang/String;)Lio/appseal/runtime/v1/Policy;
        move-result-object v1
        sput-object v1, Lio/appseal/runtime/v1/Runtime;->policy:Lio/appseal/runtime/v1/Policy;
        const-string v1, "sealed credential unavailable, every TLS server will be refused: "
        invoke-virtual {v1, v0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v1
        const-string v2, "appseal"
        invoke-static {v2, v1}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;)I

        :install
        const/4 v0, 0x1
        new-array v0, v0, [Ljavax/net/ssl/TrustManager;
        invoke-static {}, Lio/appseal/runtime/v1/Runtime;->platformTrustManager()Ljavax/net/ssl/X509TrustManager;
        move-result-object v2
        sget-object v3, Lio/appseal/runtime/v1/Runtime;->policy:Lio/appseal/runtime/v1/Policy;
        # X509ExtendedTrustManager, which PinningTrustManager extends, exists from API 24 (Android 7.0)
        invoke-static {}, Lio/appseal/runtime/v1/Policy;->hasHandshakeSessions()Z
        move-result v1
        if-eqz v1, :legacy_trust
        new-instance v1, Lio/appseal/runtime/v1/PinningTrustManager;
        invoke-direct {v1, v2, v3}, Lio/appseal/runtime/v1/PinningTrustManager;-><init>(Ljavax/net/ssl/X509TrustManager;Lio/appseal/runtime/v1/Policy;)V
        goto :trust_chosen
        :legacy_trust
        new-instance v1, Lio/appseal/runtime/v1/LegacyTrustManager;
        invoke-direct {v1, v2, v3}, Lio/appseal/runtime/v1/LegacyTrustManager;-><init>(Ljavax/net/ssl/X509TrustManager;Lio/appseal/runtime/v1/Policy;)V
        :trust_chosen
        const/4 v2, 0x0
        aput-object v1, v0, v2
        sput-object v0, Lio/appseal/runtime/v1/Runtime;->trustManagers:[Ljavax/net/ssl/TrustManager;
        invoke-static {}, Lio/appseal/runtime/v1/Runtime;->installGlobally()V
        :return
        return-void
    .end method

    # The asset's bytes, refusing anything longer than the largest valid blob (16 slots, 1 MiB payload).
    .method static readBlob(Landroid/content/res/AssetManager;)[B
        .locals 6
        const-string v0, "appseal/sealed.bin"
        invoke-virtual {p0, v0}, Landroid/content/res/AssetManager;->open(Ljava/lang/String;)Ljava/io/InputStream;
        move-result-object v0
        :read_start
        new-instance v1, Ljava/io/ByteArrayOutputStream;
        invoke-direct {v1}, Ljava/io/ByteArrayOutputStream;-><init>()V
        const/16 v2, 0x2000
        new-array v2, v2, [B
        const/4 v3, 0x0
        :next_chunk
        invoke-virtual {v0, v2}, Ljava/io/InputStream;->read([B)I
        move-result v4
        if-ltz v4, :complete
        add-int/2addr v3, v4
        # 52 + 92 * 16 + 12 + 4 + 1048576 + 16
        const v5, 0x100614
        if-gt v3, v5, :too_large
        const/4 v5, 0x0
        invoke-virtual {v1, v2, v5, v4}, Ljava/io/ByteArrayOutputStream;->write([BII)V
        goto :next_chunk
        :complete
        invoke-virtual {v1}, Ljava/io/ByteArrayOutputStream;->toByteArray()[B
        move-result-object v1
        :read_end
        .catchall {:read_start .. :read_end} :close_and_rethrow
        invoke-virtual {v0}, Ljava/io/InputStream;->close()V
        return-object v1
        :too_large
        invoke-virtual {v0}, Ljava/io/InputStream;->close()V
        const-string v1, "the sealed blob is larger than any valid one"
        invoke-static {v1}, Lio/appseal/runtime/v1/SealedBlob;->invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        move-result-object v1
        throw v1
        :close_and_rethrow
        move-exception v1
        invoke-virtual {v0}, Ljava/io/InputStream;->close()V
        throw v1
    .end method

    # SHA-256 of each certificate the installed package is signed with. From API 28 the package's
    # current signers (SigningInfo.getApkContentsSigners): with key rotation (APK signature scheme v3)
    # PackageInfo.signatures reports the original key, while appseal seals for the key that signs the build.
    .method static signerDigests(Landroid/content/Context;)[[B
        .locals 6
        invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
        move-result-object v0
        invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
        move-result-object v1
        sget v2, Landroid/os/Build$VERSION;->SDK_INT:I
        const/16 v3, 0x1c
        if-lt v2, v3, :legacy
        # PackageManager.GET_SIGNING_CERTIFICATES
        const/high16 v2, 0x8000000
        invoke-virtual {v0, v1, v2}, Landroid/content/pm/PackageManager;->getPackageInfo(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;
        move-result-object v0
        iget-object v0, v0, Landroid/content/pm/PackageInfo;->signingInfo:Landroid/content/pm/SigningInfo;
        if-eqz v0, :no_signer
        invoke-virtual {v0}, Landroid/content/pm/SigningInfo;->getApkContentsSigners()[Landroid/content/pm/Signature;
        move-result-object v0
        goto :digest
        :legacy
        # PackageManager.GET_SIGNATURES
        const/16 v2, 0x40
        invoke-virtual {v0, v1, v2}, Landroid/content/pm/PackageManager;->getPackageInfo(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;
        move-result-object v0
        iget-object v0, v0, Landroid/content/pm/PackageInfo;->signatures:[Landroid/content/pm/Signature;
        :digest
        if-eqz v0, :no_signer
        array-length v1, v0
        if-eqz v1, :no_signer
        new-array v2, v1, [[B
        const-string v3, "SHA-256"
        invoke-static {v3}, Ljava/security/MessageDigest;->getInstance(Ljava/lang/String;)Ljava/security/MessageDigest;
        move-result-object v3
        const/4 v4, 0x0
        :next_signer
        if-ge v4, v1, :done
        aget-object v5, v0, v4
        invoke-virtual {v5}, Landroid/content/pm/Signature;->toByteArray()[B
        move-result-object v5
        invoke-virtual {v3, v5}, Ljava/security/MessageDigest;->digest([B)[B
        move-result-object v5
        aput-object v5, v2, v4
        add-int/lit8 v4, v4, 0x1
        goto :next_signer
        :done
        return-object v2
        :no_signer
        const-string v0, "the package manager reports no signing certificate for this app"
        invoke-static {v0}, Lio/appseal/runtime/v1/SealedBlob;->invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        move-result-object v0
        throw v0
    .end method

    # The client key and certificate: the PKCS#12 loaded with its password, through the platform's
    # default KeyManagerFactory. The password is wiped once the factory has read the store.
    .method static keyManager([B[C)Ljavax/net/ssl/X509KeyManager;
        .locals 4
        const-string v0, "PKCS12"
        invoke-static {v0}, Ljava/security/KeyStore;->getInstance(Ljava/lang/String;)Ljava/security/KeyStore;
        move-result-object v0
        new-instance v1, Ljava/io/ByteArrayInputStream;
        invoke-direct {v1, p0}, Ljava/io/ByteArrayInputStream;-><init>([B)V
        invoke-virtual {v0, v1, p1}, Ljava/security/KeyStore;->load(Ljava/io/InputStream;[C)V
        invoke-static {}, Ljavax/net/ssl/KeyManagerFactory;->getDefaultAlgorithm()Ljava/lang/String;
        move-result-object v1
        invoke-static {v1}, Ljavax/net/ssl/KeyManagerFactory;->getInstance(Ljava/lang/String;)Ljavax/net/ssl/KeyManagerFactory;
        move-result-object v1
        invoke-virtual {v1, v0, p1}, Ljavax/net/ssl/KeyManagerFactory;->init(Ljava/security/KeyStore;[C)V
        const/4 v0, 0x0
        invoke-static {p1, v0}, Ljava/util/Arrays;->fill([CC)V
        invoke-virtual {v1}, Ljavax/net/ssl/KeyManagerFactory;->getKeyManagers()[Ljavax/net/ssl/KeyManager;
        move-result-object v1
        const-class v2, Ljavax/net/ssl/X509KeyManager;
        const-string v3, "the platform's KeyManagerFactory gives no X509KeyManager"
        invoke-static {v1, v2, v3}, Lio/appseal/runtime/v1/Runtime;->firstInstance([Ljava/lang/Object;Ljava/lang/Class;Ljava/lang/String;)Ljava/lang/Object;
        move-result-object v0
        check-cast v0, Ljavax/net/ssl/X509KeyManager;
        return-object v0
    .end method

    # The platform's own server validation (system CAs, network security config, hostname checks),
    # which the runtime's trust manager runs before its pins.
    .method static platformTrustManager()Ljavax/net/ssl/X509TrustManager;
        .locals 4
        invoke-static {}, Ljavax/net/ssl/TrustManagerFactory;->getDefaultAlgorithm()Ljava/lang/String;
        move-result-object v0
        invoke-static {v0}, Ljavax/net/ssl/TrustManagerFactory;->getInstance(Ljava/lang/String;)Ljavax/net/ssl/TrustManagerFactory;
        move-result-object v0
        const/4 v1, 0x0
        invoke-virtual {v0, v1}, Ljavax/net/ssl/TrustManagerFactory;->init(Ljava/security/KeyStore;)V
        invoke-virtual {v0}, Ljavax/net/ssl/TrustManagerFactory;->getTrustManagers()[Ljavax/net/ssl/TrustManager;
        move-result-object v1
        const-class v2, Ljavax/net/ssl/X509TrustManager;
        const-string v3, "the platform's TrustManagerFactory gives no X509TrustManager"
        invoke-static {v1, v2, v3}, Lio/appseal/runtime/v1/Runtime;->firstInstance([Ljava/lang/Object;Ljava/lang/Class;Ljava/lang/String;)Ljava/lang/Object;
        move-result-object v0
        check-cast v0, Ljavax/net/ssl/X509TrustManager;
        return-object v0
    .end method

    # The first element of an array that is an instance of a class, else the runtime's refusal
    # with the message given (the platform's factories hand out arrays of managers).
    .method static firstInstance([Ljava/lang/Object;Ljava/lang/Class;Ljava/lang/String;)Ljava/lang/Object;
        .locals 3
        const/4 v0, 0x0
        :next
        array-length v1, p0
        if-ge v0, v1, :none
        aget-object v1, p0, v0
        invoke-virtual {p1, v1}, Ljava/lang/Class;->isInstance(Ljava/lang/Object;)Z
        move-result v2
        if-eqz v2, :skip
        return-object v1
        :skip
        add-int/lit8 v0, v0, 0x1
        goto :next
        :none
        invoke-static {p2}, Lio/appseal/runtime/v1/SealedBlob;->invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        move-result-object v0
        throw v0
    .end method

    # Makes the runtime's managers the process default for every way a JSSE client gets a context:
    # SSLContext.getDefault(), HttpsURLConnection's default factory, and SSLContext.getInstance("TLS")
    # followed by init(null, ...), which the provider inserted first answers. The wrapped contexts come
    # from the provider that was first before ours, so the wrapper never finds itself.
    .method static installGlobally()V
        .locals 5
        const-string v0, "TLS"
        invoke-static {v0}, Ljavax/net/ssl/SSLContext;->getInstance(Ljava/lang/String;)Ljavax/net/ssl/SSLContext;
        move-result-object v1
        invoke-virtual {v1}, Ljavax/net/ssl/SSLContext;->getProvider()Ljava/security/Provider;
        move-result-object v1
        invoke-static {v0, v1}, Ljavax/net/ssl/SSLContext;->getInstance(Ljava/lang/String;Ljava/security/Provider;)Ljavax/net/ssl/SSLContext;
        move-result-object v0
        sget-object v2, Lio/appseal/runtime/v1/Runtime;->keyManagers:[Ljavax/net/ssl/KeyManager;
        sget-object v3, Lio/appseal/runtime/v1/Runtime;->trustManagers:[Ljavax/net/ssl/TrustManager;
        const/4 v4, 0x0
        invoke-virtual {v0, v2, v3, v4}, Ljavax/net/ssl/SSLContext;->init([Ljavax/net/ssl/KeyManager;[Ljavax/net/ssl/TrustManager;Ljava/security/SecureRandom;)V
        invoke-static {v0}, Ljavax/net/ssl/SSLContext;->setDefault(Ljavax/net/ssl/SSLContext;)V
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getSocketFactory()Ljavax/net/ssl/SSLSocketFactory;
        move-result-object v0
        invoke-static {v0}, Ljavax/net/ssl/HttpsURLConnection;->setDefaultSSLSocketFactory(Ljavax/net/ssl/SSLSocketFactory;)V
        new-instance v0, Lio/appseal/runtime/v1/JsseProvider;
        invoke-direct {v0, v1}, Lio/appseal/runtime/v1/JsseProvider;-><init>(Ljava/security/Provider;)V
        const/4 v2, 0x1
        invoke-static {v0, v2}, Ljava/security/Security;->insertProviderAt(Ljava/security/Provider;I)I
        const-string v0, "appseal"
        const-string v1, "TLS defaults installed: SSLContext.getDefault, HttpsURLConnection, provider AppsealJSSE at position 1"
        invoke-static {v0, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
        return-void
    .end method
    """#
}

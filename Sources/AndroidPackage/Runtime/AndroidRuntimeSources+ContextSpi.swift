extension AndroidRuntimeSources {
    static let contextSpi = #"""
    # An SSLContext of the original provider, initialised with the runtime's key managers when the
    # app passes none, the runtime's trust managers when it passes null, and the app's own extended
    # trust managers wrapped so this build's pins and TLS minimum apply to them too. Everything else
    # is the original context's.
    .class final Lio/appseal/runtime/v1/ContextSpi;
    .super Ljavax/net/ssl/SSLContextSpi;

    .field private final delegate:Ljavax/net/ssl/SSLContext;

    .method constructor <init>(Ljavax/net/ssl/SSLContext;)V
        .locals 0
        invoke-direct {p0}, Ljavax/net/ssl/SSLContextSpi;-><init>()V
        iput-object p1, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        return-void
    .end method

    .method protected engineInit([Ljavax/net/ssl/KeyManager;[Ljavax/net/ssl/TrustManager;Ljava/security/SecureRandom;)V
        .locals 1
        if-eqz p1, :runtime_keys
        array-length v0, p1
        if-nez v0, :keys_chosen
        :runtime_keys
        sget-object p1, Lio/appseal/runtime/v1/Runtime;->keyManagers:[Ljavax/net/ssl/KeyManager;
        :keys_chosen
        if-nez p2, :app_trust
        sget-object p2, Lio/appseal/runtime/v1/Runtime;->trustManagers:[Ljavax/net/ssl/TrustManager;
        goto :init
        :app_trust
        invoke-static {p2}, Lio/appseal/runtime/v1/ContextSpi;->withPolicy([Ljavax/net/ssl/TrustManager;)[Ljavax/net/ssl/TrustManager;
        move-result-object p2
        :init
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/SSLContext;->init([Ljavax/net/ssl/KeyManager;[Ljavax/net/ssl/TrustManager;Ljava/security/SecureRandom;)V
        return-void
    .end method

    # The app's trust managers with each X509ExtendedTrustManager wrapped in the runtime's policy.
    # Plain X509TrustManagers stay as they are: JSSE adds hostname checks around those itself, which
    # a wrapper would hide. Below API 24 (no X509ExtendedTrustManager) nothing is wrapped. While the
    # credential is unavailable, every X509TrustManager is wrapped so that it refuses every server.
    .method static withPolicy([Ljavax/net/ssl/TrustManager;)[Ljavax/net/ssl/TrustManager;
        .locals 7
        sget-object v2, Lio/appseal/runtime/v1/Runtime;->policy:Lio/appseal/runtime/v1/Policy;
        invoke-static {}, Lio/appseal/runtime/v1/Policy;->hasHandshakeSessions()Z
        move-result v6
        if-nez v6, :wrap
        iget-object v0, v2, Lio/appseal/runtime/v1/Policy;->refusal:Ljava/lang/String;
        if-nez v0, :wrap
        return-object p0
        :wrap
        array-length v0, p0
        new-array v1, v0, [Ljavax/net/ssl/TrustManager;
        const/4 v3, 0x0
        :next
        if-ge v3, v0, :done
        aget-object v4, p0, v3
        if-eqz v6, :legacy
        instance-of v5, v4, Ljavax/net/ssl/X509ExtendedTrustManager;
        if-eqz v5, :plain_manager
        instance-of v5, v4, Lio/appseal/runtime/v1/PinningTrustManager;
        if-nez v5, :keep
        new-instance v5, Lio/appseal/runtime/v1/PinningTrustManager;
        check-cast v4, Ljavax/net/ssl/X509TrustManager;
        invoke-direct {v5, v4, v2}, Lio/appseal/runtime/v1/PinningTrustManager;-><init>(Ljavax/net/ssl/X509TrustManager;Lio/appseal/runtime/v1/Policy;)V
        move-object v4, v5
        goto :keep
        :plain_manager
        iget-object v5, v2, Lio/appseal/runtime/v1/Policy;->refusal:Ljava/lang/String;
        if-eqz v5, :keep
        :legacy
        instance-of v5, v4, Ljavax/net/ssl/X509TrustManager;
        if-eqz v5, :keep
        new-instance v5, Lio/appseal/runtime/v1/LegacyTrustManager;
        check-cast v4, Ljavax/net/ssl/X509TrustManager;
        invoke-direct {v5, v4, v2}, Lio/appseal/runtime/v1/LegacyTrustManager;-><init>(Ljavax/net/ssl/X509TrustManager;Lio/appseal/runtime/v1/Policy;)V
        move-object v4, v5
        :keep
        aput-object v4, v1, v3
        add-int/lit8 v3, v3, 0x1
        goto :next
        :done
        return-object v1
    .end method

    .method protected engineGetSocketFactory()Ljavax/net/ssl/SSLSocketFactory;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getSocketFactory()Ljavax/net/ssl/SSLSocketFactory;
        move-result-object v0
        return-object v0
    .end method

    .method protected engineGetServerSocketFactory()Ljavax/net/ssl/SSLServerSocketFactory;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getServerSocketFactory()Ljavax/net/ssl/SSLServerSocketFactory;
        move-result-object v0
        return-object v0
    .end method

    .method protected engineCreateSSLEngine()Ljavax/net/ssl/SSLEngine;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->createSSLEngine()Ljavax/net/ssl/SSLEngine;
        move-result-object v0
        return-object v0
    .end method

    .method protected engineCreateSSLEngine(Ljava/lang/String;I)Ljavax/net/ssl/SSLEngine;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0, p1, p2}, Ljavax/net/ssl/SSLContext;->createSSLEngine(Ljava/lang/String;I)Ljavax/net/ssl/SSLEngine;
        move-result-object v0
        return-object v0
    .end method

    .method protected engineGetServerSessionContext()Ljavax/net/ssl/SSLSessionContext;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getServerSessionContext()Ljavax/net/ssl/SSLSessionContext;
        move-result-object v0
        return-object v0
    .end method

    .method protected engineGetClientSessionContext()Ljavax/net/ssl/SSLSessionContext;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getClientSessionContext()Ljavax/net/ssl/SSLSessionContext;
        move-result-object v0
        return-object v0
    .end method

    .method protected engineGetDefaultSSLParameters()Ljavax/net/ssl/SSLParameters;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getDefaultSSLParameters()Ljavax/net/ssl/SSLParameters;
        move-result-object v0
        return-object v0
    .end method

    .method protected engineGetSupportedSSLParameters()Ljavax/net/ssl/SSLParameters;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
        invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getSupportedSSLParameters()Ljavax/net/ssl/SSLParameters;
        move-result-object v0
        return-object v0
    .end method
    """#
}

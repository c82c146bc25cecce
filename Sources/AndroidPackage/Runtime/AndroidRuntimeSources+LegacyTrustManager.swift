extension AndroidRuntimeSources {
    static let legacyTrustManager = #"""
    # The runtime's trust manager on Android 5 and 6 (API 21-23), which have no
    # X509ExtendedTrustManager: the platform calls a plain X509TrustManager without the socket, so the
    # peer host and the protocol are unknown there. It keeps the platform's validation and refuses every
    # server while the credential is unavailable; pins and the TLS minimum need API 24.
    .class final Lio/appseal/runtime/v1/LegacyTrustManager;
    .super Ljava/lang/Object;
    .implements Ljavax/net/ssl/X509TrustManager;

    .field private final platform:Ljavax/net/ssl/X509TrustManager;
    .field private final policy:Lio/appseal/runtime/v1/Policy;

    .method constructor <init>(Ljavax/net/ssl/X509TrustManager;Lio/appseal/runtime/v1/Policy;)V
        .locals 0
        invoke-direct {p0}, Ljava/lang/Object;-><init>()V
        iput-object p1, p0, Lio/appseal/runtime/v1/LegacyTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        iput-object p2, p0, Lio/appseal/runtime/v1/LegacyTrustManager;->policy:Lio/appseal/runtime/v1/Policy;
        return-void
    .end method

    .method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/LegacyTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        return-void
    .end method

    .method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/LegacyTrustManager;->policy:Lio/appseal/runtime/v1/Policy;
        invoke-virtual {v0}, Lio/appseal/runtime/v1/Policy;->checkAvailable()V
        iget-object v0, p0, Lio/appseal/runtime/v1/LegacyTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        return-void
    .end method

    .method public getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/LegacyTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-interface {v0}, Ljavax/net/ssl/X509TrustManager;->getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
        move-result-object v0
        return-object v0
    .end method
    """#
}

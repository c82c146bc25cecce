extension AndroidRuntimeSources {
    static let pinningTrustManager = #"""
    # Keeps the platform's validation of servers, then adds this build's TLS minimum and pins, read
    # from the handshake session of the socket or engine. While the credential is unavailable it
    # refuses every server. Client validation (the app as a TLS server) is the platform's, unchanged.
    # API 24 and later (X509ExtendedTrustManager); LegacyTrustManager stands in below.
    .class final Lio/appseal/runtime/v1/PinningTrustManager;
    .super Ljavax/net/ssl/X509ExtendedTrustManager;

    .field private final platform:Ljavax/net/ssl/X509TrustManager;
    .field private final policy:Lio/appseal/runtime/v1/Policy;

    .method constructor <init>(Ljavax/net/ssl/X509TrustManager;Lio/appseal/runtime/v1/Policy;)V
        .locals 0
        invoke-direct {p0}, Ljavax/net/ssl/X509ExtendedTrustManager;-><init>()V
        iput-object p1, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        iput-object p2, p0, Lio/appseal/runtime/v1/PinningTrustManager;->policy:Lio/appseal/runtime/v1/Policy;
        return-void
    .end method

    .method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        return-void
    .end method

    .method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
        .locals 2
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        instance-of v1, v0, Ljavax/net/ssl/X509ExtendedTrustManager;
        if-eqz v1, :plain
        check-cast v0, Ljavax/net/ssl/X509ExtendedTrustManager;
        invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
        return-void
        :plain
        invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        return-void
    .end method

    .method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
        .locals 2
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        instance-of v1, v0, Ljavax/net/ssl/X509ExtendedTrustManager;
        if-eqz v1, :plain
        check-cast v0, Ljavax/net/ssl/X509ExtendedTrustManager;
        invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
        return-void
        :plain
        invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        return-void
    .end method

    # Without a socket or engine the peer host is unknown: the platform's validation is all that applies.
    .method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->policy:Lio/appseal/runtime/v1/Policy;
        invoke-virtual {v0}, Lio/appseal/runtime/v1/Policy;->checkAvailable()V
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        return-void
    .end method

    .method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
        .locals 3
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->policy:Lio/appseal/runtime/v1/Policy;
        invoke-virtual {v0}, Lio/appseal/runtime/v1/Policy;->checkAvailable()V
        iget-object v1, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        instance-of v2, v1, Ljavax/net/ssl/X509ExtendedTrustManager;
        if-eqz v2, :plain
        check-cast v1, Ljavax/net/ssl/X509ExtendedTrustManager;
        invoke-virtual {v1, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
        goto :platform_accepted
        :plain
        invoke-interface {v1, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        :platform_accepted
        invoke-static {p3}, Lio/appseal/runtime/v1/Policy;->handshakeSession(Ljava/net/Socket;)Ljavax/net/ssl/SSLSession;
        move-result-object v2
        iget-object v1, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-virtual {v0, p1, v2, v1}, Lio/appseal/runtime/v1/Policy;->checkSession([Ljava/security/cert/X509Certificate;Ljavax/net/ssl/SSLSession;Ljavax/net/ssl/X509TrustManager;)V
        return-void
    .end method

    .method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
        .locals 3
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->policy:Lio/appseal/runtime/v1/Policy;
        invoke-virtual {v0}, Lio/appseal/runtime/v1/Policy;->checkAvailable()V
        iget-object v1, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        instance-of v2, v1, Ljavax/net/ssl/X509ExtendedTrustManager;
        if-eqz v2, :plain
        check-cast v1, Ljavax/net/ssl/X509ExtendedTrustManager;
        invoke-virtual {v1, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
        goto :platform_accepted
        :plain
        invoke-interface {v1, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
        :platform_accepted
        invoke-static {p3}, Lio/appseal/runtime/v1/Policy;->handshakeSession(Ljavax/net/ssl/SSLEngine;)Ljavax/net/ssl/SSLSession;
        move-result-object v2
        iget-object v1, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-virtual {v0, p1, v2, v1}, Lio/appseal/runtime/v1/Policy;->checkSession([Ljava/security/cert/X509Certificate;Ljavax/net/ssl/SSLSession;Ljavax/net/ssl/X509TrustManager;)V
        return-void
    .end method

    .method public getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/PinningTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
        invoke-interface {v0}, Ljavax/net/ssl/X509TrustManager;->getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
        move-result-object v0
        return-object v0
    .end method
    """#
}

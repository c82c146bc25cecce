extension AndroidRuntimeSources {
    static let clientKeyManager = #"""
    # Offers the sealed client certificate, and only to the configured hosts (exact or "*.suffix";
    # none configured = any server that asks). The peer host comes from the handshake in progress, or,
    # on Android 5 and 6, from the address the socket was connected to.
    .class final Lio/appseal/runtime/v1/ClientKeyManager;
    .super Ljavax/net/ssl/X509ExtendedKeyManager;

    .field private final keys:Ljavax/net/ssl/X509KeyManager;
    .field private final policy:Lio/appseal/runtime/v1/Policy;

    .method constructor <init>(Ljavax/net/ssl/X509KeyManager;Lio/appseal/runtime/v1/Policy;)V
        .locals 0
        invoke-direct {p0}, Ljavax/net/ssl/X509ExtendedKeyManager;-><init>()V
        iput-object p1, p0, Lio/appseal/runtime/v1/ClientKeyManager;->keys:Ljavax/net/ssl/X509KeyManager;
        iput-object p2, p0, Lio/appseal/runtime/v1/ClientKeyManager;->policy:Lio/appseal/runtime/v1/Policy;
        return-void
    .end method

    .method public chooseClientAlias([Ljava/lang/String;[Ljava/security/Principal;Ljava/net/Socket;)Ljava/lang/String;
        .locals 2
        invoke-static {p3}, Lio/appseal/runtime/v1/Policy;->handshakeSession(Ljava/net/Socket;)Ljavax/net/ssl/SSLSession;
        move-result-object v0
        invoke-static {v0}, Lio/appseal/runtime/v1/Policy;->peerHost(Ljavax/net/ssl/SSLSession;)Ljava/lang/String;
        move-result-object v0
        if-nez v0, :host_known
        invoke-static {p3}, Lio/appseal/runtime/v1/Policy;->remoteHost(Ljava/net/Socket;)Ljava/lang/String;
        move-result-object v0
        :host_known
        iget-object v1, p0, Lio/appseal/runtime/v1/ClientKeyManager;->policy:Lio/appseal/runtime/v1/Policy;
        invoke-virtual {v1, v0}, Lio/appseal/runtime/v1/Policy;->presentsTo(Ljava/lang/String;)Z
        move-result v1
        if-eqz v1, :withheld
        iget-object v1, p0, Lio/appseal/runtime/v1/ClientKeyManager;->keys:Ljavax/net/ssl/X509KeyManager;
        invoke-interface {v1, p1, p2, p3}, Ljavax/net/ssl/X509KeyManager;->chooseClientAlias([Ljava/lang/String;[Ljava/security/Principal;Ljava/net/Socket;)Ljava/lang/String;
        move-result-object v0
        return-object v0
        :withheld
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public chooseEngineClientAlias([Ljava/lang/String;[Ljava/security/Principal;Ljavax/net/ssl/SSLEngine;)Ljava/lang/String;
        .locals 2
        invoke-virtual {p3}, Ljavax/net/ssl/SSLEngine;->getPeerHost()Ljava/lang/String;
        move-result-object v0
        iget-object v1, p0, Lio/appseal/runtime/v1/ClientKeyManager;->policy:Lio/appseal/runtime/v1/Policy;
        invoke-virtual {v1, v0}, Lio/appseal/runtime/v1/Policy;->presentsTo(Ljava/lang/String;)Z
        move-result v1
        if-eqz v1, :withheld
        iget-object v0, p0, Lio/appseal/runtime/v1/ClientKeyManager;->keys:Ljavax/net/ssl/X509KeyManager;
        instance-of v1, v0, Ljavax/net/ssl/X509ExtendedKeyManager;
        if-eqz v1, :socket_api
        check-cast v0, Ljavax/net/ssl/X509ExtendedKeyManager;
        invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedKeyManager;->chooseEngineClientAlias([Ljava/lang/String;[Ljava/security/Principal;Ljavax/net/ssl/SSLEngine;)Ljava/lang/String;
        move-result-object v0
        return-object v0
        :socket_api
        const/4 v1, 0x0
        invoke-interface {v0, p1, p2, v1}, Ljavax/net/ssl/X509KeyManager;->chooseClientAlias([Ljava/lang/String;[Ljava/security/Principal;Ljava/net/Socket;)Ljava/lang/String;
        move-result-object v0
        return-object v0
        :withheld
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public getClientAliases(Ljava/lang/String;[Ljava/security/Principal;)[Ljava/lang/String;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ClientKeyManager;->keys:Ljavax/net/ssl/X509KeyManager;
        invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509KeyManager;->getClientAliases(Ljava/lang/String;[Ljava/security/Principal;)[Ljava/lang/String;
        move-result-object v0
        return-object v0
    .end method

    # A client certificate is never a server certificate: the app's own TLS servers get nothing from here.
    .method public chooseServerAlias(Ljava/lang/String;[Ljava/security/Principal;Ljava/net/Socket;)Ljava/lang/String;
        .locals 1
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public getServerAliases(Ljava/lang/String;[Ljava/security/Principal;)[Ljava/lang/String;
        .locals 1
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public getCertificateChain(Ljava/lang/String;)[Ljava/security/cert/X509Certificate;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ClientKeyManager;->keys:Ljavax/net/ssl/X509KeyManager;
        invoke-interface {v0, p1}, Ljavax/net/ssl/X509KeyManager;->getCertificateChain(Ljava/lang/String;)[Ljava/security/cert/X509Certificate;
        move-result-object v0
        return-object v0
    .end method

    .method public getPrivateKey(Ljava/lang/String;)Ljava/security/PrivateKey;
        .locals 1
        iget-object v0, p0, Lio/appseal/runtime/v1/ClientKeyManager;->keys:Ljavax/net/ssl/X509KeyManager;
        invoke-interface {v0, p1}, Ljavax/net/ssl/X509KeyManager;->getPrivateKey(Ljava/lang/String;)Ljava/security/PrivateKey;
        move-result-object v0
        return-object v0
    .end method
    """#
}

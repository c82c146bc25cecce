extension AndroidRuntimeSources {
    static let contextService = #"""
    # One SSLContext protocol of the runtime's provider. newInstance wraps a context of the same
    # protocol from the original provider, captured before the runtime's provider was inserted.
    .class final Lio/appseal/runtime/v1/ContextService;
    .super Ljava/security/Provider$Service;

    .field original:Ljava/security/Provider;

    .method constructor <init>(Ljava/security/Provider;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/util/List;Ljava/util/Map;)V
        .locals 0
        invoke-direct/range {p0 .. p6}, Ljava/security/Provider$Service;-><init>(Ljava/security/Provider;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/util/List;Ljava/util/Map;)V
        return-void
    .end method

    .method public newInstance(Ljava/lang/Object;)Ljava/lang/Object;
        .locals 3
        invoke-virtual {p0}, Ljava/security/Provider$Service;->getAlgorithm()Ljava/lang/String;
        move-result-object v0
        iget-object v1, p0, Lio/appseal/runtime/v1/ContextService;->original:Ljava/security/Provider;
        invoke-static {v0, v1}, Ljavax/net/ssl/SSLContext;->getInstance(Ljava/lang/String;Ljava/security/Provider;)Ljavax/net/ssl/SSLContext;
        move-result-object v0
        new-instance v2, Lio/appseal/runtime/v1/ContextSpi;
        invoke-direct {v2, v0}, Lio/appseal/runtime/v1/ContextSpi;-><init>(Ljavax/net/ssl/SSLContext;)V
        return-object v2
    .end method
    """#
}

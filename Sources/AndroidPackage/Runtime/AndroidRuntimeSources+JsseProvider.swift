extension AndroidRuntimeSources {
    static let jsseProvider = #"""
    # The JCA provider the runtime inserts at position 1. It answers SSLContext "TLS", "TLSv1.2" and
    # "TLSv1.3" (those the original provider supports) with contexts that add the runtime's managers
    # when the app initialises one without its own: OkHttp, Retrofit, Volley and React Native do that.
    .class final Lio/appseal/runtime/v1/JsseProvider;
    .super Ljava/security/Provider;

    .method constructor <init>(Ljava/security/Provider;)V
        .locals 4
        const-string v0, "AppsealJSSE"
        # version 1.0 as the double's bit pattern
        const-wide/high16 v1, 0x3ff0000000000000L
        const-string v3, "appseal runtime: TLS contexts that present this app's sealed client certificate"
        invoke-direct {p0, v0, v1, v2, v3}, Ljava/security/Provider;-><init>(Ljava/lang/String;DLjava/lang/String;)V
        const-string v0, "TLS"
        invoke-direct {p0, p1, v0}, Lio/appseal/runtime/v1/JsseProvider;->offer(Ljava/security/Provider;Ljava/lang/String;)V
        const-string v0, "TLSv1.2"
        invoke-direct {p0, p1, v0}, Lio/appseal/runtime/v1/JsseProvider;->offer(Ljava/security/Provider;Ljava/lang/String;)V
        const-string v0, "TLSv1.3"
        invoke-direct {p0, p1, v0}, Lio/appseal/runtime/v1/JsseProvider;->offer(Ljava/security/Provider;Ljava/lang/String;)V
        return-void
    .end method

    # Registers protocol if the original provider has it (TLSv1.3 needs Android 10), so asking for a
    # protocol the device lacks fails exactly as it would without the runtime.
    .method private offer(Ljava/security/Provider;Ljava/lang/String;)V
        .locals 7
        :probe_start
        invoke-static {p2, p1}, Ljavax/net/ssl/SSLContext;->getInstance(Ljava/lang/String;Ljava/security/Provider;)Ljavax/net/ssl/SSLContext;
        :probe_end
        .catch Ljava/security/NoSuchAlgorithmException; {:probe_start .. :probe_end} :unsupported
        new-instance v0, Lio/appseal/runtime/v1/ContextService;
        move-object v1, p0
        const-string v2, "SSLContext"
        move-object v3, p2
        const-string v4, "io.appseal.runtime.v1.ContextSpi"
        const/4 v5, 0x0
        const/4 v6, 0x0
        invoke-direct/range {v0 .. v6}, Lio/appseal/runtime/v1/ContextService;-><init>(Ljava/security/Provider;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/util/List;Ljava/util/Map;)V
        iput-object p1, v0, Lio/appseal/runtime/v1/ContextService;->original:Ljava/security/Provider;
        invoke-virtual {p0, v0}, Ljava/security/Provider;->putService(Ljava/security/Provider$Service;)V
        :unsupported
        return-void
    .end method
    """#
}

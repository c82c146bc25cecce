extension AndroidRuntimeSources {
    static let policy = #"""
    # The runtime configuration as the TLS managers use it: which hosts get the client certificate,
    # the pins per host, the TLS minimum; or, when the credential is unavailable, the reason every
    # server is refused.
    .class final Lio/appseal/runtime/v1/Policy;
    .super Ljava/lang/Object;

    .field buildID:Ljava/lang/String;
    # lower-case names or "*.suffix"; empty = any server that asks for a certificate
    .field hosts:[Ljava/lang/String;
    # host or "*.suffix" -> ["sha256/<base64>", ...]; null when nothing is pinned
    .field pins:Lorg/json/JSONObject;
    # public-key, leaf, root or chain
    .field scheme:Ljava/lang/String;
    # 0 = no minimum, 3 = TLSv1.2, 4 = TLSv1.3 (see protocolRank)
    .field minimumRank:I
    # non-null: the credential is unavailable and every server is refused
    .field refusal:Ljava/lang/String;

    .method private constructor <init>()V
        .locals 0
        invoke-direct {p0}, Ljava/lang/Object;-><init>()V
        return-void
    .end method

    # Reads the configuration JSON; a version, platform, scheme or minimum it does not know rejects
    # the credential (the configuration is authenticated, so this is a newer build, not noise).
    .method static parse(Ljava/lang/String;)Lio/appseal/runtime/v1/Policy;
        .locals 8
        new-instance v0, Lorg/json/JSONObject;
        invoke-direct {v0, p0}, Lorg/json/JSONObject;-><init>(Ljava/lang/String;)V
        const-string v1, "version"
        invoke-virtual {v0, v1}, Lorg/json/JSONObject;->getInt(Ljava/lang/String;)I
        move-result v1
        const/4 v2, 0x1
        if-eq v1, v2, :version_ok
        const-string v1, "the runtime configuration's version is not 1"
        goto :fail

        :version_ok
        const-string v1, "platform"
        invoke-virtual {v0, v1}, Lorg/json/JSONObject;->getString(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v1
        const-string v2, "android"
        invoke-virtual {v2, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v1
        if-nez v1, :platform_ok
        const-string v1, "the runtime configuration is not for android"
        goto :fail

        :platform_ok
        new-instance v3, Lio/appseal/runtime/v1/Policy;
        invoke-direct {v3}, Lio/appseal/runtime/v1/Policy;-><init>()V
        const-string v1, "buildID"
        invoke-virtual {v0, v1}, Lorg/json/JSONObject;->getString(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v1
        iput-object v1, v3, Lio/appseal/runtime/v1/Policy;->buildID:Ljava/lang/String;

        const-string v1, "hosts"
        invoke-virtual {v0, v1}, Lorg/json/JSONObject;->getJSONArray(Ljava/lang/String;)Lorg/json/JSONArray;
        move-result-object v1
        invoke-virtual {v1}, Lorg/json/JSONArray;->length()I
        move-result v2
        new-array v4, v2, [Ljava/lang/String;
        const/4 v5, 0x0
        :next_host
        if-ge v5, v2, :hosts_done
        invoke-virtual {v1, v5}, Lorg/json/JSONArray;->getString(I)Ljava/lang/String;
        move-result-object v6
        invoke-static {v6}, Lio/appseal/runtime/v1/Policy;->lower(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v6
        aput-object v6, v4, v5
        add-int/lit8 v5, v5, 0x1
        goto :next_host
        :hosts_done
        iput-object v4, v3, Lio/appseal/runtime/v1/Policy;->hosts:[Ljava/lang/String;

        const-string v1, "pins"
        invoke-virtual {v0, v1}, Lorg/json/JSONObject;->optJSONObject(Ljava/lang/String;)Lorg/json/JSONObject;
        move-result-object v1
        invoke-static {v1}, Lio/appseal/runtime/v1/Policy;->checkPins(Lorg/json/JSONObject;)V
        iput-object v1, v3, Lio/appseal/runtime/v1/Policy;->pins:Lorg/json/JSONObject;

        # isNull is true for an absent key and for JSON null (optString would give "null" for the latter)
        const-string v1, "public-key"
        const-string v2, "pinScheme"
        invoke-virtual {v0, v2}, Lorg/json/JSONObject;->isNull(Ljava/lang/String;)Z
        move-result v4
        if-nez v4, :scheme_read
        invoke-virtual {v0, v2}, Lorg/json/JSONObject;->getString(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v1
        :scheme_read
        const-string v2, "public-key"
        invoke-virtual {v2, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v4
        const-string v2, "leaf"
        invoke-virtual {v2, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v5
        or-int/2addr v4, v5
        const-string v2, "root"
        invoke-virtual {v2, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v5
        or-int/2addr v4, v5
        const-string v2, "chain"
        invoke-virtual {v2, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v5
        or-int/2addr v4, v5
        if-nez v4, :scheme_ok
        const-string v1, "the runtime configuration names an unknown pinScheme"
        goto :fail
        :scheme_ok
        iput-object v1, v3, Lio/appseal/runtime/v1/Policy;->scheme:Ljava/lang/String;

        const/4 v1, 0x0
        const-string v2, "tlsMinimum"
        invoke-virtual {v0, v2}, Lorg/json/JSONObject;->isNull(Ljava/lang/String;)Z
        move-result v4
        if-nez v4, :minimum_read
        invoke-virtual {v0, v2}, Lorg/json/JSONObject;->getString(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v2
        const-string v4, "TLSv"
        invoke-virtual {v4, v2}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v4
        invoke-static {v4}, Lio/appseal/runtime/v1/Policy;->protocolRank(Ljava/lang/String;)I
        move-result v1
        const/4 v4, 0x3
        if-ge v1, v4, :minimum_read
        const-string v1, "the runtime configuration's tlsMinimum is not 1.2 or 1.3"
        goto :fail
        :minimum_read
        iput v1, v3, Lio/appseal/runtime/v1/Policy;->minimumRank:I
        return-object v3

        :fail
        invoke-static {v1}, Lio/appseal/runtime/v1/SealedBlob;->invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        move-result-object v1
        throw v1
    .end method

    # Every pin list is an array of "sha256/..." strings (checked once here, not during a handshake).
    .method static checkPins(Lorg/json/JSONObject;)V
        .locals 6
        if-eqz p0, :valid
        invoke-virtual {p0}, Lorg/json/JSONObject;->keys()Ljava/util/Iterator;
        move-result-object v0
        :next_host
        invoke-interface {v0}, Ljava/util/Iterator;->hasNext()Z
        move-result v1
        if-eqz v1, :valid
        invoke-interface {v0}, Ljava/util/Iterator;->next()Ljava/lang/Object;
        move-result-object v1
        check-cast v1, Ljava/lang/String;
        invoke-virtual {p0, v1}, Lorg/json/JSONObject;->getJSONArray(Ljava/lang/String;)Lorg/json/JSONArray;
        move-result-object v2
        invoke-virtual {v2}, Lorg/json/JSONArray;->length()I
        move-result v3
        const/4 v4, 0x0
        :next_pin
        if-ge v4, v3, :next_host
        invoke-virtual {v2, v4}, Lorg/json/JSONArray;->getString(I)Ljava/lang/String;
        move-result-object v5
        const-string v1, "sha256/"
        invoke-virtual {v5, v1}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
        move-result v1
        if-eqz v1, :malformed
        add-int/lit8 v4, v4, 0x1
        goto :next_pin
        :valid
        return-void
        :malformed
        const-string v0, "the runtime configuration has a pin that is not sha256/<base64>"
        invoke-static {v0}, Lio/appseal/runtime/v1/SealedBlob;->invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        move-result-object v0
        throw v0
    .end method

    .method static refusing(Ljava/lang/String;)Lio/appseal/runtime/v1/Policy;
        .locals 2
        new-instance v0, Lio/appseal/runtime/v1/Policy;
        invoke-direct {v0}, Lio/appseal/runtime/v1/Policy;-><init>()V
        iput-object p0, v0, Lio/appseal/runtime/v1/Policy;->refusal:Ljava/lang/String;
        const/4 v1, 0x0
        new-array v1, v1, [Ljava/lang/String;
        iput-object v1, v0, Lio/appseal/runtime/v1/Policy;->hosts:[Ljava/lang/String;
        return-object v0
    .end method

    .method static lower(Ljava/lang/String;)Ljava/lang/String;
        .locals 1
        sget-object v0, Ljava/util/Locale;->ROOT:Ljava/util/Locale;
        invoke-virtual {p0, v0}, Ljava/lang/String;->toLowerCase(Ljava/util/Locale;)Ljava/lang/String;
        move-result-object v0
        return-object v0
    .end method

    # "*.example.org" matches every subdomain of example.org (not example.org itself); anything
    # else matches only the same name. Both arguments are lower-case.
    .method static matches(Ljava/lang/String;Ljava/lang/String;)Z
        .locals 2
        const-string v0, "*."
        invoke-virtual {p0, v0}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
        move-result v0
        if-nez v0, :wildcard
        invoke-virtual {p0, p1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v0
        return v0
        :wildcard
        const/4 v0, 0x1
        invoke-virtual {p0, v0}, Ljava/lang/String;->substring(I)Ljava/lang/String;
        move-result-object v0
        invoke-virtual {p1, v0}, Ljava/lang/String;->endsWith(Ljava/lang/String;)Z
        move-result v1
        if-eqz v1, :no
        invoke-virtual {p1}, Ljava/lang/String;->length()I
        move-result v1
        invoke-virtual {v0}, Ljava/lang/String;->length()I
        move-result v0
        if-le v1, v0, :no
        const/4 v0, 0x1
        return v0
        :no
        const/4 v0, 0x0
        return v0
    .end method

    # TLSv1.3 = 4, TLSv1.2 = 3, TLSv1.1 = 2, TLSv1 = 1, anything else (SSLv3, null) = 0.
    .method static protocolRank(Ljava/lang/String;)I
        .locals 2
        const-string v0, "TLSv1.3"
        invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v0
        if-eqz v0, :not_13
        const/4 v0, 0x4
        return v0
        :not_13
        const-string v0, "TLSv1.2"
        invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v0
        if-eqz v0, :not_12
        const/4 v0, 0x3
        return v0
        :not_12
        const-string v0, "TLSv1.1"
        invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v0
        if-eqz v0, :not_11
        const/4 v0, 0x2
        return v0
        :not_11
        const-string v0, "TLSv1"
        invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v0
        return v0
    .end method

    # Whether the client certificate may be offered to host (null when the socket cannot tell).
    .method presentsTo(Ljava/lang/String;)Z
        .locals 5
        iget-object v0, p0, Lio/appseal/runtime/v1/Policy;->hosts:[Ljava/lang/String;
        array-length v1, v0
        if-nez v1, :listed
        const/4 v0, 0x1
        return v0
        :listed
        if-eqz p1, :no
        invoke-static {p1}, Lio/appseal/runtime/v1/Policy;->lower(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v2
        const/4 v3, 0x0
        :next
        if-ge v3, v1, :no
        aget-object v4, v0, v3
        invoke-static {v4, v2}, Lio/appseal/runtime/v1/Policy;->matches(Ljava/lang/String;Ljava/lang/String;)Z
        move-result v4
        if-nez v4, :yes
        add-int/lit8 v3, v3, 0x1
        goto :next
        :yes
        const/4 v0, 0x1
        return v0
        :no
        const/4 v0, 0x0
        return v0
    .end method

    # Logs the reason and gives the exception a trust manager throws to refuse the server.
    .method refuse(Ljava/lang/String;)Ljava/security/cert/CertificateException;
        .locals 2
        const-string v0, "appseal: "
        invoke-virtual {v0, p1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v0
        const-string v1, "appseal"
        invoke-static {v1, v0}, Landroid/util/Log;->w(Ljava/lang/String;Ljava/lang/String;)I
        new-instance v1, Ljava/security/cert/CertificateException;
        invoke-direct {v1, v0}, Ljava/security/cert/CertificateException;-><init>(Ljava/lang/String;)V
        return-object v1
    .end method

    # Refuses every server while the credential is unavailable: a repackaged or damaged app must not
    # talk to anything as if it were the genuine build.
    .method checkAvailable()V
        .locals 2
        iget-object v0, p0, Lio/appseal/runtime/v1/Policy;->refusal:Ljava/lang/String;
        if-nez v0, :refused
        return-void
        :refused
        const-string v1, "sealed credential unavailable: "
        invoke-virtual {v1, v0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v0
        invoke-virtual {p0, v0}, Lio/appseal/runtime/v1/Policy;->refuse(Ljava/lang/String;)Ljava/security/cert/CertificateException;
        move-result-object v0
        throw v0
    .end method

    # Whether the platform has X509ExtendedTrustManager and handshake sessions (API 24, Android 7.0).
    .method static hasHandshakeSessions()Z
        .locals 2
        sget v0, Landroid/os/Build$VERSION;->SDK_INT:I
        const/16 v1, 0x18
        if-lt v0, v1, :no
        const/4 v0, 0x1
        return v0
        :no
        const/4 v0, 0x0
        return v0
    .end method

    # The handshake in progress on socket, or null where the platform does not expose it.
    .method static handshakeSession(Ljava/net/Socket;)Ljavax/net/ssl/SSLSession;
        .locals 1
        invoke-static {}, Lio/appseal/runtime/v1/Policy;->hasHandshakeSessions()Z
        move-result v0
        if-eqz v0, :unknown
        instance-of v0, p0, Ljavax/net/ssl/SSLSocket;
        if-eqz v0, :unknown
        :ask_start
        check-cast p0, Ljavax/net/ssl/SSLSocket;
        invoke-virtual {p0}, Ljavax/net/ssl/SSLSocket;->getHandshakeSession()Ljavax/net/ssl/SSLSession;
        move-result-object v0
        return-object v0
        :ask_end
        .catch Ljava/lang/UnsupportedOperationException; {:ask_start .. :ask_end} :unknown
        :unknown
        const/4 v0, 0x0
        return-object v0
    .end method

    .method static handshakeSession(Ljavax/net/ssl/SSLEngine;)Ljavax/net/ssl/SSLSession;
        .locals 1
        invoke-static {}, Lio/appseal/runtime/v1/Policy;->hasHandshakeSessions()Z
        move-result v0
        if-eqz v0, :unknown
        if-eqz p0, :unknown
        :ask_start
        invoke-virtual {p0}, Ljavax/net/ssl/SSLEngine;->getHandshakeSession()Ljavax/net/ssl/SSLSession;
        move-result-object v0
        return-object v0
        :ask_end
        .catch Ljava/lang/UnsupportedOperationException; {:ask_start .. :ask_end} :unknown
        :unknown
        const/4 v0, 0x0
        return-object v0
    .end method

    # The name the socket was connected to, without a reverse lookup: the peer host where the platform
    # has no handshake session (Android 5 and 6). Through a proxy tunnel this is the proxy's name.
    .method static remoteHost(Ljava/net/Socket;)Ljava/lang/String;
        .locals 2
        if-eqz p0, :unknown
        invoke-virtual {p0}, Ljava/net/Socket;->getRemoteSocketAddress()Ljava/net/SocketAddress;
        move-result-object v0
        instance-of v1, v0, Ljava/net/InetSocketAddress;
        if-eqz v1, :unknown
        check-cast v0, Ljava/net/InetSocketAddress;
        invoke-virtual {v0}, Ljava/net/InetSocketAddress;->getHostString()Ljava/lang/String;
        move-result-object v0
        return-object v0
        :unknown
        const/4 v0, 0x0
        return-object v0
    .end method

    .method static peerHost(Ljavax/net/ssl/SSLSession;)Ljava/lang/String;
        .locals 1
        if-eqz p0, :unknown
        invoke-interface {p0}, Ljavax/net/ssl/SSLSession;->getPeerHost()Ljava/lang/String;
        move-result-object v0
        return-object v0
        :unknown
        const/4 v0, 0x0
        return-object v0
    .end method

    # After the platform accepted the chain: the TLS minimum, then the peer host's pins. Without a
    # handshake session (sockets of Android 5 and 6) the host is unknown and only the platform's
    # validation applies.
    .method checkSession([Ljava/security/cert/X509Certificate;Ljavax/net/ssl/SSLSession;Ljavax/net/ssl/X509TrustManager;)V
        .locals 8
        if-eqz p2, :accepted
        iget v0, p0, Lio/appseal/runtime/v1/Policy;->minimumRank:I
        if-eqz v0, :pins
        invoke-interface {p2}, Ljavax/net/ssl/SSLSession;->getProtocol()Ljava/lang/String;
        move-result-object v1
        invoke-static {v1}, Lio/appseal/runtime/v1/Policy;->protocolRank(Ljava/lang/String;)I
        move-result v2
        if-ge v2, v0, :pins
        new-instance v3, Ljava/lang/StringBuilder;
        const-string v4, "the server negotiated "
        invoke-direct {v3, v4}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
        invoke-virtual {v3, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        const-string v4, ", below this build's TLS minimum TLSv1."
        invoke-virtual {v3, v4}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        # rank 3 is TLSv1.2, rank 4 TLSv1.3
        add-int/lit8 v0, v0, -0x1
        invoke-virtual {v3, v0}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
        invoke-virtual {v3}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
        move-result-object v3
        invoke-virtual {p0, v3}, Lio/appseal/runtime/v1/Policy;->refuse(Ljava/lang/String;)Ljava/security/cert/CertificateException;
        move-result-object v3
        throw v3

        :pins
        iget-object v0, p0, Lio/appseal/runtime/v1/Policy;->pins:Lorg/json/JSONObject;
        if-eqz v0, :accepted
        invoke-interface {p2}, Ljavax/net/ssl/SSLSession;->getPeerHost()Ljava/lang/String;
        move-result-object v1
        if-eqz v1, :accepted
        invoke-static {v1}, Lio/appseal/runtime/v1/Policy;->lower(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v1
        invoke-virtual {p0, v1}, Lio/appseal/runtime/v1/Policy;->pinsFor(Ljava/lang/String;)Lorg/json/JSONArray;
        move-result-object v2
        if-eqz v2, :accepted
        invoke-static {p1, p3}, Lio/appseal/runtime/v1/Policy;->completedChain([Ljava/security/cert/X509Certificate;Ljavax/net/ssl/X509TrustManager;)[Ljava/security/cert/X509Certificate;
        move-result-object v3
        invoke-virtual {p0, v3}, Lio/appseal/runtime/v1/Policy;->candidatePins([Ljava/security/cert/X509Certificate;)[Ljava/lang/String;
        move-result-object v3
        # v4 = configured pin index, v6 = candidate index
        const/4 v4, 0x0
        :next_pin
        invoke-virtual {v2}, Lorg/json/JSONArray;->length()I
        move-result v5
        if-ge v4, v5, :mismatch
        invoke-virtual {v2, v4}, Lorg/json/JSONArray;->getString(I)Ljava/lang/String;
        move-result-object v5
        const/4 v6, 0x0
        :next_candidate
        array-length v7, v3
        if-ge v6, v7, :pin_done
        aget-object v7, v3, v6
        invoke-virtual {v5, v7}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v7
        if-nez v7, :accepted
        add-int/lit8 v6, v6, 0x1
        goto :next_candidate
        :pin_done
        add-int/lit8 v4, v4, 0x1
        goto :next_pin

        :mismatch
        new-instance v3, Ljava/lang/StringBuilder;
        const-string v4, "no pin of "
        invoke-direct {v3, v4}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
        invoke-virtual {v3, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        const-string v4, " matches the server's certificates (scheme "
        invoke-virtual {v3, v4}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        iget-object v4, p0, Lio/appseal/runtime/v1/Policy;->scheme:Ljava/lang/String;
        invoke-virtual {v3, v4}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        const-string v4, ")"
        invoke-virtual {v3, v4}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        invoke-virtual {v3}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
        move-result-object v3
        invoke-virtual {p0, v3}, Lio/appseal/runtime/v1/Policy;->refuse(Ljava/lang/String;)Ljava/security/cert/CertificateException;
        move-result-object v3
        throw v3

        :accepted
        return-void
    .end method

    # The pins of host: its own entry, else the first "*.suffix" entry that matches; null if none.
    .method pinsFor(Ljava/lang/String;)Lorg/json/JSONArray;
        .locals 5
        iget-object v0, p0, Lio/appseal/runtime/v1/Policy;->pins:Lorg/json/JSONObject;
        invoke-virtual {v0, p1}, Lorg/json/JSONObject;->optJSONArray(Ljava/lang/String;)Lorg/json/JSONArray;
        move-result-object v1
        if-nez v1, :found
        invoke-virtual {v0}, Lorg/json/JSONObject;->keys()Ljava/util/Iterator;
        move-result-object v2
        :next
        invoke-interface {v2}, Ljava/util/Iterator;->hasNext()Z
        move-result v4
        if-eqz v4, :found
        invoke-interface {v2}, Ljava/util/Iterator;->next()Ljava/lang/Object;
        move-result-object v3
        check-cast v3, Ljava/lang/String;
        const-string v4, "*."
        invoke-virtual {v3, v4}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
        move-result v4
        if-eqz v4, :next
        invoke-static {v3, p1}, Lio/appseal/runtime/v1/Policy;->matches(Ljava/lang/String;Ljava/lang/String;)Z
        move-result v4
        if-eqz v4, :next
        invoke-virtual {v0, v3}, Lorg/json/JSONObject;->optJSONArray(Ljava/lang/String;)Lorg/json/JSONArray;
        move-result-object v1
        :found
        return-object v1
    .end method

    # The server's chain, completed with the trusted CA that signed its last certificate when the
    # server did not send its root (the usual case), so that the root scheme has a root to pin.
    .method static completedChain([Ljava/security/cert/X509Certificate;Ljavax/net/ssl/X509TrustManager;)[Ljava/security/cert/X509Certificate;
        .locals 7
        array-length v0, p0
        if-eqz v0, :as_sent
        add-int/lit8 v1, v0, -0x1
        aget-object v1, p0, v1
        invoke-virtual {v1}, Ljava/security/cert/X509Certificate;->getIssuerX500Principal()Ljavax/security/auth/x500/X500Principal;
        move-result-object v2
        invoke-virtual {v1}, Ljava/security/cert/X509Certificate;->getSubjectX500Principal()Ljavax/security/auth/x500/X500Principal;
        move-result-object v3
        invoke-virtual {v2, v3}, Ljavax/security/auth/x500/X500Principal;->equals(Ljava/lang/Object;)Z
        move-result v3
        if-nez v3, :as_sent
        invoke-interface {p1}, Ljavax/net/ssl/X509TrustManager;->getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
        move-result-object v3
        if-eqz v3, :as_sent
        const/4 v4, 0x0
        :next_issuer
        array-length v5, v3
        if-ge v4, v5, :as_sent
        aget-object v5, v3, v4
        invoke-virtual {v5}, Ljava/security/cert/X509Certificate;->getSubjectX500Principal()Ljavax/security/auth/x500/X500Principal;
        move-result-object v6
        invoke-virtual {v2, v6}, Ljavax/security/auth/x500/X500Principal;->equals(Ljava/lang/Object;)Z
        move-result v6
        if-eqz v6, :skip
        # the same name is not enough: the CA's key must have signed the last certificate
        :verify_start
        invoke-virtual {v5}, Ljava/security/cert/Certificate;->getPublicKey()Ljava/security/PublicKey;
        move-result-object v6
        invoke-virtual {v1, v6}, Ljava/security/cert/Certificate;->verify(Ljava/security/PublicKey;)V
        :verify_end
        .catch Ljava/security/GeneralSecurityException; {:verify_start .. :verify_end} :skip
        add-int/lit8 v6, v0, 0x1
        new-array v6, v6, [Ljava/security/cert/X509Certificate;
        const/4 v2, 0x0
        invoke-static {p0, v2, v6, v2, v0}, Ljava/lang/System;->arraycopy(Ljava/lang/Object;ILjava/lang/Object;II)V
        aput-object v5, v6, v0
        return-object v6
        :skip
        add-int/lit8 v4, v4, 0x1
        goto :next_issuer
        :as_sent
        return-object p0
    .end method

    # "sha256/<base64>" of what the scheme pins: public-key, the SubjectPublicKeyInfo of any chain
    # certificate; leaf, the first certificate's DER; root, the last one's; chain, any one's.
    .method candidatePins([Ljava/security/cert/X509Certificate;)[Ljava/lang/String;
        .locals 9
        iget-object v0, p0, Lio/appseal/runtime/v1/Policy;->scheme:Ljava/lang/String;
        # v1 = count, v2 = first index, v3 = end index
        array-length v1, p1
        const/4 v2, 0x0
        move v3, v1
        if-eqz v1, :range_chosen
        const-string v4, "leaf"
        invoke-virtual {v4, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v4
        if-eqz v4, :not_leaf
        const/4 v3, 0x1
        :not_leaf
        const-string v4, "root"
        invoke-virtual {v4, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v4
        if-eqz v4, :range_chosen
        add-int/lit8 v2, v1, -0x1
        :range_chosen
        const-string v4, "public-key"
        invoke-virtual {v4, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v0
        sub-int v4, v3, v2
        new-array v4, v4, [Ljava/lang/String;
        const-string v5, "SHA-256"
        invoke-static {v5}, Ljava/security/MessageDigest;->getInstance(Ljava/lang/String;)Ljava/security/MessageDigest;
        move-result-object v5
        move v6, v2
        :next_certificate
        if-ge v6, v3, :done
        aget-object v7, p1, v6
        if-eqz v0, :whole_certificate
        invoke-virtual {v7}, Ljava/security/cert/Certificate;->getPublicKey()Ljava/security/PublicKey;
        move-result-object v7
        invoke-interface {v7}, Ljava/security/Key;->getEncoded()[B
        move-result-object v7
        goto :hash
        :whole_certificate
        invoke-virtual {v7}, Ljava/security/cert/Certificate;->getEncoded()[B
        move-result-object v7
        :hash
        invoke-virtual {v5, v7}, Ljava/security/MessageDigest;->digest([B)[B
        move-result-object v7
        invoke-static {v7}, Lio/appseal/runtime/v1/Policy;->base64([B)Ljava/lang/String;
        move-result-object v7
        const-string v8, "sha256/"
        invoke-virtual {v8, v7}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v7
        sub-int v8, v6, v2
        aput-object v7, v4, v8
        add-int/lit8 v6, v6, 0x1
        goto :next_certificate
        :done
        return-object v4
    .end method

    # Standard base64 with padding (RFC 4648), written here because java.util.Base64 needs API 26.
    .method static base64([B)Ljava/lang/String;
        .locals 9
        const-string v0, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        new-instance v1, Ljava/lang/StringBuilder;
        invoke-direct {v1}, Ljava/lang/StringBuilder;-><init>()V
        array-length v2, p0
        # v3 = index of the group's first byte, v4 = the group's 24 bits, v5 = bytes in the group
        const/4 v3, 0x0
        :next_group
        if-ge v3, v2, :done
        sub-int v5, v2, v3
        aget-byte v4, p0, v3
        and-int/lit16 v4, v4, 0xff
        shl-int/lit8 v4, v4, 0x10
        const/4 v6, 0x2
        if-lt v5, v6, :bits_read
        add-int/lit8 v6, v3, 0x1
        aget-byte v6, p0, v6
        and-int/lit16 v6, v6, 0xff
        shl-int/lit8 v6, v6, 0x8
        or-int/2addr v4, v6
        const/4 v6, 0x3
        if-lt v5, v6, :bits_read
        add-int/lit8 v6, v3, 0x2
        aget-byte v6, p0, v6
        and-int/lit16 v6, v6, 0xff
        or-int/2addr v4, v6
        :bits_read
        # four characters, '=' for those past the data
        const/16 v6, 0x12
        const/4 v7, 0x0
        :next_character
        const/4 v8, 0x4
        if-ge v7, v8, :group_done
        if-le v7, v5, :from_alphabet
        const/16 v8, 0x3d
        goto :append
        :from_alphabet
        ushr-int v8, v4, v6
        and-int/lit8 v8, v8, 0x3f
        invoke-virtual {v0, v8}, Ljava/lang/String;->charAt(I)C
        move-result v8
        :append
        invoke-virtual {v1, v8}, Ljava/lang/StringBuilder;->append(C)Ljava/lang/StringBuilder;
        add-int/lit8 v6, v6, -0x6
        add-int/lit8 v7, v7, 0x1
        goto :next_character
        :group_done
        add-int/lit8 v3, v3, 0x3
        goto :next_group
        :done
        invoke-virtual {v1}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
        move-result-object v0
        return-object v0
    .end method
    """#
}

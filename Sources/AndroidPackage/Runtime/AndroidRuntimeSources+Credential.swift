extension AndroidRuntimeSources {
    static let credential = #"""
    # The decrypted payload: configuration JSON, PKCS#12 and its password, each behind a length that
    # is checked against what is left (docs/sealed-blob-format.md, "Payload").
    .class final Lio/appseal/runtime/v1/Credential;
    .super Ljava/lang/Object;

    .field final configuration:Ljava/lang/String;
    .field final pkcs12:[B
    .field final password:[C

    .method private constructor <init>(Ljava/lang/String;[B[C)V
        .locals 0
        invoke-direct {p0}, Ljava/lang/Object;-><init>()V
        iput-object p1, p0, Lio/appseal/runtime/v1/Credential;->configuration:Ljava/lang/String;
        iput-object p2, p0, Lio/appseal/runtime/v1/Credential;->pkcs12:[B
        iput-object p3, p0, Lio/appseal/runtime/v1/Credential;->password:[C
        return-void
    .end method

    .method static parse([B)Lio/appseal/runtime/v1/Credential;
        .locals 8
        # v0 = payload length, v1 = position, v2 = bytes left, v3 = the length just read
        array-length v0, p0
        const/4 v1, 0x0
        const/4 v2, 0x4
        if-lt v0, v2, :truncated
        invoke-static {p0, v1}, Lio/appseal/runtime/v1/SealedBlob;->u32([BI)I
        move-result v3
        const/4 v1, 0x4
        sub-int v2, v0, v1
        if-ltz v3, :truncated
        if-gt v3, v2, :truncated
        new-instance v4, Ljava/lang/String;
        const-string v5, "UTF-8"
        invoke-direct {v4, p0, v1, v3, v5}, Ljava/lang/String;-><init>([BIILjava/lang/String;)V
        add-int/2addr v1, v3

        sub-int v2, v0, v1
        const/4 v6, 0x4
        if-lt v2, v6, :truncated
        invoke-static {p0, v1}, Lio/appseal/runtime/v1/SealedBlob;->u32([BI)I
        move-result v3
        add-int/lit8 v1, v1, 0x4
        sub-int v2, v0, v1
        if-ltz v3, :truncated
        if-gt v3, v2, :truncated
        new-array v6, v3, [B
        const/4 v7, 0x0
        invoke-static {p0, v1, v6, v7, v3}, Ljava/lang/System;->arraycopy(Ljava/lang/Object;ILjava/lang/Object;II)V
        add-int/2addr v1, v3

        sub-int v2, v0, v1
        const/4 v7, 0x2
        if-lt v2, v7, :truncated
        invoke-static {p0, v1}, Lio/appseal/runtime/v1/SealedBlob;->u16([BI)I
        move-result v3
        add-int/lit8 v1, v1, 0x2
        sub-int v2, v0, v1
        if-ne v3, v2, :password_not_last
        new-instance v7, Ljava/lang/String;
        invoke-direct {v7, p0, v1, v3, v5}, Ljava/lang/String;-><init>([BIILjava/lang/String;)V
        invoke-virtual {v7}, Ljava/lang/String;->toCharArray()[C
        move-result-object v7
        new-instance v0, Lio/appseal/runtime/v1/Credential;
        invoke-direct {v0, v4, v6, v7}, Lio/appseal/runtime/v1/Credential;-><init>(Ljava/lang/String;[B[C)V
        return-object v0

        :truncated
        const-string v0, "the sealed payload is truncated: a length runs past its end"
        goto :fail
        :password_not_last
        const-string v0, "the sealed payload's password length does not end the payload"
        :fail
        invoke-static {v0}, Lio/appseal/runtime/v1/SealedBlob;->invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        move-result-object v0
        throw v0
    .end method
    """#
}

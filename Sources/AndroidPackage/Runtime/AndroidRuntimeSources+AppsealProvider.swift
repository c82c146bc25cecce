extension AndroidRuntimeSources {
    static let provider = #"""
    # The runtime's entry point. Android creates every <provider> of an app before it calls
    # Application.onCreate, so the credential is installed before any app code opens a connection.
    # The provider answers no queries: it exists only to run onCreate.
    .class public final Lio/appseal/runtime/v1/AppsealProvider;
    .super Landroid/content/ContentProvider;

    .method public constructor <init>()V
        .locals 0
        invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
        return-void
    .end method

    # Whatever happens, the app starts: every Throwable is logged under "appseal", never thrown.
    .method public onCreate()Z
        .locals 3
        :start
        invoke-virtual {p0}, Landroid/content/ContentProvider;->getContext()Landroid/content/Context;
        move-result-object v0
        invoke-static {v0}, Lio/appseal/runtime/v1/Runtime;->start(Landroid/content/Context;)V
        :end
        .catch Ljava/lang/Throwable; {:start .. :end} :failed
        goto :done
        :failed
        move-exception v0
        const-string v1, "appseal"
        const-string v2, "the runtime could not start; the app runs without it"
        invoke-static {v1, v2, v0}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
        :done
        const/4 v0, 0x1
        return v0
    .end method

    .method public query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
        .locals 1
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public getType(Landroid/net/Uri;)Ljava/lang/String;
        .locals 1
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public insert(Landroid/net/Uri;Landroid/content/ContentValues;)Landroid/net/Uri;
        .locals 1
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public delete(Landroid/net/Uri;Ljava/lang/String;[Ljava/lang/String;)I
        .locals 1
        const/4 v0, 0x0
        return v0
    .end method

    .method public update(Landroid/net/Uri;Landroid/content/ContentValues;Ljava/lang/String;[Ljava/lang/String;)I
        .locals 1
        const/4 v0, 0x0
        return v0
    .end method
    """#
}

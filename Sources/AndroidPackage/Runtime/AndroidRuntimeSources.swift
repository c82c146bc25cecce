/// The runtime's smali source, one class per entry.
enum AndroidRuntimeSources {
    static let all: [(name: String, source: String)] = [("AppsealProvider", provider)]

    static let provider = #"""
    .class public final Lio/appseal/runtime/v1/AppsealProvider;
    .super Landroid/content/ContentProvider;

    .method public constructor <init>()V
        .registers 1
        invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
        return-void
    .end method

    .method public onCreate()Z
        .registers 2
        const/4 v0, 0x1
        return v0
    .end method

    .method public query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
        .registers 7
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public getType(Landroid/net/Uri;)Ljava/lang/String;
        .registers 3
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public insert(Landroid/net/Uri;Landroid/content/ContentValues;)Landroid/net/Uri;
        .registers 4
        const/4 v0, 0x0
        return-object v0
    .end method

    .method public delete(Landroid/net/Uri;Ljava/lang/String;[Ljava/lang/String;)I
        .registers 5
        const/4 v0, 0x0
        return v0
    .end method

    .method public update(Landroid/net/Uri;Landroid/content/ContentValues;Ljava/lang/String;[Ljava/lang/String;)I
        .registers 6
        const/4 v0, 0x0
        return v0
    .end method
    """#
}

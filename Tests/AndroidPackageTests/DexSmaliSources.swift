/// smali programs the DEX assembler tests assemble, both with appseal and with smali itself.
enum DexSmaliSources {
    /// An interface, so class_defs must order it before its implementer.
    static let greeter = """
    .class public interface abstract Lappseal/test/Greeter;
    .super Ljava/lang/Object;
    .source "Greeter.java"

    .method public abstract greet(Ljava/lang/String;)Ljava/lang/String;
    .end method
    """

    /// A base class declared after its subclass in the source list.
    static let base = """
    .class public abstract Lappseal/test/Base;
    .super Ljava/lang/Object;

    .field protected count:I

    .method public constructor <init>()V
        .registers 1
        invoke-direct {p0}, Ljava/lang/Object;-><init>()V
        return-void
    .end method
    """

    /// Static main: loops, arithmetic, fields, arrays, string building, long math, try/catch with an
    /// overlapping catch-all, instance-of/check-cast, and a far branch that needs goto/16.
    static let main = """
    .class public final Lappseal/test/Main;
    .super Lappseal/test/Base;
    .implements Lappseal/test/Greeter;
    .source "Main.java"

    # a static and an instance field
    .field private static total:J
    .field private prefix:Ljava/lang/String;

    .method public constructor <init>(Ljava/lang/String;)V
        .registers 2
        .param p1, "prefix"
        invoke-direct {p0}, Lappseal/test/Base;-><init>()V
        iput-object p1, p0, Lappseal/test/Main;->prefix:Ljava/lang/String;
        return-void
    .end method

    .method public greet(Ljava/lang/String;)Ljava/lang/String;
        .locals 2
        new-instance v0, Ljava/lang/StringBuilder;
        invoke-direct {v0}, Ljava/lang/StringBuilder;-><init>()V
        iget-object v1, p0, Lappseal/test/Main;->prefix:Ljava/lang/String;
        invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        invoke-virtual {v0, p1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        iget v1, p0, Lappseal/test/Main;->count:I
        add-int/lit8 v1, v1, 0x1
        iput v1, p0, Lappseal/test/Main;->count:I
        invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
        move-result-object v0
        return-object v0
    .end method

    .method private static sumOfSquares(I)I
        .registers 4
        const/4 v0, 0x0
        const/4 v1, 0x1
        :loop
        if-gt v1, p0, :done
        mul-int v2, v1, v1
        add-int/2addr v0, v2
        add-int/lit8 v1, v1, 1
        goto :loop
        :done
        return v0
    .end method

    .method private static divide(II)Ljava/lang/String;
        .registers 4
        :try_start
        div-int v0, p0, p1
        invoke-static {v0}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
        move-result-object v0
        :try_end
        .catch Ljava/lang/ArithmeticException; {:try_start .. :try_end} :caught
        .catchall {:try_start .. :try_end} :any
        return-object v0
        :caught
        move-exception v0
        const-string v1, "caught "
        invoke-virtual {v0}, Ljava/lang/Throwable;->getMessage()Ljava/lang/String;
        move-result-object v0
        invoke-virtual {v1, v0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v0
        return-object v0
        :any
        move-exception v0
        throw v0
    .end method

    .method private static describe(Ljava/lang/Object;)Ljava/lang/String;
        .registers 3
        instance-of v0, p0, Ljava/lang/String;
        if-eqz v0, :other
        check-cast p0, Ljava/lang/String;
        invoke-virtual {p0}, Ljava/lang/String;->length()I
        move-result v0
        const-string v1, "string of "
        invoke-static {v0}, Ljava/lang/Integer;->toString(I)Ljava/lang/String;
        move-result-object v0
        invoke-virtual {v1, v0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v0
        goto/16 :end
        :other
        const-string v0, "not a string"
        :end
        return-object v0
    .end method

    .method private static arrays()I
        .registers 5
        const/16 v0, 10
        new-array v1, v0, [I
        const/4 v2, 0
        :fill
        if-ge v2, v0, :filled
        aput v2, v1, v2
        add-int/lit8 v2, v2, 1
        goto :fill
        :filled
        array-length v3, v1
        const/4 v4, 7
        aget v4, v1, v4
        add-int/2addr v3, v4
        return v3
    .end method

    .method private static longs()J
        .registers 6
        const-wide v0, 0x100000000L
        const-wide/16 v2, 3
        mul-long/2addr v0, v2
        sget-wide v2, Lappseal/test/Main;->total:J
        add-long/2addr v0, v2
        sput-wide v0, Lappseal/test/Main;->total:J
        sget-wide v4, Lappseal/test/Main;->total:J
        cmp-long v2, v4, v0
        if-nez v2, :bad
        return-wide v4
        :bad
        const-wide/16 v0, -1
        return-wide v0
    .end method

    .method public static main([Ljava/lang/String;)V
        .registers 8
        sget-object v0, Ljava/lang/System;->out:Ljava/io/PrintStream;
        new-instance v1, Lappseal/test/Main;
        const-string v2, "Hello, "
        invoke-direct {v1, v2}, Lappseal/test/Main;-><init>(Ljava/lang/String;)V
        const-string v2, "wörld \\u00e9\\"\\n"
        invoke-interface {v1, v2}, Lappseal/test/Greeter;->greet(Ljava/lang/String;)Ljava/lang/String;
        move-result-object v3
        invoke-virtual {v0, v3}, Ljava/io/PrintStream;->print(Ljava/lang/String;)V
        const/16 v4, 10
        invoke-static {v4}, Lappseal/test/Main;->sumOfSquares(I)I
        move-result v4
        invoke-virtual {v0, v4}, Ljava/io/PrintStream;->println(I)V
        const/16 v4, 84
        const/4 v5, 2
        invoke-static {v4, v5}, Lappseal/test/Main;->divide(II)Ljava/lang/String;
        move-result-object v6
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(Ljava/lang/String;)V
        const/4 v5, 0
        invoke-static {v4, v5}, Lappseal/test/Main;->divide(II)Ljava/lang/String;
        move-result-object v6
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(Ljava/lang/String;)V
        invoke-static {v2}, Lappseal/test/Main;->describe(Ljava/lang/Object;)Ljava/lang/String;
        move-result-object v6
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(Ljava/lang/String;)V
        invoke-static {v0}, Lappseal/test/Main;->describe(Ljava/lang/Object;)Ljava/lang/String;
        move-result-object v6
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(Ljava/lang/String;)V
        const/4 v6, 0
        invoke-static {v6}, Lappseal/test/Strings;->guarded(Ljava/lang/Object;)I
        move-result v6
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(I)V
        const-string v6, "x"
        invoke-static {v6}, Lappseal/test/Strings;->guarded(Ljava/lang/Object;)I
        move-result v6
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(I)V
        invoke-static/range {}, Lappseal/test/Main;->arrays()I
        move-result v6
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(I)V
        invoke-static {}, Lappseal/test/Main;->longs()J
        move-result-wide v6
        invoke-virtual {v0, v6, v7}, Ljava/io/PrintStream;->println(J)V
        const-class v6, Lappseal/test/Greeter;
        invoke-virtual {v6}, Ljava/lang/Class;->getName()Ljava/lang/String;
        move-result-object v6
        invoke-virtual/range {v0 .. v0}, Ljava/io/PrintStream;->flush()V
        invoke-virtual {v0, v6}, Ljava/io/PrintStream;->println(Ljava/lang/String;)V
        return-void
    .end method
    """

    /// What `main` prints when run on a JVM.
    static let expectedOutput = "Hello, wörld é\"\n385\n42\ncaught / by zero\nstring of 9\nnot a string\n-2\n240\n17\n12884901888\nappseal.test.Greeter\n"

    static let all = [main, base, greeter]
}

extension DexSmaliSources {
    /// Strings whose UTF-16 order differs from code point order (U+1F600 is a surrogate pair, which
    /// sorts before U+FFFF), plus NUL, which Modified UTF-8 writes as C0 80.
    static let strings = """
    .class public Lappseal/test/Strings;
    .super Ljava/lang/Object;

    .method public static all()[Ljava/lang/String;
        .registers 4
        const/4 v0, 4
        new-array v0, v0, [Ljava/lang/String;
        const/4 v1, 0
        const-string v2, "\\uffff"
        aput-object v2, v0, v1
        const/4 v1, 1
        const-string v2, "\\ud83d\\ude00 smile"
        aput-object v2, v0, v1
        const/4 v1, 2
        const-string v2, "nul\\u0000inside"
        aput-object v2, v0, v1
        const/4 v1, 3
        const-string v2, "\\u00e9t\\u00e9"
        aput-object v2, v0, v1
        return-object v0
    .end method

    # Overlapping ranges: the NullPointerException catch covers only the first call, the catch-all
    # both, so the try items must be split where the inner range ends.
    .method public static guarded(Ljava/lang/Object;)I
        .registers 3
        :start
        invoke-virtual {p0}, Ljava/lang/Object;->hashCode()I
        move-result v0
        :inner_end
        invoke-virtual {p0}, Ljava/lang/Object;->hashCode()I
        move-result v1
        add-int/2addr v0, v1
        :end
        .catch Ljava/lang/NullPointerException; {:start .. :inner_end} :null_object
        .catchall {:start .. :end} :fallback
        return v0
        :null_object
        const/4 v0, -2
        return v0
        :fallback
        const/4 v0, -1
        return v0
    .end method
    """
}

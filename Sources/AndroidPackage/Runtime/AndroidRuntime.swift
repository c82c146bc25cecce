/// appseal's Android runtime: readable smali source kept in this folder, assembled by appseal's own
/// DEX assembler into the DEX a secured build adds as its next `classesN.dex`.
public enum AndroidRuntime {
    /// The `<provider>` the manifest declares. A ContentProvider is created before
    /// `Application.onCreate`, so the credential is installed before any app code opens a connection.
    public static let providerClass = "io.appseal.runtime.v1.AppsealProvider"
    /// Every class of the runtime lives under this package, which no app or library uses.
    public static let package = "io.appseal.runtime.v1"
    /// The logcat tag every runtime message is written under.
    public static let logTag = "appseal"
    /// Where the runtime reads the sealed blob, relative to the APK's `assets/` folder.
    public static let sealedBlobAssetName = "appseal/sealed.bin"

    /// The runtime's DEX (version 035), assembled from `AndroidRuntimeSources.all`.
    public static func assembleDEX() throws(DexAssemblyError) -> [UInt8] {
        try SmaliParser.assemble(AndroidRuntimeSources.all.map(\.source))
    }
}

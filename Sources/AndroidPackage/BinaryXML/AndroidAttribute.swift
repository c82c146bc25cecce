/// Framework attribute resource IDs (android:attr/...) that appseal reads or writes. Values are
/// those of the platform's public.xml; a test checks them against framework-res.apk's table.
public enum AndroidAttribute {
    public static let namespaceURI = "http://schemas.android.com/apk/res/android"

    public static let theme: UInt32 = 0x0101_0000
    public static let label: UInt32 = 0x0101_0001
    public static let icon: UInt32 = 0x0101_0002
    public static let name: UInt32 = 0x0101_0003
    public static let debuggable: UInt32 = 0x0101_000f
    public static let exported: UInt32 = 0x0101_0010
    public static let authorities: UInt32 = 0x0101_0018
    public static let initOrder: UInt32 = 0x0101_001a
    public static let grantUriPermissions: UInt32 = 0x0101_001b
    public static let minSdkVersion: UInt32 = 0x0101_020c
    public static let versionCode: UInt32 = 0x0101_021b
    public static let versionName: UInt32 = 0x0101_021c
    public static let targetSdkVersion: UInt32 = 0x0101_0270
    public static let maxSdkVersion: UInt32 = 0x0101_0271
    public static let testOnly: UInt32 = 0x0101_0272
    public static let allowBackup: UInt32 = 0x0101_0280
    public static let extractNativeLibs: UInt32 = 0x0101_04ea
    public static let usesCleartextTraffic: UInt32 = 0x0101_04ec
    public static let networkSecurityConfig: UInt32 = 0x0101_0527

    /// Attribute names by ID, for the ones above (used when writing new attributes).
    public static let names: [UInt32: String] = [
        theme: "theme", label: "label", icon: "icon", name: "name", debuggable: "debuggable",
        exported: "exported", authorities: "authorities", initOrder: "initOrder",
        grantUriPermissions: "grantUriPermissions", minSdkVersion: "minSdkVersion", versionCode: "versionCode",
        versionName: "versionName", targetSdkVersion: "targetSdkVersion", maxSdkVersion: "maxSdkVersion",
        testOnly: "testOnly", allowBackup: "allowBackup", extractNativeLibs: "extractNativeLibs",
        usesCleartextTraffic: "usesCleartextTraffic", networkSecurityConfig: "networkSecurityConfig",
    ]
}

/// Names the cross-platform frameworks and languages an app was built with, each with the entry
/// that proves it. Only entry names are looked at, so detection costs nothing per byte of the app.
enum FrameworkDetector {
    struct Rule: Sendable {
        let name: String
        /// True when an entry path (relative to its module) proves the framework.
        let matches: @Sendable (_ path: String, _ parts: [Substring]) -> Bool
    }

    static func isNativeLibrary(_ parts: [Substring], _ file: String) -> Bool {
        parts.count == 3 && parts[0] == "lib" && parts[2] == Substring(file)
    }

    /// `lib/<abi>/<prefix>….so`, e.g. `libssl.so.3` is not loadable by Android, `libssl.so` and `libssl3.so` are.
    static func isNativeLibrary(_ parts: [Substring], prefix: String) -> Bool {
        parts.count == 3 && parts[0] == "lib" && parts[2].hasPrefix(prefix) && parts[2].hasSuffix(".so")
    }

    /// Detected libraries that are not how the app was built, so they do not hide "Java (native Android)".
    static let libraryNames: Set<String> = ["Kotlin", "Cronet", "Native TLS library"]

    static let rules: [Rule] = [
        Rule(name: "Flutter") { path, parts in
            isNativeLibrary(parts, "libflutter.so") || path.hasPrefix("assets/flutter_assets/")
        },
        Rule(name: "React Native") { path, parts in
            path == "assets/index.android.bundle" || isNativeLibrary(parts, "libreactnativejni.so")
        },
        Rule(name: "Unity") { path, parts in
            isNativeLibrary(parts, "libunity.so") || path.hasPrefix("assets/bin/Data/")
        },
        Rule(name: "Xamarin / .NET MAUI") { path, parts in
            (parts.count == 2 && parts[0] == "assemblies" && parts[1].hasSuffix(".dll")) || isNativeLibrary(parts, "libmonodroid.so")
        },
        Rule(name: "Cordova") { path, _ in path == "assets/www/cordova.js" },
        Rule(name: "Capacitor / Ionic") { path, _ in path == "assets/capacitor.config.json" },
        // Network stacks of their own: the runtime's JCA hooks never see their handshakes.
        Rule(name: "Cronet") { _, parts in
            isNativeLibrary(parts, prefix: "libcronet")
        },
        Rule(name: "Native TLS library") { _, parts in
            ["libssl", "libcrypto", "libcurl", "libboringssl"].contains { isNativeLibrary(parts, prefix: $0) }
        },
        Rule(name: "Kotlin") { path, parts in
            (parts.count == 2 && parts[0] == "kotlin" && parts[1].hasSuffix(".kotlin_builtins"))
                || (parts.count == 2 && parts[0] == "META-INF" && parts[1].hasSuffix(".kotlin_module"))
        },
    ]

    static func detect(names: [String], moduleRoots: [String], format: AndroidPackageInspection.Format)
        -> [AndroidPackageInspection.Framework] {
        var found: [AndroidPackageInspection.Framework] = []
        var firstDex: String?
        for name in names where !name.hasSuffix("/") {
            // In a bundle, files sit below `<module>/`, and Java resources below `<module>/root/`.
            var relative = Substring(name)
            if format == .aab {
                guard let root = moduleRoots.first(where: { name.hasPrefix($0) }) else { continue }
                relative = relative.dropFirst(root.count)
                if relative.hasPrefix("root/") { relative = relative.dropFirst(5) }
            }
            let path = String(relative)
            let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
            if firstDex == nil, path.hasSuffix(".dex"), format == .aab ? parts.first == "dex" : parts.count == 1 {
                firstDex = name
            }
            for rule in rules where !found.contains(where: { $0.name == rule.name }) && rule.matches(path, parts) {
                found.append(.init(name: rule.name, evidence: name))
            }
        }
        found.sort { a, b in
            rules.firstIndex { $0.name == a.name }! < rules.firstIndex { $0.name == b.name }!
        }
        let crossPlatform = found.contains { !libraryNames.contains($0.name) }
        if !crossPlatform, let firstDex {
            found.insert(.init(name: "Java (native Android)", evidence: firstDex), at: 0)
        }
        return found
    }
}

extension AndroidPackageInspector {
    /// Frameworks and libraries an APK's entry names prove, as `inspect` reports them; costs no
    /// reads beyond the central directory the caller already has.
    public static func frameworks(apkEntryNames names: [String]) -> [AndroidPackageInspection.Framework] {
        FrameworkDetector.detect(names: names, moduleRoots: [""], format: .apk)
    }
}

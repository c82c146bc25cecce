import Foundation
import Testing
import TestSupport
@testable import ApplePackage

/// Small synthetic apps (written by Python's zipfile) carrying each framework's tell-tale files;
/// the fixtures hold no real Flutter, React Native, Unity, Xamarin or Cordova apps.
@Suite("Framework detection", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct FrameworkDetectionTests {
    static let infoPlist = """
    <?xml version="1.0" encoding="UTF-8"?>
    <plist version="1.0"><dict>
    <key>CFBundleIdentifier</key><string>com.example.app</string>
    <key>CFBundleExecutable</key><string>App</string>
    <key>NSAppTransportSecurity</key><dict>
      <key>NSAllowsArbitraryLoads</key><true/>
      <key>NSExceptionDomains</key><dict>
        <key>legacy.example.com</key><dict>
          <key>NSIncludesSubdomains</key><true/>
          <key>NSExceptionAllowsInsecureHTTPLoads</key><true/>
          <key>NSExceptionMinimumTLSVersion</key><string>TLSv1.0</string>
        </dict>
      </dict>
    </dict>
    </dict></plist>
    """

    /// Builds `Payload/App.app` with an arm64 executable, the given empty files, and Mach-O copies for `binaries`.
    static func app(files: [String], binaries: [String] = [], executable: String = "macho/r2-hello-ios-arm64",
                    in scratch: TemporaryDirectory) throws -> String {
        let output = scratch.path("app.ipa")
        let script = """
        import json, sys, zipfile
        spec = json.loads(sys.argv[2])
        macho = open(sys.argv[3], "rb").read()
        with zipfile.ZipFile(sys.argv[1], "w") as z:
            z.writestr("Payload/App.app/Info.plist", spec["info"])
            z.writestr("Payload/App.app/App", macho)
            for name in spec["files"]: z.writestr("Payload/App.app/" + name, b"")
            for name in spec["binaries"]: z.writestr("Payload/App.app/" + name, macho)
        """
        let spec: [String: Any] = ["info": infoPlist, "files": files, "binaries": binaries]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let result = try ProcessRunner.run("python3", ["-c", script, output, json, Fixtures.url(executable).path])
        try #require(result.succeeded, "\(result.stderr)")
        return output
    }

    @Test("each framework is named with the files that show it", arguments: [
        ("Flutter", ["Frameworks/App.framework/flutter_assets/AssetManifest.json"], ["Frameworks/Flutter.framework/Flutter"],
         ["Frameworks/App.framework/flutter_assets/", "Frameworks/Flutter.framework/"]),
        ("React Native", ["main.jsbundle"], [], ["main.jsbundle"]),
        ("Unity", ["Data/Managed/Metadata/global-metadata.dat"], ["Frameworks/UnityFramework.framework/UnityFramework"],
         ["Data/Managed/", "Frameworks/UnityFramework.framework/"]),
        ("Xamarin / .NET MAUI", ["Microsoft.iOS.dll", "Microsoft.Maui.dll"], [], ["Microsoft.Maui.dll", "Microsoft.iOS.dll"]),
        ("Cordova / Capacitor", ["www/index.html", "capacitor.config.json"], [], ["capacitor.config.json", "www/index.html"]),
        ("Swift", ["Frameworks/libswiftCore.dylib"], [], ["Frameworks/libswiftCore.dylib"]),
    ])
    func detects(name: String, files: [String], binaries: [String], evidence: [String]) throws {
        let scratch = try TemporaryDirectory()
        let inspection = try IPAInspector.inspect(path: try Self.app(files: files, binaries: binaries, in: scratch))
        let found = try #require(inspection.frameworks.first { $0.name == name }, "\(inspection.frameworks)")
        #expect(found.evidence == evidence)
        for binary in binaries {
            #expect(inspection.nestedCode.contains { $0.path == binary && $0.role == .framework && $0.error == nil })
        }
    }

    @Test("the plain executable is Objective-C or Swift by its own sections and links, nothing else")
    func plainApp() throws {
        let scratch = try TemporaryDirectory()
        let inspection = try IPAInspector.inspect(path: try Self.app(files: [], in: scratch))
        #expect(!inspection.frameworks.contains { ["Flutter", "React Native", "Unity", "Xamarin / .NET MAUI", "Cordova / Capacitor"].contains($0.name) })
    }

    @Test("App Transport Security exceptions are read and the cleartext ones reported")
    func transportSecurity() throws {
        let scratch = try TemporaryDirectory()
        let inspection = try IPAInspector.inspect(path: try Self.app(files: [], in: scratch))
        let ats = try #require(inspection.info?.transportSecurity)
        #expect(ats.allowsArbitraryLoads)
        #expect(ats.exceptionDomains == [.init(domain: "legacy.example.com", includesSubdomains: true, allowsInsecureHTTPLoads: true,
                                               minimumTLSVersion: "TLSv1.0", requiresForwardSecrecy: true, requiresCertificateTransparency: false)])
        #expect(inspection.problems.contains("App Transport Security allows cleartext and weak TLS everywhere (NSAllowsArbitraryLoads)"))
        #expect(inspection.problems.contains("App Transport Security allows cleartext HTTP to legacy.example.com"))
        #expect(inspection.problems.contains("App is not code-signed"))
    }

    @Test("an ldid-style signature without CMS is reported as ad hoc, with its entitlements read")
    func adHoc() throws {
        let scratch = try TemporaryDirectory()
        let inspection = try IPAInspector.inspect(path: try Self.app(files: [], executable: "macho/r2-AppIOSEntitlements.ios", in: scratch))
        let main = try #require(inspection.mainExecutable)
        #expect(main.isSigned && main.isFat)
        #expect(main.slices.allSatisfy { $0.codeSignature?.cms == nil && $0.codeSignature?.entitlements?["com.apple.security.app-sandbox"] == .boolean(true) })
        #expect(inspection.problems.contains("App is signed ad hoc (no CMS signature): it installs only on jailbroken or development devices"))
        #expect(inspection.renderText().contains("\n    CMS none (ad hoc)\n"))
    }
}

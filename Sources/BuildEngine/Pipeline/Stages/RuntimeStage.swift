import AndroidPackage
import ArchiveKit
import CryptoCore
import Foundation

/// The appseal Android runtime as a build adds it: one more `classesN.dex` and a `<provider>`
/// that Android creates before `Application.onCreate`.
enum RuntimeInjection {
    /// DEX 035 and the runtime's APIs (SSLContext.setDefault, X509ExtendedKeyManager) need Lollipop.
    static let minimumSdk = 21
    /// X509ExtendedTrustManager and handshake sessions, which pins and the TLS minimum need, exist from API 24.
    static let handshakeSessionSdk = 24
    /// Providers start in descending initOrder; the largest value puts ours before every other one.
    static let initOrder = Int32.max
    static let authoritySuffix = ".appseal-runtime"
    static let manifestName = "AndroidManifest.xml"
    /// `android:hasCode`: with false, Android loads none of the app's DEX files (not in AndroidAttribute's list).
    static let hasCodeAttribute: UInt32 = 0x0101_000c
    /// `android:process`: a component in another process than the provider's never gets the runtime.
    static let processAttribute: UInt32 = 0x0101_0011

    /// Components of `<application>` that run in a process of their own, as "<service name process>".
    static func otherProcessComponents(_ application: BinaryXMLElement) -> [String] {
        let main = application.attribute(resourceID: processAttribute)?.value.stringValue
        return application.elements.compactMap { component in
            guard let process = component.attribute(resourceID: processAttribute)?.value.stringValue, process != main else {
                return nil
            }
            let name = component.attribute(resourceID: AndroidAttribute.name)?.value.stringValue ?? "?"
            return "<\(component.name) \(name) android:process=\"\(process)\">"
        }
    }
    /// The features whose sealed configuration the runtime applies inside the app.
    static let features = [FeatureID.mobileClientCertificates, FeatureID.certificatePinning,
                           FeatureID.trustedDomains, FeatureID.enforceMinimumTLSVersion]

    /// Unique per app: Android refuses to install a second app that declares an authority already taken.
    static func authority(appID: String) -> String { appID + authoritySuffix }

    /// The runtime DEX, assembled once per process from the smali source in AndroidPackage.
    private static let assembled = Result { () throws(DexAssemblyError) -> [UInt8] in try AndroidRuntime.assembleDEX() }

    static func dex() throws -> [UInt8] {
        switch assembled {
        case let .success(bytes): return bytes
        case let .failure(error):
            throw BuildFailure(.internalError, "the appseal Android runtime does not assemble: \(error)")
        }
    }

    /// Whether an entry is this appseal's runtime DEX, byte for byte (its size decides first,
    /// so other DEX files are not read).
    static func isRuntimeDEX(_ entry: ZipEntry, in archive: ZipArchive) throws -> Bool {
        let runtime = try dex()
        guard entry.uncompressedSize == UInt64(runtime.count) else { return false }
        return try archive.readData(entry) == runtime
    }

    /// 1 for `classes.dex`, N for `classesN.dex` (N ≥ 2, no leading zero): the names Android's
    /// loader asks for in turn. Any other name (`classes1.dex`, `classes02.dex`) is never loaded.
    static func dexNumber(_ name: String) -> Int? {
        guard name.hasPrefix("classes"), name.hasSuffix(".dex"), !name.contains("/") else { return nil }
        let digits = name.dropFirst("classes".count).dropLast(".dex".count)
        if digits.isEmpty { return 1 }
        guard digits.first != "0", digits.count <= 6, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits),
              number >= 2 else { return nil }
        return number
    }

    static func dexName(_ number: Int) -> String { number == 1 ? "classes.dex" : "classes\(number).dex" }

    /// The input's DEX files in load order and the name the runtime's DEX takes after them; a
    /// failure says why Android would not load a DEX added there.
    static func plan(entryNames: [String]) -> Result<(original: [String], next: String), BuildFailure> {
        let numbers = Set(entryNames.compactMap(dexNumber))
        guard numbers.contains(1) else {
            return .failure(BuildFailure(.invalidInput, "the app has no classes.dex, so Android would load no DEX of it "
                + "and never the runtime's; appseal injects its runtime only into apps with code"))
        }
        var last = 1
        while numbers.contains(last + 1) { last += 1 }
        if let stranded = numbers.filter({ $0 > last }).min() {
            return .failure(BuildFailure(.invalidInput, "the app has \(dexName(stranded)) but no \(dexName(last + 1)): "
                + "Android stops loading DEX files at the first gap, so \(dexName(stranded)) is dead code and a DEX "
                + "added after it would never load; rebuild the app with consecutive classesN.dex names"))
        }
        return .success(((1...last).map(dexName), dexName(last + 1)))
    }

    /// The `<provider>` a secured build adds inside `<application>`.
    static func providerElement(authority: String) -> NewElement {
        NewElement(name: "provider", attributes: [
            .android(AndroidAttribute.name, .string(AndroidRuntime.providerClass), name: "name"),
            .android(AndroidAttribute.exported, .boolean(false), name: "exported"),
            .android(AndroidAttribute.authorities, .string(authority), name: "authorities"),
            .android(AndroidAttribute.initOrder, .intDecimal(initOrder), name: "initOrder"),
        ])
    }

    /// The `<provider>` elements of `<application>` that are appseal's: our class (or any class of the
    /// runtime's package) or an authority of ours.
    static func runtimeProviders(in document: BinaryXMLDocument) -> [BinaryXMLElement] {
        let application = document.root?.elements.first { $0.name == "application" }
        return (application?.elements ?? []).filter { element in
            guard element.name == "provider" else { return false }
            let name = element.attribute(resourceID: AndroidAttribute.name)?.value.stringValue ?? ""
            let authorities = element.attribute(resourceID: AndroidAttribute.authorities)?.value.stringValue ?? ""
            return name == AndroidRuntime.providerClass || name.hasPrefix(AndroidRuntime.package + ".")
                || authorities.split(separator: ";").contains { $0.hasSuffix(authoritySuffix) }
        }
    }

    /// Why a provider read back from a manifest is not the one we inject, or nil when it is.
    static func mismatch(of provider: BinaryXMLElement, authority: String) -> String? {
        let name = provider.attribute(resourceID: AndroidAttribute.name)?.value.stringValue
        let authorities = provider.attribute(resourceID: AndroidAttribute.authorities)?.value.stringValue
        let exported = provider.attribute(resourceID: AndroidAttribute.exported)?.value.boolean
        let order = provider.attribute(resourceID: AndroidAttribute.initOrder)?.value.integer
        if name != AndroidRuntime.providerClass { return "android:name is \(name ?? "missing")" }
        if authorities != authority { return "android:authorities is \(authorities ?? "missing"), not \(authority)" }
        if exported != false { return "android:exported is \(exported.map(String.init) ?? "missing"), not false" }
        if order != Int(initOrder) { return "android:initOrder is \(order.map(String.init) ?? "missing"), not \(initOrder)" }
        return nil
    }

    /// What each framework or library that does its own TLS means for the runtime.
    static let unreachableStacks: [String: String] = [
        "Flutter": "Flutter's dart:io opens TLS connections in libflutter.so with its own BoringSSL",
        "Unity": "Unity's .NET networking (HttpClient, SslStream) does TLS in native code with Mono's or IL2CPP's own "
            + "TLS, and UnityWebRequest may too",
        "Cronet": "Cronet (Chromium's network stack) does TLS in native code",
        "Native TLS library": "a native TLS library (OpenSSL, BoringSSL or curl) in lib/ does its handshakes outside Java",
    ]
}

/// What Validate decided for the Runtime stage.
struct RuntimePlan {
    /// The input's DEX files in load order.
    let originalDEX: [String]
    /// The name the runtime's DEX gets: the next one after `originalDEX`.
    let dexName: String
    let authority: String
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension BuildRun {
    /// Validate's checks for an Android APK: not already secured, and, when the set needs the
    /// runtime, an app the runtime can be injected into. Warns about stacks the runtime cannot reach.
    func validateAndroidRuntime(app: AppFacts, set checked: FusionSet) throws {
        let archive = try ZipArchiveOpener.open(record.inputPath)
        let document = try Self.inputManifest(archive, path: record.inputPath)
        var secured: [String] = []
        if archive.entry(named: SealedBlob.assetPath) != nil { secured.append(SealedBlob.assetPath) }
        if let provider = RuntimeInjection.runtimeProviders(in: document).first {
            let name = provider.attribute(resourceID: AndroidAttribute.name)?.value.stringValue ?? "?"
            secured.append("the manifest's <provider android:name=\"\(name)\">")
        }
        if !secured.isEmpty {
            throw BuildFailure(.invalidInput, "\(record.inputPath) is already secured by appseal (it carries "
                + secured.joined(separator: " and ") + "); build from the original app, not from a secured output")
        }
        guard checked.features[FeatureID.mobileClientCertificates] != nil else { return }
        guard let minSdk = app.minSdk, minSdk >= RuntimeInjection.minimumSdk else {
            let declared = app.minSdk.map { "minSdk \($0)" } ?? "no minSdkVersion (Android then assumes 1)"
            throw BuildFailure(.invalidInput, "the app declares \(declared), and the appseal runtime that presents the "
                + "client certificate needs minSdk \(RuntimeInjection.minimumSdk) (Android 5.0) or later; raise the app's "
                + "minSdkVersion to \(RuntimeInjection.minimumSdk), or build without Mobile Client Certificates")
        }
        guard let application = document.element(at: ["manifest", "application"]) else {
            throw BuildFailure(.invalidInput, "the manifest has no <application>, so the runtime's <provider> has nowhere to go")
        }
        if application.attribute(resourceID: RuntimeInjection.hasCodeAttribute)?.value.boolean == false {
            throw BuildFailure(.invalidInput, "the app declares <application android:hasCode=\"false\">: Android loads none of "
                + "its DEX files, so the runtime's provider could not start; build without Mobile Client Certificates")
        }
        let checksHandshake = [FeatureID.certificatePinning, FeatureID.enforceMinimumTLSVersion]
            .filter { checked.features[$0] != nil }
        if minSdk < RuntimeInjection.handshakeSessionSdk, !checksHandshake.isEmpty {
            let titles = checksHandshake.compactMap { validator.catalog.feature($0)?.title }.joined(separator: " and ")
            warn(.validate, "the app runs from minSdk \(minSdk): on Android 5 and 6 (API 21-23) the platform gives trust "
                + "managers no handshake session, so \(titles) are not checked there; the client certificate is still "
                + "presented and the server still rejects clients without one")
        }
        let separate = RuntimeInjection.otherProcessComponents(application)
        if !separate.isEmpty {
            warn(.validate, "the runtime starts in the app's main process only; connections made in "
                + separate.joined(separator: ", ") + " do not present the client certificate or check pins")
        }
        let names = archive.entries.map(\.name)
        let (original, next) = try RuntimeInjection.plan(entryNames: names).get()
        // Assembled here (once per process) so a runtime that does not assemble stops the build before a
        // certificate is issued for it.
        _ = try RuntimeInjection.dex()
        state.runtimePlan = RuntimePlan(originalDEX: original, dexName: next,
                                        authority: RuntimeInjection.authority(appID: app.appID))
        for framework in AndroidPackageInspector.frameworks(apkEntryNames: names) {
            guard let what = RuntimeInjection.unreachableStacks[framework.name] else { continue }
            warn(.validate, "\(framework.name) (\(framework.evidence)): \(what); those connections will not present the "
                + "client certificate or check pins and the TLS minimum; only the server's client-certificate check rejects them")
        }
    }

    static func inputManifest(_ archive: ZipArchive, path: String) throws -> BinaryXMLDocument {
        guard let entry = archive.entry(named: RuntimeInjection.manifestName) else {
            throw BuildFailure(.invalidInput, "\(path) has no \(RuntimeInjection.manifestName)")
        }
        do {
            return try BinaryXMLDocument(bytes: try archive.readData(entry))
        } catch {
            throw BuildFailure(.invalidInput, "\(path): \(RuntimeInjection.manifestName) cannot be read: \(error)")
        }
    }

    func runtimeStage() throws -> StageOutcome {
        guard let plan = state.runtimePlan else {
            info(.runtime, "no runtime injected: this Fusion Set has no Mobile Client Certificates, and nothing else in it "
                + "is enforced inside the app")
            return .skipped
        }
        let dex = try RuntimeInjection.dex()
        let manifest: BinaryXMLDocument
        if let patched = state.replacements[RuntimeInjection.manifestName] {
            // Compose with Patch: add the provider to the manifest it already edited.
            manifest = try BinaryXMLDocument(bytes: patched)
        } else {
            manifest = try Self.inputManifest(try ZipArchiveOpener.open(record.inputPath), path: record.inputPath)
        }
        var document = manifest
        do {
            try document.appendChild(to: ["manifest", "application"], RuntimeInjection.providerElement(authority: plan.authority))
        } catch {
            throw BuildFailure(.failed, "the runtime's <provider> cannot be added to AndroidManifest.xml: \(error)")
        }
        let bytes = document.encoded()
        // Read back what was written: the edit must parse and declare exactly our provider.
        let check = try BinaryXMLDocument(bytes: bytes)
        let providers = RuntimeInjection.runtimeProviders(in: check)
        let mismatch = providers.count == 1 ? RuntimeInjection.mismatch(of: providers[0], authority: plan.authority)
            : "\(providers.count) appseal providers found"
        if let mismatch {
            throw BuildFailure(.failed, "the manifest with the runtime's <provider> does not read back with it: \(mismatch)")
        }
        let cleartext = check.element(at: ["manifest", "application"])?.attribute(resourceID: AndroidAttribute.usesCleartextTraffic)
        if state.replacements[RuntimeInjection.manifestName] != nil, fusionSet.features[FeatureID.blockCleartextTraffic] != nil,
           cleartext?.value.boolean != false {
            throw BuildFailure(.failed, "adding the runtime's <provider> lost Patch's usesCleartextTraffic=false")
        }
        state.replacements[RuntimeInjection.manifestName] = bytes
        state.additions.append((plan.dexName, dex))
        info(.runtime, "added \(plan.dexName) (\(dex.count) bytes, DEX 035, sha256 \(Digest.sha256(Data(dex)).hex)) after "
            + plan.originalDEX.joined(separator: ", ") + "; AndroidManifest.xml: <provider android:name=\""
            + AndroidRuntime.providerClass + "\" android:authorities=\"\(plan.authority)\" android:exported=\"false\" "
            + "android:initOrder=\"\(RuntimeInjection.initOrder)\"> in <application>")
        let enforced = RuntimeInjection.features.filter { fusionSet.features[$0] != nil }
        state.applied.insert(contentsOf: enforced.map(applied), at: 0)
        try progress(.runtime, total: Int64(dex.count)).report(Int64(dex.count))
        return .done
    }
}

@testable import AndroidPackage
import Foundation
import Testing
import TestSupport

/// The runtime's DEX as the Android tools see it: dexdump reads every method, baksmali disassembles
/// it, and smali assembling the same sources gives the same code, method by method.
@Suite struct AndroidRuntimeDexTests {
    static let classNames = [
        "AppsealProvider", "Runtime", "SealedBlob", "Credential", "Policy", "ClientKeyManager",
        "PinningTrustManager", "LegacyTrustManager", "JsseProvider", "ContextService", "ContextSpi",
    ]

    static func assembled(in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("runtime.dex")
        try Data(try AndroidRuntime.assembleDEX()).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func dexdumpReadsEveryClassAndMethodWithoutErrors() throws {
        let directory = try TemporaryDirectory()
        let dex = try Self.assembled(in: directory)
        // What the runtime adds to every secured APK (before compression).
        let size = try FileManager.default.attributesOfItem(atPath: dex)[.size] as? Int ?? 0
        #expect(size > 0 && size < 32 * 1024, "the runtime DEX is \(size) bytes, over its 32 KiB budget")
        let result = try ProcessRunner.run(try ProcessRunner.resolve("dexdump"), ["-d", dex])
        #expect(result.succeeded, "\(result.combined)")
        #expect(!result.combined.localizedCaseInsensitiveContains("error"), "\(result.combined)")
        #expect(!result.combined.localizedCaseInsensitiveContains("failure"), "\(result.combined)")
        #expect(result.stdout.contains("DEX version '035'"))
        for name in Self.classNames {
            #expect(result.stdout.contains("Class descriptor  : 'Lio/appseal/runtime/v1/\(name);'"), "\(name)")
        }
        let descriptors = result.stdout.components(separatedBy: "\n").filter { $0.contains("Class descriptor  :") }
        #expect(descriptors.count == Self.classNames.count)
        #expect(descriptors.allSatisfy { $0.contains("'Lio/appseal/runtime/v1/") })
        // The provider the manifest names, public and with the superclass Android instantiates.
        let provider = "L" + AndroidRuntime.providerClass.replacingOccurrences(of: ".", with: "/") + ";"
        #expect(result.stdout.contains("Class descriptor  : '\(provider)'\n  Access flags      : 0x0011 (PUBLIC FINAL)\n  Superclass        : 'Landroid/content/ContentProvider;'"))
    }

    @Test func baksmaliDisassemblyMatchesSmaliMethodByMethod() throws {
        let directory = try TemporaryDirectory()
        let ours = try Self.assembled(in: directory)
        let theirs = try DexTools.smaliAssemble(AndroidRuntimeSources.all.map(\.source), in: directory, output: "smali.dex")
        let ourFolder = try DexTools.baksmali(ours, in: directory, output: "ours")
        let theirFolder = try DexTools.baksmali(theirs, in: directory, output: "theirs")
        var methodCount = 0
        for name in Self.classNames {
            let relative = "io/appseal/runtime/v1/\(name).smali"
            let ourText = try String(contentsOf: ourFolder.appendingPathComponent(relative), encoding: .utf8)
            let theirText = try String(contentsOf: theirFolder.appendingPathComponent(relative), encoding: .utf8)
            let ourMethods = DexTools.methods(ourText)
            let theirMethods = DexTools.methods(theirText)
            #expect(!theirMethods.isEmpty, "\(name)")
            #expect(ourMethods.keys.sorted() == theirMethods.keys.sorted(), "\(name)")
            for (signature, body) in theirMethods {
                #expect(ourMethods[signature] == body, "\(name).\(signature) differs")
            }
            #expect(DexTools.header(ourText) == DexTools.header(theirText), "\(name) header")
            methodCount += theirMethods.count
        }
        #expect(methodCount > 50)
    }

    /// The names the build engine relies on are the ones the smali uses.
    @Test func sourcesUseTheContractsNames() {
        let all = AndroidRuntimeSources.all.map(\.source).joined(separator: "\n")
        #expect(AndroidRuntimeSources.all.map(\.name) == Self.classNames)
        for (name, source) in AndroidRuntimeSources.all {
            #expect(source.contains(".class ") && source.contains(" Lio/appseal/runtime/v1/\(name);\n"), "\(name)")
        }
        #expect(AndroidRuntime.package == "io.appseal.runtime.v1")
        #expect(all.contains("const-string v0, \"\(AndroidRuntime.sealedBlobAssetName)\""))
        #expect(all.contains("const-string v1, \"\(AndroidRuntime.logTag)\""))
    }
}

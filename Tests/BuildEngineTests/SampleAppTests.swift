import AndroidPackage
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import BuildEngine

/// The sample app appseal makes itself, checked by the tools a user would check it with.
@Suite("Sample app")
struct SampleAppTests {
    /// A fresh workspace with the sample written into its samples folder.
    private static func writtenSample() throws -> (folder: TemporaryDirectory, workspace: Workspace, apk: String) {
        let folder = try TemporaryDirectory(prefix: "appseal-sample")
        let workspace = try Workspace.open(at: folder.path("ws"))
        try workspace.ensureDirectory(workspace.samplesDirectory)
        try SampleApp.write(to: workspace.sampleAppFile, workspace: workspace)
        return (folder, workspace, workspace.sampleAppFile.path)
    }

    @Test func theEmptyManifestTemplateParsesAndEncodesBackByteForByte() throws {
        let template = SampleApp.emptyManifestDocument()
        let document = try BinaryXMLDocument(bytes: template)
        #expect(document.root?.name == "manifest")
        #expect(document.root?.namespaceURI == nil)
        #expect(document.stringPool.strings == ["android", AndroidAttribute.namespaceURI, "manifest"])
        #expect(document.anomalies == [.missingResourceMap])
        #expect(document.encoded() == template)
    }

    @Test func theManifestCarriesPackageVersionSdkLabelCleartextAndTheLauncherActivity() throws {
        let document = try BinaryXMLDocument(bytes: try SampleApp.manifest())
        #expect(document.anomalies.isEmpty, "\(document.anomalies)")
        let manifest = try #require(document.root)
        #expect(manifest.attribute(named: "package")?.value == .string(SampleApp.packageName))
        #expect(manifest.attribute(resourceID: AndroidAttribute.versionCode)?.value == .intDecimal(1))
        #expect(manifest.attribute(resourceID: AndroidAttribute.versionName)?.value == .string("1.0"))
        let sdk = try #require(document.element(at: ["manifest", "uses-sdk"]))
        #expect(sdk.attribute(resourceID: AndroidAttribute.minSdkVersion)?.value == .intDecimal(SampleApp.minSdk))
        let application = try #require(document.element(at: ["manifest", "application"]))
        #expect(application.attribute(resourceID: AndroidAttribute.label)?.value == .string(SampleApp.label))
        #expect(application.attribute(resourceID: AndroidAttribute.usesCleartextTraffic)?.value == .boolean(true))
        let activity = try #require(document.element(at: ["manifest", "application", "activity"]))
        #expect(activity.attribute(resourceID: AndroidAttribute.name)?.value == .string(SampleApp.activityClass))
        #expect(try SampleApp.manifest() == document.encoded(), "the manifest is the same every time")
    }

    @Test func apksignerZipalignAaptAndDexdumpAcceptTheSample() throws {
        let sample = try Self.writtenSample()
        defer { withExtendedLifetime(sample.folder) {} }
        let apk = sample.apk
        let verify = try ProcessRunner.run("apksigner", ["verify", "-v", "--print-certs", apk])
        #expect(verify.succeeded, "\(verify.combined)")
        #expect(verify.stdout.contains("Verified using v2 scheme (APK Signature Scheme v2): true"))
        #expect(verify.stdout.contains("Verified using v3 scheme (APK Signature Scheme v3): true"))
        #expect(verify.stdout.contains("CN=appseal debug key"), "signed with the workspace debug key: \(verify.stdout)")
        let zipalign = try ProcessRunner.run("zipalign", ["-c", "-p", "4", apk])
        #expect(zipalign.succeeded, "\(zipalign.combined)")

        let badging = try ProcessRunner.run("aapt", ["dump", "badging", apk])
        #expect(badging.succeeded, "\(badging.combined)")
        #expect(badging.stdout.contains("package: name='dev.appseal.sample' versionCode='1' versionName='1.0'"), "\(badging.stdout)")
        #expect(badging.stdout.contains("sdkVersion:'24'"))
        #expect(badging.stdout.contains("targetSdkVersion:'34'"))
        #expect(badging.stdout.contains("launchable-activity: name='dev.appseal.sample.MainActivity'  label='appseal sample'"))

        let xmltree = try ProcessRunner.run("aapt", ["dump", "xmltree", apk, "AndroidManifest.xml"])
        #expect(xmltree.succeeded, "\(xmltree.combined)")
        #expect(xmltree.stdout.contains("A: android:usesCleartextTraffic(0x010104ec)=(type 0x12)0xffffffff"), "\(xmltree.stdout)")
        #expect(xmltree.stdout.contains("A: android:name(0x01010003)=\"android.intent.category.LAUNCHER\""))

        let dexdump = try ProcessRunner.run("dexdump", ["-d", apk])
        #expect(dexdump.succeeded, "\(dexdump.combined)")
        #expect(dexdump.stdout.contains("Class descriptor  : 'Ldev/appseal/sample/MainActivity;'"))
        #expect(dexdump.stdout.contains("Superclass        : 'Landroid/app/Activity;'"))
        #expect(dexdump.stdout.contains("Landroid/widget/TextView;.setText:(Ljava/lang/CharSequence;)V"), "\(dexdump.stdout)")
    }

    @Test func appsealInspectReadsTheSample() throws {
        let sample = try Self.writtenSample()
        defer { withExtendedLifetime(sample.folder) {} }
        let apk = sample.apk
        let result = try ProcessRunner.appseal(["inspect", apk, "--json"])
        #expect(result.succeeded, "\(result.combined)")
        #expect(result.stdout.contains("\"dev.appseal.sample\""), "\(result.stdout)")
        let text = try ProcessRunner.appseal(["inspect", apk])
        #expect(text.stdout.contains("usesCleartextTraffic true"), "\(text.stdout)")
        #expect(text.stdout.contains("Components   1 activities"))
    }

    @Test func aFullBuildWithClientCertificatesAndBlockCleartextSucceedsAndTurnsCleartextOff() throws {
        let fixture = try BuildFixture()
        let apk = fixture.folder.path("sample.apk")
        try BuildFixture.require(try fixture.appseal(["sample", "--out", apk]))
        let setID = try fixture.createSet("sample", features: ["mobile-client-certificates:hosts=api.example.com",
                                                                "block-cleartext-traffic"])
        let result = try fixture.appseal(["build", apk, "--fusion-set", setID, "--debug-sign", "--json-events"])
        #expect(result.status == 0, "\(result.combined)")
        let finished = try #require(BuildFixture.events(result).last)
        #expect(finished["status"] as? String == "succeeded", "\(finished)")
        let output = try #require(finished["output"] as? String)
        let verify = try ProcessRunner.run("apksigner", ["verify", output])
        #expect(verify.succeeded, "\(verify.combined)")
        let xmltree = try ProcessRunner.run("aapt", ["dump", "xmltree", output, "AndroidManifest.xml"])
        #expect(xmltree.stdout.contains("A: android:usesCleartextTraffic(0x010104ec)=(type 0x12)0x0"), "\(xmltree.stdout)")
        #expect(try ProcessRunner.run("unzip", ["-l", output]).stdout.contains(SealedBlob.assetPath))
    }

    @Test func sampleCommandWritesWhereAskedRefusesAFolderAndPrintsJSON() throws {
        let folder = try TemporaryDirectory(prefix: "appseal-sample-cli")
        let workspace = folder.path("ws")
        let json = try ProcessRunner.appseal(["--workspace", workspace, "sample", "--json"])
        #expect(json.succeeded, "\(json.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        #expect(object["path"] as? String == "\(workspace)/samples/\(SampleApp.fileName)")
        #expect(object["package"] as? String == SampleApp.packageName)
        #expect(FileManager.default.fileExists(atPath: "\(workspace)/samples/\(SampleApp.fileName)"))

        let intoFolder = try ProcessRunner.appseal(["--workspace", workspace, "sample", "--out", folder.url.path])
        #expect(intoFolder.status == 2, "\(intoFolder.combined)")
        #expect(intoFolder.stderr.contains("is a folder"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(workspace)/samples")
        #expect(leftovers == [SampleApp.fileName], "no temporary files stay behind: \(leftovers)")
    }

    @Test func firstRunCreatesTheCAAndTheSampleOnceAndOnlyOnAnUnusedWorkspace() throws {
        let folder = try TemporaryDirectory(prefix: "appseal-first-run")
        let workspace = try Workspace.open(at: folder.path("ws"))
        #expect(FirstRun.isNeeded(workspace))
        #expect(!FirstRun.offersSample(workspace))
        let prepared = try #require(try FirstRun.prepare(workspace, caPassphrase: nil))
        #expect(prepared.sampleApp == workspace.sampleAppFile)
        #expect(!prepared.caKeyEncrypted)
        #expect(CertificateAuthority.exists(in: workspace))
        #expect(FirstRun.offersSample(workspace))
        let key = try String(contentsOfFile: workspace.caDirectory.appendingPathComponent("ca.key").path, encoding: .utf8)
        #expect(!key.contains("ENCRYPTED"))
        // The same CA `ca init` makes by default: EC P-256, shown by `ca show`.
        let show = try ProcessRunner.appseal(["--workspace", workspace.root.path, "ca", "show", "--json"])
        #expect(show.succeeded, "\(show.combined)")
        #expect(show.stdout.contains("appseal workspace CA"), "\(show.stdout)")
        #expect(try FirstRun.prepare(workspace, caPassphrase: nil) == nil, "a used workspace is left alone")
    }

    @Test func consolesStartingTogetherOnANewWorkspaceMakeOneCAAndNoError() throws {
        let folder = try TemporaryDirectory(prefix: "appseal-first-run")
        let workspace = try Workspace.open(at: folder.path("ws"))
        let outcomes = Mutex<[Result<Bool, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let outcome = Result { try FirstRun.prepare(workspace, caPassphrase: nil) != nil }
            outcomes.withLock { $0.append(outcome) }
        }
        let prepared = try outcomes.withLock { list in try list.map { try $0.get() } }
        #expect(prepared.filter { $0 }.count == 1, "\(prepared)")
        #expect(CertificateAuthority.exists(in: workspace))
        let apksigner = try ProcessRunner.run("apksigner", ["verify", workspace.sampleAppFile.path])
        #expect(apksigner.succeeded, "\(apksigner.combined)")
    }

    @Test func firstRunEncryptsTheCAKeyWithThePassphraseWhenGiven() throws {
        let folder = try TemporaryDirectory(prefix: "appseal-first-run")
        let workspace = try Workspace.open(at: folder.path("ws"))
        let prepared = try #require(try FirstRun.prepare(workspace, caPassphrase: "correct horse battery"))
        #expect(prepared.caKeyEncrypted)
        let key = try String(contentsOfFile: workspace.caDirectory.appendingPathComponent("ca.key").path, encoding: .utf8)
        #expect(key.contains("ENCRYPTED"))
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.caDirectory.appendingPathComponent("ca.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        _ = try CertificateAuthority.open(workspace) { "correct horse battery" }
    }
}

import AndroidPackage
import ArchiveKit
import Foundation

/// A small, valid Android app that appseal makes with its own AXML, DEX, ZIP and signing code, so
/// a newcomer without an app of their own can go through Upload → Fusion Set → Build My App.
///
/// It declares `usesCleartextTraffic="true"`, so Block Cleartext Traffic visibly changes it, and
/// one launcher activity whose class is assembled from smali into classes.dex.
public enum SampleApp {
    public static let packageName = "dev.appseal.sample"
    public static let versionCode: Int32 = 1
    public static let versionName = "1.0"
    public static let label = "appseal sample"
    /// API 24: signed with v2 and v3 (v1 adds nothing from Android 7 on).
    public static let minSdk: Int32 = 24
    public static let targetSdk: Int32 = 34
    public static let activityClass = "dev.appseal.sample.MainActivity"
    public static let fileName = "appseal-sample.apk"

    /// The launcher activity: shows one line of text.
    static let activitySmali = """
    .class public Ldev/appseal/sample/MainActivity;
    .super Landroid/app/Activity;
    .source "MainActivity.java"

    .method public constructor <init>()V
        .registers 1
        invoke-direct {p0}, Landroid/app/Activity;-><init>()V
        return-void
    .end method

    .method protected onCreate(Landroid/os/Bundle;)V
        .registers 4
        invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
        new-instance v0, Landroid/widget/TextView;
        invoke-direct {v0, p0}, Landroid/widget/TextView;-><init>(Landroid/content/Context;)V
        const-string v1, "Built by appseal"
        invoke-virtual {v0, v1}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V
        invoke-virtual {p0, v0}, Ldev/appseal/sample/MainActivity;->setContentView(Landroid/view/View;)V
        return-void
    .end method
    """

    /// classes.dex, assembled from `activitySmali`.
    public static func classesDex() throws -> [UInt8] {
        try SmaliParser.assemble([activitySmali])
    }

    /// The compiled AndroidManifest.xml. The edit API adds elements to an existing document, so
    /// this starts from the smallest document there is — `<manifest>` inside the android
    /// namespace — and builds everything else through it.
    public static func manifest() throws -> [UInt8] {
        var document = try BinaryXMLDocument(bytes: emptyManifestDocument())
        typealias A = AndroidAttribute
        let manifest = ["manifest"]
        try document.setAttribute(on: manifest, resourceID: nil, name: "package", namespace: nil, value: .string(packageName))
        try document.setAttribute(on: manifest, .android(A.versionCode, .intDecimal(versionCode)))
        try document.setAttribute(on: manifest, .android(A.versionName, .string(versionName)))
        try document.appendChild(to: manifest, NewElement(name: "uses-sdk", attributes: [
            .android(A.minSdkVersion, .intDecimal(minSdk)),
            .android(A.targetSdkVersion, .intDecimal(targetSdk)),
        ]))
        let launcher = NewElement(name: "intent-filter", children: [
            NewElement(name: "action", attributes: [.android(A.name, .string("android.intent.action.MAIN"))]),
            NewElement(name: "category", attributes: [.android(A.name, .string("android.intent.category.LAUNCHER"))]),
        ])
        let activity = NewElement(name: "activity", attributes: [
            .android(A.label, .string(label)),
            .android(A.name, .string(activityClass)),
            .android(A.exported, .boolean(true)),
        ], children: [launcher])
        try document.appendChild(to: manifest, NewElement(name: "application", attributes: [
            .android(A.label, .string(label)),
            .android(A.usesCleartextTraffic, .boolean(true)),
        ], children: [activity]))
        return document.encoded()
    }

    /// Writes the sample, signed with the workspace debug key (the key `--debug-sign` builds use),
    /// to `destination`: assembled beside it, signed into a temporary file and renamed over it.
    public static func write(to destination: URL, workspace: Workspace) throws {
        let folder = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard case let .identity(identity, _, _) = try SigningKeys.workspaceDebugKey(workspace) else {
            throw BuildFailure(.internalError, "the workspace debug key did not give a signing identity")
        }
        let unsigned = folder.appendingPathComponent(".\(destination.lastPathComponent).unsigned-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: unsigned) }
        let writer = try ZipWriter(destination: unsigned.path)
        do {
            try writer.add(name: "AndroidManifest.xml", data: try manifest(), method: .deflated(level: 9))
            try writer.add(name: "classes.dex", data: try classesDex(), method: .deflated(level: 9))
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        _ = try ApkSigner.sign(input: unsigned.path, output: destination.path, identity: identity)
    }

    /// `<manifest/>` in the android namespace, as aapt2 lays such a file out: RES_XML header,
    /// a UTF-8 string pool, namespace start, element start and end, namespace end.
    static func emptyManifestDocument() -> [UInt8] {
        let strings = ["android", AndroidAttribute.namespaceURI, "manifest"]
        let (prefix, uri, manifest): (UInt32, UInt32, UInt32) = (0, 1, 2)
        var pool = LittleEndianBytes()
        var offsets: [UInt32] = []
        var data: [UInt8] = []
        for string in strings {
            offsets.append(UInt32(data.count))
            let utf8 = Array(string.utf8)
            // Lengths below 128 fit the one-byte form of both the UTF-16 and the UTF-8 count.
            data += [UInt8(string.count), UInt8(utf8.count)] + utf8 + [0]
        }
        while data.count % 4 != 0 { data.append(0) }
        let poolHeaderSize: UInt32 = 28
        let stringsStart = poolHeaderSize + UInt32(offsets.count * 4)
        pool.chunkHeader(type: 0x0001, headerSize: UInt16(poolHeaderSize), size: stringsStart + UInt32(data.count))
        pool.u32(UInt32(strings.count)); pool.u32(0)      // strings, styles
        pool.u32(0x100)                                   // UTF8_FLAG
        pool.u32(stringsStart); pool.u32(0)               // strings start, styles start
        offsets.forEach { pool.u32($0) }
        pool.bytes += data

        var nodes = LittleEndianBytes()
        func node(_ type: UInt16, size: UInt32) {
            nodes.chunkHeader(type: type, headerSize: 16, size: size)
            nodes.u32(1); nodes.u32(noStringReference)    // line number, comment
        }
        node(0x0100, size: 24); nodes.u32(prefix); nodes.u32(uri)
        node(0x0102, size: 36); nodes.u32(noStringReference); nodes.u32(manifest)
        nodes.u16(20); nodes.u16(20); nodes.u16(0)        // attribute start, size, count
        nodes.u16(0); nodes.u16(0); nodes.u16(0)          // id, class, style indices
        node(0x0103, size: 24); nodes.u32(noStringReference); nodes.u32(manifest)
        node(0x0101, size: 24); nodes.u32(prefix); nodes.u32(uri)

        var document = LittleEndianBytes()
        document.chunkHeader(type: 0x0003, headerSize: 8, size: UInt32(8 + pool.bytes.count + nodes.bytes.count))
        return document.bytes + pool.bytes + nodes.bytes
    }

    private static let noStringReference: UInt32 = 0xFFFF_FFFF
}

private struct LittleEndianBytes {
    var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
    mutating func u32(_ value: UInt32) { (0..<4).forEach { bytes.append(UInt8((value >> (8 * $0)) & 0xFF)) } }

    mutating func chunkHeader(type: UInt16, headerSize: UInt16, size: UInt32) {
        u16(type); u16(headerSize); u32(size)
    }
}

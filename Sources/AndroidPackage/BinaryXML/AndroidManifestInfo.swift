/// What a manifest says about an app, read the way Android reads it: framework attributes are
/// matched by resource ID (an attribute merely *named* `android:debuggable` without the ID is
/// ignored by Android, and here), `package` by name.
public struct AndroidManifestInfo: Sendable, Equatable, Codable {
    /// A manifest value that may point into resources.arsc (`@string/app_name`).
    public enum ResourceValue: Sendable, Equatable, Codable {
        case text(String)
        case reference(UInt32)

        public var text: String? { if case let .text(value) = self { value } else { nil } }
        public var reference: UInt32? { if case let .reference(id) = self { id } else { nil } }
    }

    public var packageName: String?
    public var versionCode: Int?
    /// The version name as text; when the manifest refers to a resource instead, the reference
    /// is in `versionNameReference` until `resolved(with:)` looks it up.
    public var versionName: String?
    public var versionNameReference: UInt32?
    /// SDK levels as numbers; a preview codename (`"Tiramisu"`) is in the matching codename field.
    public var minSDK: Int?
    public var targetSDK: Int?
    public var maxSDK: Int?
    public var minSDKCodename: String?
    public var targetSDKCodename: String?
    public var label: ResourceValue?
    /// The label's text: the literal, or the referenced string after `resolved(with:)`.
    public var resolvedLabel: String?
    public var debuggable: Bool?
    public var allowBackup: Bool?
    public var usesCleartextTraffic: Bool?
    /// The `@xml/...` resource of the network security config.
    public var networkSecurityConfig: UInt32?
    /// `<uses-permission>` and `<uses-permission-sdk-23>` names, in document order, without repeats.
    public var permissions: [String]
    /// `<permission>` names the app declares.
    public var declaredPermissions: [String]
    /// `<activity>` and `<activity-alias>` elements of `<application>`.
    public var activityCount: Int
    public var serviceCount: Int
    public var receiverCount: Int
    public var providerCount: Int
    /// `application android:name`, made absolute against the package as Android does.
    public var applicationClassName: String?

    public init(document: BinaryXMLDocument) {
        self.init(root: document.root)
    }

    /// Reads the `<manifest>` element; a tree from another source (the AAB's protobuf) works too.
    public init(root: BinaryXMLElement?) {
        let manifest = root?.name == "manifest" ? root : nil
        packageName = manifest?.attribute(named: "package")?.value.stringValue
        versionCode = manifest?.attribute(resourceID: AndroidAttribute.versionCode)?.value.integer
        switch manifest?.attribute(resourceID: AndroidAttribute.versionName)?.value {
        case let .reference(id)?: versionNameReference = id
        case let value?: versionName = value.stringValue ?? value.integer.map(String.init)
        case nil: break
        }
        let usesSDK = manifest?.elements.first { $0.name == "uses-sdk" }
        (minSDK, minSDKCodename) = Self.sdk(usesSDK?.attribute(resourceID: AndroidAttribute.minSdkVersion)?.value)
        (targetSDK, targetSDKCodename) = Self.sdk(usesSDK?.attribute(resourceID: AndroidAttribute.targetSdkVersion)?.value)
        (maxSDK, _) = Self.sdk(usesSDK?.attribute(resourceID: AndroidAttribute.maxSdkVersion)?.value)

        let application = manifest?.elements.first { $0.name == "application" }
        switch application?.attribute(resourceID: AndroidAttribute.label)?.value {
        case let .string(text)?: label = .text(text); resolvedLabel = text
        case let .reference(id)?: label = .reference(id)
        default: label = nil
        }
        debuggable = application?.attribute(resourceID: AndroidAttribute.debuggable)?.value.boolean
        allowBackup = application?.attribute(resourceID: AndroidAttribute.allowBackup)?.value.boolean
        usesCleartextTraffic = application?.attribute(resourceID: AndroidAttribute.usesCleartextTraffic)?.value.boolean
        if case let .reference(id)? = application?.attribute(resourceID: AndroidAttribute.networkSecurityConfig)?.value {
            networkSecurityConfig = id
        }

        var permissions: [String] = []
        var declared: [String] = []
        for element in manifest?.elements ?? [] {
            guard let name = element.attribute(resourceID: AndroidAttribute.name)?.value.stringValue else { continue }
            switch element.name {
            case "uses-permission", "uses-permission-sdk-23": if !permissions.contains(name) { permissions.append(name) }
            case "permission": if !declared.contains(name) { declared.append(name) }
            default: break
            }
        }
        self.permissions = permissions
        declaredPermissions = declared

        let components = application?.elements ?? []
        activityCount = components.filter { $0.name == "activity" || $0.name == "activity-alias" }.count
        serviceCount = components.filter { $0.name == "service" }.count
        receiverCount = components.filter { $0.name == "receiver" }.count
        providerCount = components.filter { $0.name == "provider" }.count
        if let className = application?.attribute(resourceID: AndroidAttribute.name)?.value.stringValue {
            applicationClassName = Self.absoluteClassName(className, package: packageName)
        }
    }

    /// The label and version name with resource references replaced by their default-configuration
    /// strings from the app's resources.arsc, where it has them.
    public func resolved(with table: ResourceTable) -> AndroidManifestInfo {
        var copy = self
        if let id = versionNameReference, let text = table.string(for: id) { copy.versionName = text }
        if let id = label?.reference, let text = table.string(for: id) { copy.resolvedLabel = text }
        if case let .text(text)? = label { copy.resolvedLabel = text }
        return copy
    }

    /// `.Foo` and `Foo` (no dot) are relative to the package, as PackageParser resolves them.
    static func absoluteClassName(_ name: String, package: String?) -> String {
        guard let package, !package.isEmpty else { return name }
        if name.hasPrefix(".") { return package + name }
        if !name.contains(".") { return package + "." + name }
        return name
    }

    private static func sdk(_ value: BinaryXMLValue?) -> (Int?, String?) {
        switch value {
        case nil: return (nil, nil)
        case let .string(text)?: return Int(text).map { ($0, nil) } ?? (nil, text)
        case let value?: return (value.integer, nil)
        }
    }
}

extension BinaryXMLValue {
    /// The text of a string value.
    public var stringValue: String? { if case let .string(text) = self { text } else { nil } }
}

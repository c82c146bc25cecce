import Foundation

/// `_CodeSignature/CodeResources`: the seal over every resource file of a bundle.
///
/// Version 2 seals (`files2`/`rules2`, Xcode 5 and later) carry SHA-256 (`hash2`); version 1
/// (`files`/`rules`) carries SHA-1 only. Rules are regular expressions over bundle-relative paths;
/// the matching rule with the highest weight decides whether a file is sealed, optional or omitted.
public struct CodeResources: Sendable {
    public struct SealedEntry: Sendable, Equatable {
        public let sha1: [UInt8]?
        public let sha256: [UInt8]?
        public let optional: Bool
        public let symlinkTarget: String?
        /// Nested code (a framework or extension) is sealed by its CodeDirectory hash instead of a file hash.
        public let nestedCDHash: [UInt8]?
        public let isNestedCode: Bool
    }

    struct Rule {
        let expression: NSRegularExpression
        let omit: Bool
        let optional: Bool
        let nested: Bool
        let weight: Double
    }

    public let version: Int
    public let entries: [String: SealedEntry]
    let rules: [Rule]

    public init(plist bytes: [UInt8]) throws(ApplePackageError) {
        let plist = try PropertyList.readDictionary(bytes)
        let files: [String: PropertyListValue]
        let rules: [String: PropertyListValue]
        if let files2 = plist["files2"]?.dictionary {
            version = 2
            files = files2
            rules = plist["rules2"]?.dictionary ?? [:]
        } else if let files1 = plist["files"]?.dictionary {
            version = 1
            files = files1
            rules = plist["rules"]?.dictionary ?? [:]
        } else {
            throw .invalidPropertyList(reason: "CodeResources has neither files2 nor files")
        }
        var entries: [String: SealedEntry] = [:]
        for (path, value) in files {
            if let digest = value.data {
                entries[path] = SealedEntry(sha1: digest, sha256: nil, optional: false, symlinkTarget: nil, nestedCDHash: nil, isNestedCode: false)
            } else if let entry = value.dictionary {
                let nested = entry["cdhash"] != nil || entry["requirement"] != nil
                entries[path] = SealedEntry(sha1: entry["hash"]?.data, sha256: entry["hash2"]?.data,
                                            optional: entry["optional"]?.boolean ?? false,
                                            symlinkTarget: entry["symlink"]?.string,
                                            nestedCDHash: entry["cdhash"]?.data, isNestedCode: nested)
            } else {
                throw .invalidPropertyList(reason: "CodeResources entry '\(path)' is neither data nor a dictionary")
            }
        }
        self.entries = entries
        var parsedRules: [Rule] = []
        for (pattern, value) in rules {
            guard let expression = try? NSRegularExpression(pattern: pattern) else {
                throw .invalidPropertyList(reason: "CodeResources rule '\(pattern)' is not a valid regular expression")
            }
            let settings = value.dictionary ?? [:]
            parsedRules.append(Rule(expression: expression, omit: settings["omit"]?.boolean ?? false,
                                    optional: settings["optional"]?.boolean ?? false,
                                    nested: settings["nested"]?.boolean ?? false,
                                    weight: settings["weight"].flatMap { value -> Double? in
                                        if case let .real(number) = value { return number }
                                        return value.integer.map(Double.init)
                                    } ?? 1))
        }
        // Highest weight wins; at equal weight an omit rule wins (`^` and `^Info\.plist$` both weigh 20).
        self.rules = parsedRules.sorted { ($0.weight, $0.omit ? 1 : 0) > ($1.weight, $1.omit ? 1 : 0) }
    }

    /// Whether the seal's rules leave `path` out (Info.plist, .DS_Store, the signature itself...).
    func isOmitted(_ path: String) -> Bool {
        let range = NSRange(path.startIndex..., in: path)
        for rule in rules where rule.expression.firstMatch(in: path, range: range) != nil {
            return rule.omit
        }
        // No rule matches: codesign seals nothing it has no rule for.
        return !rules.isEmpty
    }
}

/// The result of checking a bundle's files against its CodeResources seal.
public struct SealCheck: Codable, Sendable, Equatable {
    public let sealVersion: Int
    /// Entries in the seal (files, symlinks and nested code).
    public let sealedCount: Int
    /// Files whose hash matched the seal.
    public let verifiedCount: Int
    /// Nested bundles whose CodeDirectory hash matched the seal.
    public let verifiedNestedCount: Int
    /// Files in the bundle that the seal does not list.
    public let unsealed: [String]
    /// Files whose content differs from the sealed hash.
    public let modified: [String]
    /// Sealed, non-optional files that are not in the bundle.
    public let missing: [String]

    public var isIntact: Bool { unsealed.isEmpty && modified.isEmpty && missing.isEmpty }
}

extension CodeResources {
    /// Checks bundle files (bundle-relative paths) against the seal.
    ///
    /// `digest` streams a file and returns its SHA-1 and SHA-256; `nestedCDHashes` gives the
    /// CodeDirectory hashes of each nested bundle's executable, by the bundle's relative path.
    func check(files: [String], excluding excluded: Set<String>, nestedCDHashes: [String: [String]],
               digest: (String) throws(ApplePackageError) -> (sha1: [UInt8], sha256: [UInt8], content: [UInt8]?))
        throws(ApplePackageError) -> SealCheck {
        let nestedRoots = Set(entries.filter { $0.value.isNestedCode }.map(\.key)).union(nestedCDHashes.keys)
        func nestedRoot(of path: String) -> String? {
            nestedRoots.first { path.hasPrefix($0 + "/") }
        }
        let present = Set(files)
        var unsealed: [String] = []
        var modified: [String] = []
        var verified = 0
        // SC_Info/ holds the FairPlay files the App Store adds after signing; they are never sealed.
        for path in files.sorted() where !excluded.contains(path) && !path.hasPrefix("_CodeSignature/") && !path.hasPrefix("SC_Info/") {
            if nestedRoot(of: path) != nil { continue }
            guard let entry = entries[path] else {
                if !isOmitted(path) { unsealed.append(path) }
                continue
            }
            let computed = try digest(path)
            if let target = entry.symlinkTarget {
                if computed.content.map({ String(decoding: $0, as: UTF8.self) }) == target { verified += 1 } else { modified.append(path) }
            } else if let expected = entry.sha256 {
                if expected == computed.sha256 { verified += 1 } else { modified.append(path) }
            } else if let expected = entry.sha1 {
                if expected == computed.sha1 { verified += 1 } else { modified.append(path) }
            } else {
                modified.append(path)
            }
        }
        for root in nestedCDHashes.keys.sorted() where entries[root] == nil && !isOmitted(root) {
            unsealed.append(root)
        }
        var verifiedNested = 0
        for (root, entry) in entries where entry.isNestedCode {
            guard let expected = entry.nestedCDHash else { continue }
            if let actual = nestedCDHashes[root] {
                if actual.contains(expected.hexString) { verifiedNested += 1 } else { modified.append(root) }
            }
        }
        let missing = entries.filter { path, entry in
            guard !entry.optional else { return false }
            if entry.isNestedCode { return !files.contains { $0.hasPrefix(path + "/") } && !present.contains(path) }
            return !present.contains(path)
        }.map(\.key).sorted()
        return SealCheck(sealVersion: version, sealedCount: entries.count, verifiedCount: verified,
                         verifiedNestedCount: verifiedNested, unsealed: unsealed.sorted(), modified: modified.sorted(), missing: missing)
    }
}

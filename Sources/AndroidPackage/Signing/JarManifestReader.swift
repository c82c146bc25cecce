import Foundation

/// A JAR manifest or .SF file read for verification: the main section's attributes and bytes,
/// and each individual section's attributes and exact bytes (what the .SF digests cover).
struct JarManifestDocument {
    struct Section {
        let name: String
        let attributes: [String: String]
        let bytes: ArraySlice<UInt8>
    }

    let mainAttributes: [String: String]
    let mainBytes: ArraySlice<UInt8>
    let sections: [Section]
    /// Bytes of the whole file.
    let bytes: [UInt8]

    static let maximumSections = 500_000

    /// Attribute names are compared case-insensitively, so keys are lower-cased.
    init(parsing bytes: [UInt8], entryName: String) throws {
        self.bytes = bytes
        var sections: [Section] = []
        var mainAttributes: [String: String] = [:]
        var mainEnd = 0
        var index = 0
        var sectionStart = 0
        var lines: [[UInt8]] = []
        var isMain = true

        func finishSection(end: Int) throws {
            defer { lines = []; sectionStart = end }
            var attributes: [String: String] = [:]
            var name: String?
            var logical: [[UInt8]] = []
            for line in lines {
                if line.first == 0x20, !logical.isEmpty {
                    logical[logical.count - 1] += line.dropFirst()
                } else {
                    logical.append(line)
                }
            }
            for line in logical {
                guard let colon = line.firstIndex(of: 0x3A), colon > 0, colon + 1 < line.count, line[colon + 1] == 0x20 else {
                    throw ApkSigningError.entry(name: entryName, reason: "malformed line '\(String(decoding: line.prefix(80), as: UTF8.self))'")
                }
                let key = String(decoding: line[..<colon], as: UTF8.self).lowercased()
                let value = String(decoding: line[(colon + 2)...], as: UTF8.self)
                if key == "name", !isMain, name == nil { name = value } else { attributes[key] = value }
            }
            if isMain {
                mainAttributes = attributes
                mainEnd = end
                isMain = false
            } else if !logical.isEmpty {
                guard let name else {
                    throw ApkSigningError.entry(name: entryName, reason: "a section at offset \(sectionStart) has no Name attribute")
                }
                guard sections.count < Self.maximumSections else {
                    throw ApkSigningError.entry(name: entryName, reason: "more than \(Self.maximumSections) sections")
                }
                sections.append(Section(name: name, attributes: attributes, bytes: bytes[sectionStart..<end]))
            }
        }

        var current: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                index += 1
                if current.isEmpty {
                    if !lines.isEmpty || isMain { try finishSection(end: index) } else { sectionStart = index }
                } else {
                    lines.append(current)
                    current = []
                }
                continue
            }
            current.append(byte)
            index += 1
        }
        if !current.isEmpty { lines.append(current) }
        if !lines.isEmpty || isMain { try finishSection(end: bytes.count) }
        self.mainAttributes = mainAttributes
        self.mainBytes = bytes[0..<mainEnd]
        self.sections = sections
    }
}

/// Digest attribute prefixes of JAR manifests and the hash each names.
enum JarDigestNames {
    static let all: [(prefix: String, function: HashFunction)] = [
        ("sha1", .sha1), ("sha-1", .sha1), ("sha-256", .sha256), ("sha-384", .sha384), ("sha-512", .sha512),
    ]

    /// Every supported `<ALG><suffix>` attribute in `attributes`, e.g. suffix "-digest".
    static func digests(in attributes: [String: String], suffix: String) -> [(HashFunction, String, [UInt8]?)] {
        all.compactMap { prefix, function in
            guard let value = attributes[prefix + suffix] else { return nil }
            let label = prefix.uppercased() + suffix.split(separator: "-").map { "-" + $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            return (function, label, Data(base64Encoded: value).map { [UInt8]($0) })
        }
    }
}

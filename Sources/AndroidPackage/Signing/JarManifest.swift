import Foundation

/// JAR manifest and signature-file text as apksigner writes it: `Name: value` lines ending in
/// CRLF, wrapped so no line exceeds 72 bytes including the CRLF (continuations start with a space).
enum JarManifestText {
    static let crlf: [UInt8] = [0x0D, 0x0A]
    /// Bytes of content on a first line; continuation lines carry one less after their space.
    static let maximumLineContent = 70

    static func line(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + utf8.count / 35 * 3 + 2)
        var offset = 0
        var first = true
        while offset < utf8.count {
            let chunk: Int
            if first {
                chunk = min(utf8.count - offset, maximumLineContent)
            } else {
                out += crlf
                out.append(0x20)
                chunk = min(utf8.count - offset, maximumLineContent - 1)
            }
            out += utf8[offset..<(offset + chunk)]
            offset += chunk
            first = false
        }
        out += crlf
        return out
    }

    static func attribute(_ name: String, _ value: String) -> [UInt8] { line("\(name): \(value)") }

    /// Java's String ordering (UTF-16 code units), which apksigner uses for names and attributes.
    static func javaOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
    }

    /// A main section: the `first` attribute, then the others sorted by name, then an empty line.
    static func mainSection(first: (String, String), others: [(String, String)]) -> [UInt8] {
        var out = attribute(first.0, first.1)
        for (name, value) in others.sorted(by: { javaOrder($0.0, $1.0) }) { out += attribute(name, value) }
        out += crlf
        return out
    }

    /// An individual section for one entry.
    static func entrySection(name: String, attributes: [(String, String)]) -> [UInt8] {
        var out = attribute("Name", name)
        for (attributeName, value) in attributes.sorted(by: { javaOrder($0.0, $1.0) }) { out += attribute(attributeName, value) }
        out += crlf
        return out
    }
}

/// The main section of an existing META-INF/MANIFEST.MF, kept when re-signing (apksigner copies
/// it: the signer did not create the app, so it must not claim to have with its own Created-By).
struct JarManifestMainSection: Sendable, Equatable {
    /// Attributes in file order; names compare case-insensitively as in java.util.jar.
    private(set) var attributes: [(name: String, value: String)] = []

    static func == (lhs: JarManifestMainSection, rhs: JarManifestMainSection) -> Bool {
        lhs.attributes.map(\.name) == rhs.attributes.map(\.name) && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }

    init() {}

    /// Reads the main section: lines end in CRLF, LF or CR; a line starting with a space
    /// continues the previous one; the section ends at the first empty line.
    init(parsing bytes: [UInt8], entryName: String = "META-INF/MANIFEST.MF") throws {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        var ended = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                index += 1
                if current.isEmpty { ended = true; break }
                lines.append(current)
                current = []
                continue
            }
            current.append(byte)
            index += 1
        }
        if !ended, !current.isEmpty { lines.append(current) }
        var logical: [[UInt8]] = []
        for line in lines {
            if line.first == 0x20 {
                guard !logical.isEmpty else {
                    throw ApkSigningError.entry(name: entryName, reason: "manifest starts with a continuation line")
                }
                logical[logical.count - 1] += line.dropFirst()
            } else {
                logical.append(line)
            }
        }
        for line in logical {
            guard let colon = line.firstIndex(of: 0x3A), colon > 0, colon + 1 < line.count, line[colon + 1] == 0x20 else {
                throw ApkSigningError.entry(name: entryName,
                                            reason: "malformed manifest line '\(String(decoding: line.prefix(80), as: UTF8.self))'")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 2)...], as: UTF8.self)
            set(name, value)
        }
    }

    mutating func set(_ name: String, _ value: String) {
        if let existing = attributes.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
            attributes[existing].value = value
        } else {
            attributes.append((name, value))
        }
    }

    func value(_ name: String) -> String? {
        attributes.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Builds MANIFEST.MF and the .SF signature file of a v1 (JAR) signature.
struct JarSignatureFiles {
    struct Output {
        let manifest: [UInt8]
        let signatureFile: [UInt8]
    }

    static let manifestVersion = "Manifest-Version"
    static let signatureVersion = "Signature-Version"
    static let createdBy = "Created-By"
    static let signatureFileCreatedBy = "1.0 (Android)"
    /// Tells Android that the APK also carries the listed newer schemes, so stripping them is detected.
    static let apkSignedAttribute = "X-Android-APK-Signed"

    /// The attribute carrying an entry's digest, e.g. `SHA-256-Digest`.
    static func digestAttributeName(_ algorithm: JarDigestAlgorithm) -> String { "\(algorithm.manifestName)-Digest" }

    /// - Parameters:
    ///   - entryDigests: digest of each entry's uncompressed bytes, by entry name.
    ///   - sourceMain: main section of the input's MANIFEST.MF, when it had one.
    ///   - newerSchemes: v2/v3 scheme numbers also signed, for `X-Android-APK-Signed`.
    ///   - hash: computes a digest with `algorithm`.
    static func make(entryDigests: [String: [UInt8]], algorithm: JarDigestAlgorithm,
                     sourceMain: JarManifestMainSection?, newerSchemes: [Int],
                     hash: ([UInt8]) -> [UInt8]) -> Output {
        var main = sourceMain ?? JarManifestMainSection()
        if main.value(manifestVersion) == nil {
            main.set(manifestVersion, "1.0")
        }
        let version = main.attributes.first { $0.name.lowercased() == manifestVersion.lowercased() }!
        let others = main.attributes.filter { $0.name.lowercased() != manifestVersion.lowercased() }.map { ($0.name, $0.value) }
        var manifest = JarManifestText.mainSection(first: (version.name, version.value), others: others)

        let digestName = digestAttributeName(algorithm)
        let names = entryDigests.keys.sorted(by: JarManifestText.javaOrder)
        var sectionDigests: [(String, [UInt8])] = []
        sectionDigests.reserveCapacity(names.count)
        for name in names {
            let section = JarManifestText.entrySection(name: name,
                                                       attributes: [(digestName, Data(entryDigests[name]!).base64EncodedString())])
            manifest += section
            sectionDigests.append((name, hash(section)))
        }

        var signatureMain: [(String, String)] = [
            (createdBy, signatureFileCreatedBy),
            ("\(algorithm.manifestName)-Digest-Manifest", Data(hash(manifest)).base64EncodedString()),
        ]
        if !newerSchemes.isEmpty {
            signatureMain.append((apkSignedAttribute, newerSchemes.map(String.init).joined(separator: ", ")))
        }
        var signatureFile = JarManifestText.mainSection(first: (signatureVersion, "1.0"), others: signatureMain)
        for (name, digest) in sectionDigests {
            signatureFile += JarManifestText.entrySection(name: name, attributes: [(digestName, Data(digest).base64EncodedString())])
        }
        return Output(manifest: manifest, signatureFile: signatureFile)
    }

    /// Whether an entry must be listed in MANIFEST.MF: every file except directories and the
    /// signature files directly in META-INF (MANIFEST.MF, *.SF, *.RSA, *.DSA, *.EC, SIG-*).
    static func isDigestedEntry(_ name: String) -> Bool {
        if name.hasSuffix("/") { return false }
        guard name.hasPrefix("META-INF/") else { return true }
        let rest = name.dropFirst("META-INF/".count)
        if rest.contains("/") { return true }
        return !isSignatureFileName(String(rest))
    }

    /// Names (inside META-INF/) that belong to a JAR signature rather than to the app.
    static func isSignatureFileName(_ fileName: String) -> Bool {
        let lower = fileName.lowercased()
        return lower == "manifest.mf" || lower.hasSuffix(".sf") || lower.hasSuffix(".rsa")
            || lower.hasSuffix(".dsa") || lower.hasSuffix(".ec") || lower.hasPrefix("sig-")
    }

    /// The signer name apksigner derives: upper case, at most 8 characters of A-Z, 0-9, '-' and '_'.
    static func safeSignerName(_ name: String) -> String {
        var result = ""
        for character in name.uppercased().prefix(8) {
            if character.isASCII, character.isLetter || character.isNumber || character == "-" || character == "_" {
                result.append(character)
            } else {
                result.append("_")
            }
        }
        return result
    }
}

/// Digest algorithms a v1 signature uses for entries and for the .SF file.
public enum JarDigestAlgorithm: String, Sendable, Codable {
    case sha1
    case sha256

    var manifestName: String { self == .sha1 ? "SHA1" : "SHA-256" }
}

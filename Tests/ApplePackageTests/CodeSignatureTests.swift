import Foundation
import Testing
import TestSupport
@testable import ApplePackage

@Suite("Code signatures against openssl, plistlib, hashlib and the fixture notes",
       .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.absentMessage)))
struct CodeSignatureTests {
    /// SOURCES.md describes each slice's signature as found by the fixture collector's own parser, e.g.
    /// `arm64 execute signed[CodeDirectory(v20400,sha1),Requirements,...,CMS(signed)]`.
    static func notedSignatures(_ relativePath: String) throws -> [String] {
        let sources = try String(contentsOf: Fixtures.url("SOURCES.md"), encoding: .utf8)
        let row = try #require(sources.split(separator: "\n").first { $0.hasPrefix("| `\(relativePath)`") })
        let pattern = try Regex(#"(?:execute|dylib|bundle) (?:signed\[([^\]]*)\]|unsigned)"#)
        return row.matches(of: pattern).map { match in
            match.output[1].substring.map(String.init) ?? "unsigned"
        }
    }

    static func describe(_ slice: MachOSlice) -> String {
        guard let signature = slice.codeSignature else { return "unsigned" }
        return signature.blobs.compactMap { blob -> String? in
            switch blob.slot {
            case 0, 0x1000...0x1004:
                let directory = signature.codeDirectories.first { $0.slot == blob.slot }!
                let hash = directory.hashAlgorithm == .sha256Truncated ? "sha256_trunc" : directory.hashAlgorithm.rawValue
                return "CodeDirectory(v\(String(directory.version, radix: 16)),\(hash)\(directory.isAdHoc ? ",adhoc" : ""))"
            case 2: return "Requirements"
            case 5: return "Entitlements"
            case 7: return "DEREntitlements"
            case 0x10000: return signature.cms != nil ? "CMS(signed)" : "CMS(empty)"
            default: return nil
            }
        }.joined(separator: ",")
    }

    static let machOFiles = Fixtures.files(under: "macho").map(Fixtures.relativePath)

    @Test("blob layout, CodeDirectory versions and hash types match the fixture notes", arguments: machOFiles)
    func blobLayout(path: String) throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
        let noted = try Self.notedSignatures(path)
        #expect(file.slices.map(Self.describe) == noted)
    }

    @Test("every code page and special slot hashes to what the CodeDirectory says", arguments: machOFiles)
    func pageHashes(path: String) throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
        for slice in file.slices {
            for directory in slice.codeSignature?.codeDirectories ?? [] {
                #expect(directory.mismatchedPages == [], "\(path) \(slice.cpu.name) \(directory.hashAlgorithm)")
                #expect(directory.mismatchedSpecialSlots == [], "\(path) \(slice.cpu.name) \(directory.hashAlgorithm)")
            }
        }
    }

    @Test("hashlib computes the same page hashes the parser read from the CodeDirectories")
    func hashlibAgrees() throws {
        var jobs: [[String: Any]] = []
        var expected: [String] = []
        for path in Self.machOFiles {
            let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
            for slice in file.slices {
                for directory in slice.codeSignature?.codeDirectories ?? [] {
                    jobs.append(["path": Fixtures.url(path).path, "start": slice.offset, "limit": Int(directory.codeLimit),
                                 "page": directory.pageSize, "hash": directory.hashAlgorithm == .sha1 ? "sha1" : directory.hashAlgorithm == .sha384 ? "sha384" : "sha256",
                                 "size": directory.hashSize])
                    expected.append((0..<directory.codeSlotCount).map { directory.codeSlotHash($0).hexString }.joined(separator: ","))
                }
            }
        }
        #expect(jobs.count >= 20)
        let script = """
        import hashlib, json, sys
        out = []
        for job in json.load(sys.stdin):
            data = open(job["path"], "rb").read()[job["start"]:job["start"] + job["limit"]]
            step = job["page"] or len(data)
            out.append(",".join(hashlib.new(job["hash"], data[i:i + step]).digest()[:job["size"]].hex() for i in range(0, len(data), step)))
        print(json.dumps(out))
        """
        let input = try JSONSerialization.data(withJSONObject: jobs)
        let result = try ProcessRunner.run("python3", ["-c", script], stdin: input)
        try #require(result.succeeded, "\(result.stderr)")
        let hashlib = try JSONDecoder().decode([String].self, from: result.stdoutData)
        #expect(hashlib == expected)
    }

    @Test("entitlements XML reads the same in plistlib", arguments: machOFiles)
    func entitlementsAgreeWithPlistlib(path: String) throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
        for slice in file.slices {
            guard let signature = slice.codeSignature, let xml = signature.entitlementsXML else { continue }
            let python = try #require(try IndependentReaders.plistlib(Data(xml.utf8)))
            #expect(try IndependentReaders.viaJSON(signature.entitlements) == python, "\(path) \(slice.cpu.name)")
            if signature.derEntitlements != nil { #expect(signature.derEntitlementsMatchXML == true) }
        }
    }

    @Test("the CMS blob's certificates and signer match openssl pkcs7 -print_certs", arguments: machOFiles)
    func cmsAgreesWithOpenSSL(path: String) throws {
        let file = try MachOFile(bytes: [UInt8](try Fixtures.data(path)))
        for slice in file.slices {
            guard let signature = slice.codeSignature, let cms = signature.cms,
                  let blob = signature.blobBytes(slot: 0x10000) else { continue }
            let scratch = try TemporaryDirectory()
            let der = scratch.path("cms.der")
            try Data(blob.dropFirst(8)).write(to: URL(fileURLWithPath: der))
            let printed = try ProcessRunner.run("openssl", ["pkcs7", "-inform", "DER", "-in", der, "-print_certs", "-noout"])
            try #require(printed.succeeded, "\(printed.stderr)")
            let subjects = printed.stdout.split(separator: "\n").filter { $0.hasPrefix("subject=") }.map { String($0.dropFirst(8)) }
            #expect(cms.certificates.map(\.subject) == subjects, "\(path) \(slice.cpu.name)")
            let pem = try ProcessRunner.run("openssl", ["pkcs7", "-inform", "DER", "-in", der, "-print_certs"])
            let fingerprints = try Self.fingerprints(ofPEM: pem.stdout, in: scratch)
            #expect(cms.certificates.map(\.sha256) == fingerprints)
            // The signed messageDigest is the hash of one of this signature's CodeDirectories.
            let signer = try #require(cms.signers.first)
            #expect(signer.subject != nil && subjects.contains(signer.subject!))
            let directoryHashes = signature.blobs.filter { $0.slot == 0 || (0x1000...0x1004).contains($0.slot) }.compactMap { blob in
                HashAlgorithm(rawValue: signer.digestAlgorithm).map { $0.digest(signature.bytes[blob.offset..<(blob.offset + blob.length)]).hexString }
            }
            // Old signatures (r2-fatmach0-3true, 2009) have no signed attributes; the signature covers the CodeDirectory itself.
            if let digest = signer.messageDigest {
                #expect(directoryHashes.contains(digest), "\(path) \(slice.cpu.name) messageDigest")
            }
        }
    }

    static func fingerprints(ofPEM pem: String, in scratch: TemporaryDirectory) throws -> [String] {
        var result: [String] = []
        let blocks = pem.components(separatedBy: "-----END CERTIFICATE-----").filter { $0.contains("-----BEGIN CERTIFICATE-----") }
        for (index, block) in blocks.enumerated() {
            let file = scratch.path("cert\(index).pem")
            try (block + "-----END CERTIFICATE-----\n").write(toFile: file, atomically: true, encoding: .utf8)
            let out = try ProcessRunner.run("openssl", ["x509", "-in", file, "-noout", "-fingerprint", "-sha256"])
            let hex = out.stdout.split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "").lowercased() }
            result.append((hex ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result
    }
}
